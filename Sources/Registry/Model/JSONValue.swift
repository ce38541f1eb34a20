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

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var numberValue: Double? { if case .number(let n) = self { return n } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
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

/// One member of a JSON object.
public struct JSONMember: Hashable, Sendable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) { self.key = key; self.value = value }
}

/// True when `a` sorts before `b` by code point (UTF-8 byte order), as RFC 8785 and the spec ask.
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
    public private(set) var members: [JSONMember]

    public init() { members = [] }

    /// Builds an object from members in any order; a later duplicate key wins.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        for (k, v) in pairs { self[k] = v }
    }

    /// Builds from members already sorted and unique (the parser's output).
    init(sortedUnique: [JSONMember]) { members = sortedUnique }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }
    public func makeIterator() -> IndexingIterator<[JSONMember]> { members.makeIterator() }

    /// Binary search by code point (one byte comparison per step: keys are equal when their code
    /// points are, not under Unicode canonical equivalence as Swift's `==` would have it).
    private func index(of key: String) -> (found: Bool, index: Int) {
        var key = key
        return key.withUTF8 { k in
            var low = 0, high = members.count
            while low < high {
                let mid = (low + high) / 2
                var m = members[mid].key
                let order = m.withUTF8 { x -> Int in
                    let n = Swift.min(x.count, k.count)
                    let c = n == 0 ? 0 : Int(memcmp(x.baseAddress!, k.baseAddress!, n))
                    return c != 0 ? c : x.count - k.count
                }
                if order == 0 { return (true, mid) }
                if order < 0 { low = mid + 1 } else { high = mid }
            }
            return (false, low)
        }
    }

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
