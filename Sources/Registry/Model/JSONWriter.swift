/// Writes JSON text: canonical (RFC 8785 style: sorted keys, no whitespace, shortest numbers)
/// or pretty (two-space indentation, sorted keys, the same number and string forms).
public struct JSONWriter {
    /// What has been written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    /// The canonical JSON of `value` as a string.
    public static func canonical(_ value: JSONValue) -> String {
        var w = JSONWriter()
        w.writeCanonical(value)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The canonical JSON of `value` as UTF-8 bytes.
    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var w = JSONWriter()
        w.writeCanonical(value)
        return w.bytes
    }

    /// Pretty JSON (indent 2, sorted keys) followed by a newline.
    public static func pretty(_ value: JSONValue) -> String {
        var w = JSONWriter()
        w.writePretty(value, indent: 0)
        w.bytes.append(0x0A)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Appends `s`'s UTF-8 bytes as they are (no escaping).
    public mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// Re-indents canonical JSON into the pretty form (`pretty(_:)`'s exact bytes) without parsing it.
    public static func prettyFromCanonical(_ canonical: [UInt8]) -> [UInt8] {
        var printer = PrettyPrinter(capacity: canonical.count * 2)
        canonical.withUnsafeBufferPointer { printer.feed($0) }
        printer.finish()
        return printer.output
    }

    /// The canonical object `object` with the member `key: value` (canonical text) added in key order
    /// (or replacing a member of that key): how `format_version` joins a streamed document.
    public static func addingMember(_ key: String, _ value: String, toCanonicalObject object: [UInt8]) -> [UInt8] {
        var quoted = JSONWriter(capacity: key.utf8.count + 2)
        quoted.writeString(key)
        let member = quoted.bytes + [UInt8(ascii: ":")] + Array(value.utf8)
        guard let members = CanonicalSplice.memberRanges(object) else { return object }
        let keyBytes = Array(key.utf8)
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(object.count + member.count + 1)
        var placed = false
        for m in members {
            let order = object.withUnsafeBufferPointer { b in keyBytes.withUnsafeBufferPointer { canonicalKeyOrder(UnsafeBufferPointer(rebasing: b[m.key]), $0) } }
            if order == 0 { continue }
            if order > 0 && !placed {
                if out.count > 1 { out.append(UInt8(ascii: ",")) }
                out += member
                placed = true
            }
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += object[(m.key.lowerBound - 1)..<m.value.upperBound]
        }
        if !placed {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += member
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Appends one byte.
    public mutating func append(_ b: UInt8) { bytes.append(b) }
    /// Appends bytes as they are.
    public mutating func append(contentsOf other: [UInt8]) { bytes.append(contentsOf: other) }
    /// Appends bytes as they are.
    public mutating func append(contentsOf other: ArraySlice<UInt8>) { bytes.append(contentsOf: other) }
    /// Appends bytes as they are.
    public mutating func append(contentsOf other: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: other) }

    /// Appends `value` as canonical JSON (RFC 8785: sorted keys, shortest numbers, minimal escapes).
    public mutating func writeCanonical(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .number(let n): append(JSONNumber.format(n))
        case .string(let s): writeString(s)
        case .array(let a):
            bytes.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                writeCanonical(e)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let o):
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for m in o {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                writeString(m.key)
                bytes.append(UInt8(ascii: ":"))
                writeCanonical(m.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func newline(_ indent: Int) {
        bytes.append(0x0A)
        bytes.append(contentsOf: repeatElement(0x20, count: indent))
    }

    /// Appends `value` pretty-printed (two spaces per level, sorted keys), starting at `indent` levels.
    public mutating func writePretty(_ value: JSONValue, indent: Int) {
        switch value {
        case .array(let a) where !a.isEmpty:
            bytes.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                newline(indent + 2)
                writePretty(e, indent: indent + 2)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            bytes.append(UInt8(ascii: "{"))
            var first = true
            for m in o {
                if !first { bytes.append(UInt8(ascii: ",")) }
                first = false
                newline(indent + 2)
                writeString(m.key)
                append(": ")
                writePretty(m.value, indent: indent + 2)
            }
            newline(indent)
            bytes.append(UInt8(ascii: "}"))
        default:
            writeCanonical(value)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// RFC 8785 §3.2.2.2: escape '"', '\\' and control characters; everything else as UTF-8.
    public mutating func writeString(_ s: String) {
        var s = s
        // Fast path: nothing to escape, copy the UTF-8 in one go.
        let plain = s.withUTF8 { buffer -> Bool in
            for b in buffer where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: buffer)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if plain { return }
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x08: append("\\b")
            case 0x09: append("\\t")
            case 0x0A: append("\\n")
            case 0x0C: append("\\f")
            case 0x0D: append("\\r")
            case 0..<0x20:
                append("\\u00")
                bytes.append(JSONWriter.hexDigits[Int(b >> 4)])
                bytes.append(JSONWriter.hexDigits[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// Number formatting of ECMAScript's Number.prototype.toString, which RFC 8785 §3.2.2.3 requires.
public enum JSONNumber {
    /// A number as RFC 8785 writes it (ECMAScript's shortest round-trip form).
    public static func format(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value < 0 { return "-" + format(-value) }
        if value < 1e15, value == value.rounded(.towardZero) { return String(Int64(value)) }
        // Swift's description is the shortest round-trip form; re-spell it the ECMAScript way.
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var digits = ""
        var pointPosition = 0
        var seenPoint = false
        for c in mantissa {
            if c == "." { seenPoint = true; continue }
            digits.append(c)
            if !seenPoint { pointPosition += 1 }
        }
        pointPosition += exponent
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); pointPosition -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let k = digits.count
        let n = pointPosition
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let e = n - 1
        let sign = e >= 0 ? "+" : "-"
        let head = String(digits.prefix(1))
        let tail = k > 1 ? "." + String(digits.dropFirst()) : ""
        return head + tail + "e" + sign + String(abs(e))
    }
}

/// Re-indents canonical JSON into the pretty form as it arrives, in pieces split anywhere: export
/// streams a multi-megabyte snapshot through it in 64 KiB writes instead of building it whole.
public struct PrettyPrinter {
    /// Printed bytes not yet drained.
    public private(set) var output: [UInt8] = []
    private var indent = 0
    private var inString = false
    private var escaped = false       // the previous piece ended on a backslash inside a string
    private var pendingOpen: UInt8?   // `{` or `[` whose next byte decides between `{}` and a new line
    private static let spaces = [UInt8](repeating: 0x20, count: 256)

    /// A printer with room for `capacity` bytes of output.
    public init(capacity: Int = 1 << 17) { output.reserveCapacity(capacity) }

    /// Feeds canonical JSON bytes (in pieces of any size).
    public mutating func feed(_ b: UnsafeBufferPointer<UInt8>) {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var i = 0
        let n = b.count
        while i < n {
            if inString {
                // Copy the run up to the next quote or backslash in one go (most bytes are string contents).
                var j = escaped ? i + 1 : i
                escaped = false
                while j < n && b[j] != quote && b[j] != backslash { j += 1 }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j]))
                if j == n { return }
                output.append(b[j])
                if b[j] == backslash {
                    if j + 1 < n { output.append(b[j + 1]); i = j + 2 } else { escaped = true; i = j + 1 }
                } else {
                    inString = false
                    i = j + 1
                }
                continue
            }
            let c = b[i]
            if let open = pendingOpen {
                pendingOpen = nil
                let close = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                output.append(open)
                if c == close { output.append(close); i += 1; continue }
                indent += 2
                newline()
            }
            switch c {
            case quote:
                inString = true
                output.append(c)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                pendingOpen = c
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                indent -= 2
                newline()
                output.append(c)
            case UInt8(ascii: ","):
                output.append(c)
                newline()
            case UInt8(ascii: ":"):
                output.append(c)
                output.append(0x20)
            default:
                output.append(c)
            }
            i += 1
        }
    }

    /// Feeds canonical JSON bytes.
    public mutating func feed(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { feed($0) } }

    /// Ends the document (a final newline).
    public mutating func finish() {
        if let open = pendingOpen { output.append(open); pendingOpen = nil }
        output.append(0x0A)
    }

    /// Passes what is printed so far to `sink` and empties the buffer (keeping its capacity).
    public mutating func drain(_ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try output.withUnsafeBufferPointer { try sink($0) }
        output.removeAll(keepingCapacity: true)
    }

    private mutating func newline() {
        output.append(0x0A)
        var left = indent
        while left > 0 {
            let k = min(left, Self.spaces.count)
            output.append(contentsOf: Self.spaces[0..<k])
            left -= k
        }
    }
}
