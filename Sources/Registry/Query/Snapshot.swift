/// The effective configurations of one environment at one revision (SPEC §4).
public struct Snapshot: Sendable {
    public let environment: String
    public let revision: Revision
    /// Function name -> effective configuration with `code_hash`, sorted by name.
    public let functions: JSONObject

    /// `sha256:` + SHA-256 of the canonical JSON of `functions` (SPEC §4).
    public var hash: String { SHA256Hasher.prefixedHex(JSONWriter.canonicalBytes(.object(functions))) }

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
