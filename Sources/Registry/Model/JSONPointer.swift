/// A JSON Pointer (RFC 6901): a path of reference tokens, "" for the whole document.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var tokens: [String]

    public init(_ tokens: [String] = []) { self.tokens = tokens }

    /// Parses "/a/b~1c" (RFC 6901 §3: "~1" is "/", "~0" is "~"); nil when it does not start with "/".
    public init?(parsing text: String) {
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else { return nil }
        tokens = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    public static let root = JSONPointer()

    public func appending(_ token: String) -> JSONPointer { JSONPointer(tokens + [token]) }
    public func appending(_ index: Int) -> JSONPointer { JSONPointer(tokens + [String(index)]) }
    public var parent: JSONPointer { JSONPointer(Array(tokens.dropLast())) }
    public var last: String? { tokens.last }

    public var description: String {
        var out = ""
        for token in tokens {
            out += "/"
            // RFC 6901 §3: "~" is written "~0" and "/" is written "~1" (fast path: neither occurs).
            if token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) {
                for c in token.unicodeScalars {
                    switch c {
                    case "~": out += "~0"
                    case "/": out += "~1"
                    default: out.unicodeScalars.append(c)
                    }
                }
            } else {
                out += token
            }
        }
        return out
    }

    /// The pointer shown to people: "/" for the whole document.
    public var display: String { tokens.isEmpty ? "/" : description }

    public static func < (a: JSONPointer, b: JSONPointer) -> Bool {
        for (x, y) in zip(a.tokens, b.tokens) where x != y {
            if let i = Int(x), let j = Int(y) { return i < j }
            return codePointLess(x, y)
        }
        return a.tokens.count < b.tokens.count
    }

    /// True when `self` equals `other` or lies below it.
    public func hasPrefix(_ other: JSONPointer) -> Bool {
        tokens.count >= other.tokens.count && Array(tokens.prefix(other.tokens.count)) == other.tokens
    }
}
