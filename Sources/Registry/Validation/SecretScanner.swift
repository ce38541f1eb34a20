/// Recognises values that look like credentials, without regular expressions (hot path).
public enum SecretScanner {
    static let sensitiveNameParts: Set<String> = ["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "APIKEY", "PRIVATE", "CREDENTIALS"]

    /// A description of the kind of secret `value` looks like, or nil. `name` is the environment
    /// variable's name when the value is one.
    public static func secretKind(value: String, name: String?) -> String? {
        // Most values are short plain words: nothing below can match them.
        if value.utf8.count < 8 && (name == nil || value.utf8.count < 4) { return nil }
        let bytes = Array(value.utf8)
        if isReference(value) { return nil }
        if bytes.contains(subsequence: "-----BEGIN") && bytes.contains(subsequence: "PRIVATE KEY") { return "a PEM private key" }
        if let kind = accessKeyId(bytes) { return kind }
        if bytes.contains(subsequence: "eyJ") && looksLikeJWT(value) { return "a JSON Web Token" }
        if bytes.contains(subsequence: "://") && connectionStringWithPassword(value) { return "a connection string with a password" }
        if bytes.count == 40, bytes.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") }),
           bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }), bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }),
           bytes.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) {
            return "an AWS secret access key"
        }
        if let name, isSensitiveName(name), isLiteralSecretValue(value) {
            return "a literal credential in \(name)"
        }
        return nil
    }

    /// References to a secret store are fine (they are not the secret).
    static func isReference(_ value: String) -> Bool {
        value.hasPrefix("arn:aws:secretsmanager:") || value.hasPrefix("arn:aws:ssm:") || value.hasPrefix("{{resolve:")
            || value.hasPrefix("ssm:/") || value.hasPrefix("secretsmanager:") || value.hasPrefix("arn:aws:kms:")
    }

    /// Names repeat across thousands of functions: remember the verdicts.
    nonisolated(unsafe) private static var sensitiveNames: [String: Bool] = [:]

    static func isSensitiveName(_ name: String) -> Bool {
        if let known = sensitiveNames[name] { return known }
        let verdict = computeSensitiveName(name)
        if sensitiveNames.count < 100_000 { sensitiveNames[name] = verdict }
        return verdict
    }

    private static func computeSensitiveName(_ name: String) -> Bool {
        let upper = Array(name.uppercased().utf8)
        if upper.contains(subsequence: "API_KEY") || upper.contains(subsequence: "PRIVATE_KEY") || upper.contains(subsequence: "ACCESS_KEY") { return true }
        let name = String(decoding: upper, as: UTF8.self)
        let parts = name.split(separator: "_").map(String.init)
        return parts.contains(where: sensitiveNameParts.contains)
    }

    static func isLiteralSecretValue(_ value: String) -> Bool {
        if value.isEmpty || value.count < 4 { return false }
        if value.allSatisfy(\.isNumber) { return false }
        if ["true", "false", "none", "null", "changeme"].contains(value.lowercased()) { return false }
        if value.hasPrefix("arn:") || value.hasPrefix("/") || value.hasPrefix("$") { return false }
        return true
    }

    static func accessKeyId(_ b: [UInt8]) -> String? {
        guard b.count >= 20 else { return nil }
        let prefixes: [[UInt8]] = [Array("AKIA".utf8), Array("ASIA".utf8), Array("ABIA".utf8), Array("ACCA".utf8)]
        var i = 0
        while i + 20 <= b.count {
            if prefixes.contains(where: { $0.elementsEqual(b[i..<i + 4]) }),
               b[i + 4..<i + 20].allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }),
               i + 20 == b.count || !isAlnum(b[i + 20]), i == 0 || !isAlnum(b[i - 1]) {
                return "an AWS access key id"
            }
            i += 1
        }
        return nil
    }

    static func looksLikeJWT(_ s: String) -> Bool {
        guard let r = s.range(of: "eyJ") else { return false }
        let token = s.utf8[r.lowerBound...].prefix { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
        let parts = token.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count >= 10 && parts[1].starts(with: "eyJ".utf8) && parts[2].count >= 10
    }

    static func connectionStringWithPassword(_ s: String) -> Bool {
        guard let scheme = s.range(of: "://") else { return false }
        let rest = s[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@") else { return false }
        let userinfo = rest[..<at]
        guard !userinfo.contains("/"), let colon = userinfo.firstIndex(of: ":") else { return false }
        let password = userinfo[userinfo.index(after: colon)...]
        return !password.isEmpty && !password.hasPrefix("$") && !password.hasPrefix("{{")
    }
}

extension Array where Element == UInt8 {
    /// True when `needle`'s UTF-8 bytes occur in the array (no Foundation on the hot path).
    func contains(subsequence needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        guard n <= count else { return false }
        let first = needle.utf8Start[0]
        var i = 0
        while i + n <= count {
            if self[i] == first {
                var j = 1
                while j < n && self[i + j] == needle.utf8Start[j] { j += 1 }
                if j == n { return true }
            }
            i += 1
        }
        return false
    }
}
