/// Where one field of an effective configuration came from (`fnreg show --origin`).
public struct FieldOrigin: Sendable {
    /// Where a value comes from: a default, the base, the environment's patch, the override, or the code (`code_hash`).
    public enum Layer: String, Sendable { case `default`, base, environment, override, code }
    /// The field.
    public var pointer: JSONPointer
    /// Its effective value.
    public var value: JSONValue
    /// The layer that set it.
    public var layer: Layer
    /// The file that set it (nil for defaults).
    public var file: String?
    /// The revision at which this value last changed in that file.
    public var revision: Revision?

    /// The origin as `fnreg show --origin --format json` prints it.
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
            baseKey: RepositoryLayout.path(for: baseKey, functionDirectory: dir ?? "lambda_functions/?"),
            envKey: RepositoryLayout.path(for: envKey),
            overrideKey: RepositoryLayout.path(for: overrideKey),
            StateKey(.code, function: function): dir ?? "",
        ]
        let stack = LayerStack(normalizedBase: base ?? .object(JSONObject()), environmentPatch: envPatch, override: override)
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
                if !FieldChanges.equivalent(document?.value(at: pointer), value, at: pointer) { break }
                since = rev
            }
            if revisions[since] == nil { revisions[since] = try storage.revision(since) }
            return revisions[since]
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
            // The last layer to set the value wins; a deletion returns it to the default.
            let (layer, at) = stack.origin(of: pointer)
            switch layer {
            case .base: out.append(FieldOrigin(pointer: pointer, value: value, layer: .base, file: files[baseKey], revision: try lastChanged(baseKey, at)))
            case .environment: out.append(FieldOrigin(pointer: pointer, value: value, layer: .environment, file: files[envKey], revision: try lastChanged(envKey, at)))
            case .override: out.append(FieldOrigin(pointer: pointer, value: value, layer: .override, file: files[overrideKey], revision: try lastChanged(overrideKey, at)))
            case .default: out.append(FieldOrigin(pointer: pointer, value: value, layer: .default, file: nil, revision: nil))
            }
        }
        try visit(effective, .root)
        return out
    }
}
