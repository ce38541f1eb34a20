import Foundation

/// A path inside a configuration repository, relative to its root, as the bytes git and the file
/// system give (never normalised: two names that differ only in Unicode normalisation are two
/// paths, and a name that is not UTF-8 keeps its bytes). Compared and sorted by bytes.
public struct RepoPath: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes, as git stores them.
    public let bytes: [UInt8]

    /// The path with these bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }
    /// The path with these bytes.
    public init<S: Sequence>(bytes: S) where S.Element == UInt8 { self.bytes = Array(bytes) }
    /// The path spelled `string` (its UTF-8).
    public init(_ string: String) { bytes = Array(string.utf8) }
    public init(stringLiteral value: String) { self.init(value) }

    /// The repository's top level.
    public static let root = RepoPath(bytes: [])

    /// Whether this is the top level.
    public var isEmpty: Bool { bytes.isEmpty }

    /// True when the bytes are valid UTF-8 (git and POSIX allow any bytes but `/` and NUL).
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The path as text: exact for UTF-8; other bytes are shown as `\xNN` (for messages only).
    public var description: String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var out = ""
        var i = 0
        while i < bytes.count {
            let length = RepoPath.utf8SequenceLength(bytes, at: i)
            if length > 0, let s = String(validating: bytes[i..<(i + length)], as: UTF8.self) {
                out += s
                i += length
            } else {
                out += String(format: "\\x%02X", bytes[i])
                i += 1
            }
        }
        return out
    }

    /// The length of a well-formed UTF-8 sequence starting at `i`, or 0.
    static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let n: Int
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: n = 2
        case 0xE0...0xEF: n = 3
        case 0xF0...0xF4: n = 4
        default: return 0
        }
        guard i + n <= b.count else { return 0 }
        for j in (i + 1)..<(i + n) where b[j] & 0xC0 != 0x80 { return 0 }
        return n
    }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: RepoPath, b: RepoPath) -> Bool { a.bytes == b.bytes }

    public static func < (a: RepoPath, b: RepoPath) -> Bool {
        a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                let n = Swift.min(x.count, y.count)
                let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
                return c < 0 || (c == 0 && x.count < y.count)
            }
        }
    }

    /// Whether the bytes begin with `p`'s (not only at a component boundary).
    public func hasPrefix(_ p: RepoPath) -> Bool { bytes.count >= p.bytes.count && bytes.starts(with: p.bytes) }

    /// True when `self` is `directory` or lies below it.
    public func isWithin(_ directory: RepoPath) -> Bool {
        if directory.isEmpty { return true }
        guard hasPrefix(directory) else { return false }
        return bytes.count == directory.bytes.count || bytes[directory.bytes.count] == UInt8(ascii: "/")
    }

    /// The path below `directory` (which it must be within), without the separating `/`.
    public func relative(to directory: RepoPath) -> RepoPath {
        if directory.isEmpty { return self }
        if bytes.count == directory.bytes.count { return .root }
        return RepoPath(bytes: bytes[(directory.bytes.count + 1)...])
    }

    /// This path followed by `component` (a `/` between them).
    public func appending(_ component: RepoPath) -> RepoPath {
        if isEmpty { return component }
        if component.isEmpty { return self }
        return RepoPath(bytes: bytes + [UInt8(ascii: "/")] + component.bytes)
    }

    /// This path followed by `component` (a `/` between them).
    public func appending(_ component: String) -> RepoPath { appending(RepoPath(component)) }

    /// The path without its last component (root for a single component).
    public var parent: RepoPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return .root }
        return RepoPath(bytes: bytes[..<slash])
    }

    /// The last component.
    public var name: RepoPath {
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return self }
        return RepoPath(bytes: bytes[(slash + 1)...])
    }

    /// Whether a component is empty, "." or "..": no file system path, only a crafted git tree.
    public var hasDotComponent: Bool {
        var start = 0
        for i in 0...bytes.count {
            if i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                let n = i - start
                if n == 0 || (n == 1 && bytes[start] == UInt8(ascii: ".")) || (n == 2 && bytes[start] == UInt8(ascii: ".") && bytes[start + 1] == UInt8(ascii: ".")) {
                    return true
                }
                start = i + 1
            }
        }
        return false
    }

    /// The components, split on `/` bytes (empty components kept).
    public var components: [RepoPath] {
        bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { RepoPath(bytes: $0) }
    }

    /// Every proper ancestor directory, nearest first (not including the root).
    public var ancestors: [RepoPath] {
        var out: [RepoPath] = []
        var i = bytes.count - 1
        while i > 0 {
            if bytes[i] == UInt8(ascii: "/") { out.append(RepoPath(bytes: bytes[..<i])) }
            i -= 1
        }
        return out
    }

    /// The bytes as a C string for file-system calls, relative to `root`.
    func absolute(in root: String) -> [CChar] {
        var out = Array(root.utf8).map { CChar(bitPattern: $0) }
        if !bytes.isEmpty {
            out.append(CChar(bitPattern: UInt8(ascii: "/")))
            out += bytes.map { CChar(bitPattern: $0) }
        }
        out.append(0)
        return out
    }
}
