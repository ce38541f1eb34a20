import Foundation

/// Why a document is not acceptable JSON, with the 1-based line and column where it went wrong.
public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String
    /// The byte offset of the error.
    public let offset: Int
    /// Its line (1-based).
    public let line: Int
    /// Its column (1-based, in bytes).
    public let column: Int
    public var description: String { "\(message) at line \(line), column \(column)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes: no comments, no trailing commas, no duplicate keys,
/// valid UTF-8 only, a bounded nesting depth (no stack overflow on hostile input), finite numbers.
public struct JSONParser {
    /// Deepest nesting accepted; deeper documents are rejected before recursion can overflow.
    public static let maximumDepth = 256

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// When non-nil, records the byte offset of every value by JSON Pointer (used only to locate diagnostics).
    private var positions: [String: Int]?
    private var path: [String] = []

    private init(bytes: UnsafeBufferPointer<UInt8>, trackPositions: Bool) {
        self.bytes = bytes
        self.positions = trackPositions ? [:] : nil
    }

    /// Parses one JSON document.
    public static func parse<B: ContiguousBytes>(_ data: B) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self), trackPositions: false)
            return try parser.parseDocument()
        }
    }

    /// Parses `text` as one JSON value (RFC 8259, strictly: no comments, no trailing commas).
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// The 1-based line and column of the value at `pointer` in `data`, if it parses and the value exists.
    public static func location<B: ContiguousBytes>(of pointer: JSONPointer, in data: B) -> (line: Int, column: Int)? {
        data.withUnsafeBytes { raw -> (Int, Int)? in
            let buffer = raw.bindMemory(to: UInt8.self)
            var parser = JSONParser(bytes: buffer, trackPositions: true)
            guard (try? parser.parseDocument()) != nil else { return nil }
            var p = pointer
            while true {
                if let offset = parser.positions?[p.description] { return lineColumn(buffer, offset) }
                if p.tokens.isEmpty { return nil }
                p = p.parent
            }
        }
    }

    static func lineColumn(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> (Int, Int) {
        var line = 1, lineStart = 0
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; lineStart = i + 1 }
            i += 1
        }
        // Columns count characters (UTF-8 lead bytes), not bytes.
        var column = 1
        var j = lineStart
        while j < end {
            if bytes[j] & 0xC0 != 0x80 { column += 1 }
            j += 1
        }
        return (line, column)
    }

    private func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let at = offset ?? index
        let (line, column) = JSONParser.lineColumn(bytes, at)
        return JSONSyntaxError(message: message, offset: at, line: line, column: column)
    }

    private mutating func parseDocument() throws -> JSONValue {
        // Tolerate a UTF-8 byte order mark, as many editors write one.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count else { throw fail("the document is empty; expected a JSON value") }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected \(describeByte(at: index)) after the JSON value") }
        return value
    }

    private func describeByte(at i: Int) -> String {
        guard i < bytes.count else { return "end of file" }
        let b = bytes[i]
        if b == 0 { return "NUL byte" }
        if b >= 0x20 && b < 0x7f { return "'\(Character(Unicode.Scalar(b)))'" }
        return String(format: "byte 0x%02X", b)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        if positions != nil { positions![JSONPointer(path).description] = index }
        guard index < bytes.count else { throw fail("unexpected end of file; expected a JSON value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected \(describeByte(at: index)); expected a JSON value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        guard index + count <= bytes.count else { throw fail("unexpected end of file; expected \(literal)") }
        for k in 0..<count where bytes[index + k] != start[k] {
            throw fail("invalid literal; expected \(literal)")
        }
        index += count
    }

    private mutating func enter() throws {
        depth += 1
        if depth > JSONParser.maximumDepth {
            throw fail("nesting deeper than \(JSONParser.maximumDepth) levels is not accepted")
        }
    }

    private mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [JSONMember] = []
        var sorted = true
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(JSONObject())
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw fail("unexpected \(describeByte(at: index)); expected a quoted member name")
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw fail("unexpected \(describeByte(at: index)); expected ':' after member name")
            }
            index += 1
            skipWhitespace()
            if positions != nil { path.append(key) }
            let value = try parseValue()
            if positions != nil { path.removeLast() }
            if let last = members.last, sorted, !keyLess(last.key, key) { sorted = false }
            if !sorted, members.contains(where: { bytesEqual($0.key, key) }) {
                throw fail("duplicate member name \"\(key)\" in one object", at: keyOffset)
            }
            members.append(JSONMember(key, value))
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of file; expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; break }
            throw fail("unexpected \(describeByte(at: index)); expected ',' or '}'")
        }
        if !sorted {
            members.sort { keyLess($0.key, $1.key) }
            for i in 1..<members.count where bytesEqual(members[i - 1].key, members[i].key) {
                throw fail("duplicate member name \"\(members[i].key)\" in one object")
            }
        }
        return .object(JSONObject(sortedUnique: members))
    }

    private mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array([])
        }
        while true {
            skipWhitespace()
            if positions != nil { path.append(String(elements.count)) }
            elements.append(try parseValue())
            if positions != nil { path.removeLast() }
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of file; expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; break }
            throw fail("unexpected \(describeByte(at: index)); expected ',' or ']'")
        }
        return .array(elements)
    }

    private mutating func parseString() throws -> String {
        let start = index
        index += 1
        // Fast path: no escapes, ASCII only.
        var i = index
        var plain = true
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") || b >= 0x80 || b < 0x20 { plain = false; break }
            i += 1
        }
        if plain {
            guard i < bytes.count else { throw fail("unterminated string", at: start) }
            let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<i]), as: UTF8.self)
            index = i + 1
            return s
        }
        var out: [UInt8] = []
        out.reserveCapacity(i - index + 16)
        out.append(contentsOf: bytes[index..<i])
        index = i
        var hasNonASCII = false
        while true {
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                if hasNonASCII {
                    guard let s = String(validating: out, as: UTF8.self) else {
                        throw fail("invalid UTF-8 in string", at: start)
                    }
                    return s
                }
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw fail("unterminated string", at: start) }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired UTF-16 surrogate in \\u escape")
                        }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired UTF-16 surrogate in \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("unpaired UTF-16 surrogate in \\u escape")
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string", at: index - 2)
                }
            default:
                if b < 0x20 { throw fail(b == 0 ? "NUL byte inside a string" : "unescaped control character in string") }
                if b >= 0x80 { hasNonASCII = true }
                out.append(b)
                index += 1
            }
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            var n = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1; n += 1 }
            return n
        }
        guard index < bytes.count else { throw fail("invalid number", at: start) }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                throw fail("invalid number: leading zeros are not allowed", at: start)
            }
        } else if digits() == 0 {
            throw fail("invalid number", at: start)
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            integral = false
            if digits() == 0 { throw fail("invalid number: digits expected after '.'", at: start) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            integral = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            if digits() == 0 { throw fail("invalid number: digits expected in exponent", at: start) }
        }
        let length = index - start
        // Small integers: no allocation.
        if integral && length <= 15 {
            var value: Int64 = 0
            var k = start
            let negative = bytes[k] == UInt8(ascii: "-")
            if negative { k += 1 }
            while k < index { value = value * 10 + Int64(bytes[k] - 0x30); k += 1 }
            return Double(negative ? -value : value)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw fail("number \(text.prefix(40)) is out of range", at: start)
        }
        return value
    }
}
