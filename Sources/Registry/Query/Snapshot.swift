import Foundation

/// The effective configurations of one environment at one revision (SPEC §4), held as canonical JSON
/// per function and parsed only when a caller asks for values.
public struct Snapshot: Sendable {
    public let environment: String
    public let revision: Revision
    /// Function name -> canonical JSON of its effective configuration (with `code_hash`), sorted by name.
    public let canonicalMembers: [(name: String, canonical: [UInt8])]
    /// The canonical JSON of the `functions` object (hash and every export derive from it).
    public let canonicalFunctions: [UInt8]
    /// `sha256:` + SHA-256 of the canonical JSON of `functions` (SPEC §4).
    public let hash: String
    private let parsed: ParsedFunctions

    init(environment: String, revision: Revision, canonicalMembers: [(name: String, canonical: [UInt8])]) {
        self.environment = environment
        self.revision = revision
        self.canonicalMembers = canonicalMembers
        var w = JSONWriter(capacity: canonicalMembers.reduce(2) { $0 + $1.canonical.count + $1.name.utf8.count + 4 })
        w.append(UInt8(ascii: "{"))
        for (i, m) in canonicalMembers.enumerated() {
            if i > 0 { w.append(UInt8(ascii: ",")) }
            w.writeString(m.name)
            w.append(UInt8(ascii: ":"))
            w.append(contentsOf: m.canonical)
        }
        w.append(UInt8(ascii: "}"))
        canonicalFunctions = w.bytes
        hash = SHA256Hasher.prefixedHex(canonicalFunctions)
        parsed = ParsedFunctions(canonicalMembers)
    }

    public init(environment: String, revision: Revision, functions: JSONObject) {
        self.init(environment: environment, revision: revision,
                  canonicalMembers: functions.map { ($0.key, JSONWriter.canonicalBytes($0.value)) })
    }

    /// Function name -> effective configuration (parsed on first use).
    public var functions: JSONObject { parsed.all }

    /// One function's canonical JSON, or nil.
    public func canonical(of name: String) -> [UInt8]? { parsed.index[name].map { canonicalMembers[$0].canonical } }

    /// One function's effective configuration, or nil (parses only that function).
    public func value(of name: String) -> JSONValue? { parsed.value(name) }

    public var functionNames: [String] { canonicalMembers.map(\.name) }

    private func exportCanonical() -> [UInt8] {
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
        return w.bytes
    }

    /// The exact bytes of `fnreg export json`: pretty, sorted keys, a final newline.
    public func exportBytes() -> [UInt8] { JSONWriter.prettyFromCanonical(exportCanonical()) }

    public func function(_ name: String) throws -> JSONValue {
        guard let f = value(of: name) else { throw RegistryError.unknownFunction(name, known: functionNames) }
        return f
    }
}

/// Lazily parsed function values of a snapshot (a snapshot is used from one thread at a time).
final class ParsedFunctions: @unchecked Sendable {
    let members: [(name: String, canonical: [UInt8])]
    let index: [String: Int]
    private var values: [Int: JSONValue] = [:]
    private var whole: JSONObject?

    init(_ members: [(name: String, canonical: [UInt8])]) {
        self.members = members
        var index: [String: Int] = [:]
        for (i, m) in members.enumerated() { index[m.name] = i }
        self.index = index
    }

    func value(_ name: String) -> JSONValue? {
        guard let i = index[name] else { return nil }
        if let v = values[i] { return v }
        let v = try! JSONParser.parse(members[i].canonical)
        values[i] = v
        return v
    }

    var all: JSONObject {
        if let whole { return whole }
        let o = JSONObject(sortedUnique: members.map { JSONMember($0.name, value($0.name)!) })
        whole = o
        return o
    }
}
