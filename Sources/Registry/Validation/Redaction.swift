/// How every diagnostic shows a value taken from a configuration. A finding must never repeat a
/// credential: a value the secret scanner flags, or any value long and random enough to be one, is
/// shown only by its length; anything else is quoted, with control characters escaped and cut to a
/// short length. Every rule's message goes through `quoted` (text, JSON and SARIF alike print the
/// same message).
public enum Redaction {
    /// Values shown at most this many characters long (longer ones are cut with "…").
    public static let shownLength = 48
    /// A run of this many token characters (letters, digits, `+/=_-`) that does not read as words
    /// may be a credential of an unknown format, whatever its field.
    static let randomRunLength = 20

    /// `"python3.x"`, or `a hidden value (41 bytes)` when the value may be a credential. `name` is
    /// the variable's or member's name when the value has one (it can make a literal a credential).
    public static func quoted(_ value: String, name: String? = nil) -> String {
        if mayBeSecret(value, name: name) { return "a hidden value (\(value.utf8.count) bytes)" }
        var shown = ""
        var count = 0
        for c in value.unicodeScalars {
            if count == shownLength { shown += "…"; break }
            count += 1
            if c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
                || (0x202A...0x202E).contains(c.value) || (0x2066...0x2069).contains(c.value) {
                shown += c.value <= 0xFF ? "\\u00" + hexByte(UInt8(c.value)) : "\\u" + String(c.value, radix: 16)
            } else if c == "\"" || c == "\\" {
                shown += "\\" + String(c)
            } else {
                shown.unicodeScalars.append(c)
            }
        }
        return "\"" + shown + "\""
    }

    /// Whether a diagnostic must not show `value`.
    public static func mayBeSecret(_ value: String, name: String? = nil) -> Bool {
        if SecretScanner.secretKind(value: value, name: name) != nil { return true }
        return hasRandomRun(value)
    }

    /// A long run of token characters with letters that is not an identifier made of words
    /// (`AbCdEf12GhIj34KlMn56` and hexadecimal keys are hidden; `orders_service_production` and the
    /// 12 digits of an account id are not).
    static func hasRandomRun(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count && isRunByte(bytes[end]) { end += 1 }
            if end - start >= randomRunLength && looksRandom(bytes[start..<end]) { return true }
            start = end + 1
        }
        return false
    }

    private static func isRunByte(_ b: UInt8) -> Bool {
        isAlnum(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "/") || b == UInt8(ascii: "=") || b == UInt8(ascii: "_")
    }

    private static func looksRandom(_ run: ArraySlice<UInt8>) -> Bool {
        let digits = run.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        let letters = run.filter { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }.count
        if letters == 0 { return false }              // a number (account ids, timestamps)
        if Set(run).count < 10 { return false }        // a repetition (`xxxxxxxxxxxxxxxxxxxxxxxx`), not random
        let text = String(decoding: run, as: UTF8.self)
        // Words joined by '_' or '/' or case changes read as an identifier.
        if digits * 4 <= run.count && SecretScanner.isWordLike(text) { return false }
        return true
    }

    private static func hexByte(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }
}
