import Foundation

/// A JSON value as fnreg reads and writes it: objects keep their members sorted by key
/// (by Unicode code point, i.e. UTF-8 byte order), numbers are IEEE doubles as in RFC 8785.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The object, nil for any other value.
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    /// The array, nil for any other value.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    /// The string, nil for any other value.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The number, nil for any other value.
    public var numberValue: Double? { if case .number(let n) = self { return n } else { return nil } }
    /// The boolean, nil for any other value.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// Whether the value is `null`.
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The member `key` of an object, nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The JSON type's name as error messages use it ("an object", "a string", ...).
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? "an integer" : "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value at a JSON Pointer (RFC 6901), or nil.
    public func value(at pointer: JSONPointer) -> JSONValue? {
        var current = self
        for token in pointer.tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { return nil }
                current = next
            case .array(let a):
                guard let index = Int(token), index >= 0, index < a.count, String(index) == token else { return nil }
                current = a[index]
            default: return nil
            }
        }
        return current
    }
}

extension JSONValue {
    /// Text is bytes: two strings are equal exactly when their UTF-8 bytes are (never under
    /// Unicode canonical equivalence, as Swift's `==` on `String` would have it).
    public static func == (l: JSONValue, r: JSONValue) -> Bool {
        switch (l, r) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return bytesEqual(a, b)
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .number(let n): hasher.combine(2); hasher.combine(n)
        case .string(let s): hasher.combine(3); var s = s; s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        case .array(let a): hasher.combine(4); hasher.combine(a)
        case .object(let o): hasher.combine(5); hasher.combine(o)
        }
    }
}

/// Whether two strings have the same UTF-8 bytes.
@inline(__always)
public func bytesEqual(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
}

/// One member of a JSON object.
public struct JSONMember: Hashable, Sendable {
    /// The member's name.
    public var key: String
    /// The member's value.
    public var value: JSONValue
    /// The member `key`: `value`.
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }

    public static func == (l: JSONMember, r: JSONMember) -> Bool { bytesEqual(l.key, r.key) && l.value == r.value }

    public func hash(into hasher: inout Hasher) {
        var k = key
        k.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(value)
    }
}

/// RFC 8785's order of object keys: by their UTF-16 code units, computed on UTF-8 bytes. It is
/// UTF-8 byte order except that characters beyond U+FFFF (lead bytes F0-F4, surrogate pairs in
/// UTF-16) sort before U+E000-U+FFFF (lead bytes EE-EF). The bytes differ first at a character
/// boundary or inside characters of the same lead byte, where byte order is code-unit order.
@inline(__always)
func canonicalKeyOrder(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int {
    let n = Swift.min(a.count, b.count)
    var i = 0
    while i < n {
        let x = a[i], y = b[i]
        if x != y {
            if x >= 0xF0 && (y == 0xEE || y == 0xEF) { return -1 }
            if y >= 0xF0 && (x == 0xEE || x == 0xEF) { return 1 }
            return x < y ? -1 : 1
        }
        i += 1
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// True when `a` sorts before `b` as RFC 8785 orders object keys (UTF-16 code units).
public func keyLess(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in canonicalKeyOrder(x, y) < 0 } }
}

/// True when `a` sorts before `b` by UTF-8 bytes (names and paths in output, the spec's other sorted lists).
@inline(__always)
public func codePointLess(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            let n = min(x.count, y.count)
            let c = n == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, n)
            return c < 0 || (c == 0 && x.count < y.count)
        }
    }
}

/// A JSON object whose members are kept sorted by key, unique by key.
public struct JSONObject: Hashable, Sendable, Sequence {
    /// The members, sorted by key in RFC 8785 order, unique by key.
    public private(set) var members: [JSONMember]

    /// The empty object.
    public init() { members = [] }

    /// Builds an object from members in any order; a later duplicate key wins.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        for (k, v) in pairs { self[k] = v }
    }

    /// Builds from members already sorted and unique (the parser's output).
    init(sortedUnique: [JSONMember]) { members = sortedUnique }

    /// How many members the object has.
    public var count: Int { members.count }
    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }
    /// The member names, in key order.
    public var keys: [String] { members.map(\.key) }
    public func makeIterator() -> IndexingIterator<[JSONMember]> { members.makeIterator() }

    /// Binary search in RFC 8785 key order (keys are equal when their bytes are, not under Unicode
    /// canonical equivalence as Swift's `==` would have it).
    private func index(of key: String) -> (found: Bool, index: Int) {
        var key = key
        return key.withUTF8 { k in
            var low = 0, high = members.count
            while low < high {
                let mid = (low + high) / 2
                var m = members[mid].key
                let order = m.withUTF8 { x -> Int in canonicalKeyOrder(x, k) }
                if order == 0 { return (true, mid) }
                if order < 0 { low = mid + 1 } else { high = mid }
            }
            return (false, low)
        }
    }

    /// The value of member `key` (nil: absent); setting nil removes the member.
    public subscript(key: String) -> JSONValue? {
        get {
            let (found, i) = index(of: key)
            if found { return members[i].value }
            return nil
        }
        set {
            let (found, i) = index(of: key)
            switch (found, newValue) {
            case (true, .some(let v)): members[i].value = v
            case (true, .none): members.remove(at: i)
            case (false, .some(let v)): members.insert(JSONMember(key, v), at: i)
            case (false, .none): break
            }
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
}
