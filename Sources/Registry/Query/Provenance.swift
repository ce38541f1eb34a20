/// Where one field of an effective configuration came from (`fnreg show --origin`).
public struct FieldOrigin: Sendable {
    public enum Layer: String, Sendable { case `default`, base, environment, override, code }
    public var pointer: JSONPointer
    public var value: JSONValue
    public var layer: Layer
    /// The file that set it (nil for defaults).
    public var file: String?
    /// The revision at which this value last changed in that file.
    public var revision: Revision?

    public var json: JSONValue {
        var o = JSONObject()
        o["pointer"] = .string(pointer.description)
        o["value"] = value
        o["layer"] = .string(layer.rawValue)
        o["file"] = file.map { .string($0) } ?? .null
        o["revision"] = revision.map { .number(Double($0.number)) } ?? .null
        o["commit"] = revision?.commit.map { .string($0) } ?? .null
        o["author"] = revision?.authorName.map { .string($0) } ?? .null
        o["time"] = revision.map { .string(ISOTime.format($0.committedAt)) } ?? .null
        return .object(o)
    }
}

extension Registry {
    /// The origin of every leaf of `function`'s effective configuration in `environment` at `revision`.
    public func origins(function: String, environment: String, revision: Revision) throws -> [FieldOrigin] {
        guard let effective = try effectiveConfiguration(function: function, environment: environment, revision: revision) else {
            throw RegistryError.unknownFunction(function, known: try functionNames(at: revision.number))
        }
        let state = try storage.state(at: revision.number, environment: environment, function: function)
        let baseKey = StateKey(.base, function: function)
        let envKey = StateKey(.envpatch, environment: environment)
        let overrideKey = StateKey(.override, environment: environment, function: function)
        let base = try state[baseKey].map { FunctionSchema.normalizedBase(try JSONParser.parse($0)) }
        let envPatch = try state[envKey].map { try JSONParser.parse($0) }
        let override = try state[overrideKey].map { try JSONParser.parse($0) }
        let dir = (try? state[StateKey(.path, function: function)].map { try JSONParser.parse($0).stringValue ?? "" }) ?? nil
        let files: [StateKey: String] = [
            baseKey: (dir ?? "lambda_functions/?") + "/function.json",
            envKey: "terraform/environments/\(environment)/environment.json",
            overrideKey: "terraform/environments/\(environment)/overrides/\(function).json",
            StateKey(.code, function: function): dir ?? "",
        ]
        // Each version of each layer's file, parsed once.
        var histories: [StateKey: [(Int, JSONValue?)]] = [:]
        var revisions: [Int: Revision] = [:]
        func lastChanged(_ key: StateKey, _ pointer: JSONPointer) throws -> Revision? {
            if histories[key] == nil {
                histories[key] = try storage.history(of: key).filter { $0.0 <= revision.number }.map { ($0.0, try $0.1.map { try JSONParser.parse($0) }) }
            }
            let versions = histories[key]!
            guard let current = versions.last else { return nil }
            let value = current.1?.value(at: pointer)
            var since = current.0
            for (rev, document) in versions.reversed().dropFirst() {
                if document?.value(at: pointer) != value { break }
                since = rev
            }
            if revisions[since] == nil { revisions[since] = try storage.revision(since) }
            return revisions[since]
        }
        /// What a merge patch does to `pointer`: sets it (at the returned pointer), deletes it (null at
        /// it or an ancestor), or leaves it alone.
        enum Effect { case sets(JSONPointer), deletes, untouched }
        func effect(_ patch: JSONValue?, _ pointer: JSONPointer) -> Effect {
            guard let patch else { return .untouched }
            var p = pointer
            while !p.tokens.isEmpty {
                if let v = patch.value(at: p) {
                    if v.isNull { return .deletes }
                    // RFC 7396: a non-object value replaces everything below it.
                    if v.objectValue == nil || p == pointer { return .sets(p) }
                }
                p = p.parent
            }
            return .untouched
        }
        var out: [FieldOrigin] = []
        func visit(_ value: JSONValue, _ pointer: JSONPointer) throws {
            if case .object(let o) = value, !o.isEmpty {
                for m in o { try visit(m.value, pointer.appending(m.key)) }
                return
            }
            if pointer.tokens == ["code_hash"] {
                let key = StateKey(.code, function: function)
                out.append(FieldOrigin(pointer: pointer, value: value, layer: .code, file: files[key], revision: try lastChanged(key, .root)))
                return
            }
            // Layers in order; the last one to set the value wins, a deletion returns it to the default.
            var origin: (FieldOrigin.Layer, StateKey, JSONPointer)? = base?.value(at: pointer) != nil ? (.base, baseKey, pointer) : nil
            for (layer, key, patch) in [(FieldOrigin.Layer.environment, envKey, envPatch), (.override, overrideKey, override)] {
                switch effect(patch, pointer) {
                case .sets(let p): origin = (layer, key, p)
                case .deletes: origin = nil
                case .untouched: break
                }
            }
            if let (layer, key, p) = origin {
                out.append(FieldOrigin(pointer: pointer, value: value, layer: layer, file: files[key], revision: try lastChanged(key, p)))
            } else {
                out.append(FieldOrigin(pointer: pointer, value: value, layer: .default, file: nil, revision: nil))
            }
        }
        try visit(effective, .root)
        return out
    }
}
