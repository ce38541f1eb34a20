/// The digest of a revision's whole state: the XOR of SHA-256(`kind NUL environment NUL function NUL
/// document hash`) over every present key. XOR makes it follow a revision's changes alone (remove a
/// key's old term, add its new one), so it costs nothing per unchanged key; `doctor` recomputes it
/// by replaying the versions and names any revision whose stored state no longer gives it.
struct StateDigest: Equatable {
    private(set) var bytes = [UInt8](repeating: 0, count: 32)

    static func term(_ key: StateKey, _ hash: DocumentHash) -> [UInt8] {
        var hasher = SHA256Hasher()
        hasher.update(key.kind.rawValue)
        hasher.update([0])
        hasher.update(key.environment)
        hasher.update([0])
        hasher.update(key.function)
        hasher.update([0])
        hasher.update(hash.bytes)
        return hasher.finalize()
    }

    /// Adds or removes (the same operation) one key's term.
    mutating func toggle(_ key: StateKey, _ hash: DocumentHash) {
        let t = Self.term(key, hash)
        for i in 0..<32 { bytes[i] ^= t[i] }
    }

    /// The digest after `key` changed from `old` to `new` (nil: absent).
    mutating func change(_ key: StateKey, from old: DocumentHash?, to new: DocumentHash?) {
        if let old { toggle(key, old) }
        if let new { toggle(key, new) }
    }

    var hexString: String { hex(bytes) }

    init() {}

    init(_ state: [StateKey: DocumentHash]) {
        for (key, hash) in state { toggle(key, hash) }
    }
}
