import Foundation

/// The effective configurations of one environment at one revision (SPEC §4), held as canonical JSON
/// per function and parsed only when a caller asks for values.
public struct Snapshot: Sendable {
    /// The environment.
    public let environment: String
    /// The revision (a preview for the work tree).
    public let revision: Revision
    /// Function name -> canonical JSON of its effective configuration (with `code_hash`), sorted by name.
    public let canonicalMembers: [(name: String, canonical: [UInt8])]
    /// `sha256:` + SHA-256 of the canonical JSON of `functions` (SPEC §4).
    public let hash: String
    private let parsed: ParsedFunctions

    init(environment: String, revision: Revision, canonicalMembers: [(name: String, canonical: [UInt8])]) {
        self.environment = environment
        self.revision = revision
        self.canonicalMembers = canonicalMembers
        // The hash is computed over the pieces: the whole text is only built when someone asks for it.
        var hasher = SHA256Hasher()
        Self.canonicalFunctionPieces(canonicalMembers) { hasher.update($0) }
        hash = "sha256:" + hex(hasher.finalize())
        parsed = ParsedFunctions(canonicalMembers)
    }

    /// The canonical JSON of `functions`, piece by piece: `{`, then `"name":` and each member's text
    /// with commas between, then `}`.
    static func canonicalFunctionPieces(_ members: [(name: String, canonical: [UInt8])],
                                                _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var key = JSONWriter(capacity: 64)
        let open: [UInt8] = [UInt8(ascii: "{")], close: [UInt8] = [UInt8(ascii: "}")]
        try open.withUnsafeBufferPointer(body)
        for (i, m) in members.enumerated() {
            key = JSONWriter(capacity: 64)
            if i > 0 { key.append(UInt8(ascii: ",")) }
            key.writeString(m.name)
            key.append(UInt8(ascii: ":"))
            try key.bytes.withUnsafeBufferPointer(body)
            try m.canonical.withUnsafeBufferPointer(body)
        }
        try close.withUnsafeBufferPointer(body)
    }

    /// The canonical JSON of the `functions` object (the hash and every export derive from it).
    public var canonicalFunctions: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(canonicalMembers.reduce(2) { $0 + $1.canonical.count + $1.name.utf8.count + 4 })
        Self.canonicalFunctionPieces(canonicalMembers) { out.append(contentsOf: $0) }
        return out
    }

    /// The snapshot of `functions` (effective configurations by name) in `environment` at `revision`.
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

    /// The functions, by name in code point order.
    public var functionNames: [String] { canonicalMembers.map(\.name) }

    /// One function's effective configuration; an unknown name is an error listing the closest.
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
