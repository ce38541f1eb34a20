/// A JSON Pointer (RFC 6901): a path of reference tokens, "" for the whole document.
public struct JSONPointer: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The reference tokens, decoded.
    public var tokens: [String]

    /// The pointer made of these (decoded) tokens.
    public init(_ tokens: [String] = []) { self.tokens = tokens }

    /// Parses "/a/b~1c" (RFC 6901 §3: "~1" is "/", "~0" is "~"); nil when it does not start with "/".
    public init?(parsing text: String) {
        // Unicode scalars, not Characters: a "/" followed by a combining mark is still a separator
        // (found by fuzzing: Character-based splitting glued "/" + U+0484 into one token).
        let scalars = Array(text.unicodeScalars)
        if scalars.isEmpty { tokens = []; return }
        guard scalars[0] == "/" else { return nil }
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        var i = 1
        while i < scalars.count {
            let c = scalars[i]
            if c == "/" {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            } else if c == "~", i + 1 < scalars.count, scalars[i + 1] == "0" || scalars[i + 1] == "1" {
                // RFC 6901 §4: "~1" is "/", "~0" is "~" (decoded in one pass, so "~01" is "~1").
                current.append(scalars[i + 1] == "0" ? "~" : "/")
                i += 1
            } else {
                current.append(c)
            }
            i += 1
        }
        tokens.append(String(current))
        self.tokens = tokens
    }

    /// The whole document ("").
    public static let root = JSONPointer()

    /// This pointer followed by a member name.
    public func appending(_ token: String) -> JSONPointer { JSONPointer(tokens + [token]) }
    /// This pointer followed by an array index.
    public func appending(_ index: Int) -> JSONPointer { JSONPointer(tokens + [String(index)]) }
    /// The pointer without its last token (the root's parent is the root).
    public var parent: JSONPointer { JSONPointer(Array(tokens.dropLast())) }
    /// The last token, nil for the root.
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
