/// What can change between revisions (one row of `keys`).
public struct StateKey: Hashable, Sendable, Comparable {
    /// What a stored document is: a base, a function's directory or code hash, an environment's existence or patch, an override.
    public enum Kind: String, Sendable, CaseIterable {
        /// A function's `function.json`, by function name.
        case base
        /// A function's directory, relative to the repository root.
        case path
        /// A function's `code_hash`.
        case code
        /// An environment's existence (`true`).
        case environment
        /// An environment's `environment.json`.
        case envpatch
        /// `overrides/<function>.json` of an environment.
        case override
    }

    /// Which kind of key.
    public var kind: Kind
    /// The environment ("" for function-level keys).
    public var environment: String
    /// The function ("" for environment-level keys).
    public var function: String

    /// A key.
    public init(_ kind: Kind, environment: String = "", function: String = "") {
        self.kind = kind
        self.environment = environment
        self.function = function
    }

    public static func < (a: StateKey, b: StateKey) -> Bool {
        (a.kind.rawValue, a.environment, a.function) < (b.kind.rawValue, b.environment, b.function)
    }
}

/// A SHA-256 digest as four words: cheap to hash and compare.
public struct DocumentHash: Hashable, Sendable, CustomStringConvertible {
    /// The 256 bits of the hash, as four words.
    public let a, b, c, d: UInt64

    /// The hash with these 32 bytes.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32)
        func word(_ i: Int) -> UInt64 { bytes[i..<i + 8].reduce(0) { $0 << 8 | UInt64($1) } }
        a = word(0); b = word(8); c = word(16); d = word(24)
    }

    /// The 32 bytes.
    public var bytes: [UInt8] {
        [a, b, c, d].flatMap { w in (0..<8).reversed().map { UInt8(truncatingIfNeeded: w >> (UInt64($0) * 8)) } }
    }

    public var description: String { "sha256:" + hex(bytes) }
}

/// A stored (or to-be-stored) document: canonical JSON text and its hash.
public struct Document: Sendable {
    /// The SHA-256 of `body`: the document's address.
    public let hash: DocumentHash
    /// The document's canonical JSON (RFC 8785).
    public let body: String

    /// The document whose canonical JSON is `body`.
    public init(canonical body: String) {
        self.body = body
        self.hash = DocumentHash(SHA256Hasher.hash(Array(body.utf8)))
    }

    /// The document of `value` (written canonically).
    public init(_ value: JSONValue) { self.init(canonical: JSONWriter.canonical(value)) }

    /// A stored document, whose hash the database already holds.
    init(hash: DocumentHash, canonical body: String) {
        self.hash = hash
        self.body = body
    }

    /// The document parsed.
    public func value() throws -> JSONValue { try JSONParser.parse(body) }
}
