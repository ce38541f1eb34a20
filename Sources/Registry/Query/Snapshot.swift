/// The effective configurations of one environment at one revision (SPEC §4).
public struct Snapshot: Sendable {
    public let environment: String
    public let revision: Revision
    /// Function name -> effective configuration with `code_hash`, sorted by name.
    public let functions: JSONObject
    /// The canonical JSON of `functions`, computed once (hash and every export derive from it).
    public let canonicalFunctions: [UInt8]
    /// `sha256:` + SHA-256 of the canonical JSON of `functions` (SPEC §4).
    public let hash: String

    public init(environment: String, revision: Revision, functions: JSONObject) {
        self.environment = environment
        self.revision = revision
        self.functions = functions
        canonicalFunctions = JSONWriter.canonicalBytes(.object(functions))
        hash = SHA256Hasher.prefixedHex(canonicalFunctions)
    }

    /// The exact bytes of `fnreg export json`: pretty, sorted keys, a final newline.
    public func exportBytes() -> [UInt8] {
        var w = JSONWriter(capacity: canonicalFunctions.count + 512)
        w.append("{\"commit\":")
        w.writeCanonical(revision.commit.map { .string($0) } ?? .null)
        w.append(",\"environment\":")
        w.writeString(environment)
        w.append(",\"functions\":")
        w.append(contentsOf: canonicalFunctions)
        w.append(",\"revision\":\(revision.number),\"snapshot_hash\":")
        w.writeString(hash)
        w.append("}")
        return JSONWriter.prettyFromCanonical(w.bytes)
    }

    /// The `fnreg export json` document.
    public var exportJSON: JSONValue {
        var o = JSONObject()
        o["environment"] = .string(environment)
        o["revision"] = .number(Double(revision.number))
        o["commit"] = revision.commit.map { .string($0) } ?? .null
        o["snapshot_hash"] = .string(hash)
        o["functions"] = .object(functions)
        return .object(o)
    }

    public func function(_ name: String) throws -> JSONValue {
        guard let f = functions[name] else { throw RegistryError.unknownFunction(name, known: functions.keys) }
        return f
    }
}
