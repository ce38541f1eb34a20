import Foundation

/// Recognises values that are credentials. Two kinds of evidence, measured on a labelled set of
/// realistic environment variables (`Tests/Corpus/secrets.json`):
///
/// * **the value's format**: AWS keys, PEM private keys, JSON Web Tokens, connection strings with a
///   password, and the prefixed tokens of the services teams use (GitHub `ghp_`, Slack `xox…`, Stripe
///   `sk_live_`, Google `AIza`, …). These are credentials whatever the name.
/// * **the name**: split at separators, digits and case changes (`MONGO_DB_PASS`, `dbPassword`,
///   `CLIENTSECRET`), a name that says password, secret, token, key or credential makes a literal
///   value a credential, unless the name says the value identifies one (`SECRET_NAME`,
///   `TOKEN_TABLE`, `API_KEY_HEADER`) or the value is an identifier, a reference to a secret store
///   (an ARN, an SSM path, `{{resolve:…}}`, `${VAR}`), a URL without a password, a number, a flag
///   or a placeholder.
public enum SecretScanner {
    /// A description of the kind of credential `value` is, or nil. `name` is the variable's (or
    /// member's) name when there is one.
    public static func secretKind(value: String, name: String?) -> String? {
        let length = value.utf8.count
        if length < 4 { return nil }
        if length >= shortestFormat, let kind = knownFormat(Array(value.utf8), value) { return kind }
        if let name, nameSaysCredential(name), isLiteralSecretValue(value) { return "a literal credential in \(name)" }
        return nil
    }

    /// Only the value's format: for names of members and files, and for values split across keys.
    public static func knownFormat(_ value: String) -> String? {
        value.utf8.count < shortestFormat ? nil : knownFormat(Array(value.utf8), value)
    }

    /// No credential format is shorter (a Slack token: `xoxb-` and 10 more).
    static let shortestFormat = 15

    /// Formats that do not arise by accident when values are joined (no bare 40-character keys, no
    /// `Bearer` phrases, no URLs): for a credential cut into several values.
    public static func distinctiveFormat(_ value: String) -> String? {
        guard value.utf8.count >= shortestFormat else { return nil }
        let bytes = Array(value.utf8)
        if isReference(value) { return nil }
        if bytes.contains(subsequence: "-----BEGIN") && bytes.contains(subsequence: "PRIVATE KEY") { return "a PEM private key" }
        if let kind = accessKeyId(bytes) { return kind }
        if bytes.contains(subsequence: "eyJ") && looksLikeJWT(value) { return "a JSON Web Token" }
        return prefixedToken(bytes)
    }

    // MARK: - Formats

    static func knownFormat(_ bytes: [UInt8], _ value: String) -> String? {
        if isReference(value) { return nil }
        if bytes.contains(subsequence: "-----BEGIN") && bytes.contains(subsequence: "PRIVATE KEY") { return "a PEM private key" }
        if let kind = accessKeyId(bytes) { return kind }
        if bytes.contains(subsequence: "eyJ") && looksLikeJWT(value) { return "a JSON Web Token" }
        if bytes.contains(subsequence: "://") && connectionStringWithPassword(value) { return "a connection string with a password" }
        if bytes.contains(subsequence: "AccountKey=") || bytes.contains(subsequence: "SharedAccessKey=") { return "an Azure account key" }
        if let kind = prefixedToken(bytes) { return kind }
        if bytes.count == 40, bytes.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") }),
           bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }), bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }),
           bytes.contains(where: { $0 >= 0x30 && $0 <= 0x39 }), bytes.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") }) {
            return "an AWS secret access key"
        }
        if (value.hasPrefix("Bearer ") || value.hasPrefix("Basic ")) && value.utf8.count >= 20 && !value.contains("${") { return "an HTTP credential" }
        return nil
    }

    /// Tokens whose prefix names their service: (prefix, minimum length after it, allowed bytes, kind).
    static let prefixes: [(String, Int, (UInt8) -> Bool, String)] = [
        ("ghp_", 30, isTokenByte, "a GitHub token"), ("gho_", 30, isTokenByte, "a GitHub token"), ("ghu_", 30, isTokenByte, "a GitHub token"),
        ("ghs_", 30, isTokenByte, "a GitHub token"), ("ghr_", 30, isTokenByte, "a GitHub token"), ("github_pat_", 20, isTokenByte, "a GitHub token"),
        ("glpat-", 20, isTokenByte, "a GitLab token"), ("xoxb-", 10, isTokenByte, "a Slack token"), ("xoxp-", 10, isTokenByte, "a Slack token"),
        ("xoxa-", 10, isTokenByte, "a Slack token"), ("xoxr-", 10, isTokenByte, "a Slack token"), ("xoxs-", 10, isTokenByte, "a Slack token"),
        ("xapp-", 10, isTokenByte, "a Slack token"), ("https://hooks.slack.com/services/", 20, { _ in true }, "a Slack webhook"),
        ("sk_live_", 16, isTokenByte, "a Stripe secret key"), ("rk_live_", 16, isTokenByte, "a Stripe secret key"),
        ("sk_test_", 16, isTokenByte, "a Stripe secret key"), ("rk_test_", 16, isTokenByte, "a Stripe secret key"),
        ("whsec_", 20, isTokenByte, "a Stripe webhook secret"), ("AIza", 35, isTokenByte, "a Google API key"),
        ("SG.", 60, { isTokenByte($0) || $0 == UInt8(ascii: ".") }, "a SendGrid API key"), ("npm_", 36, isTokenByte, "an npm token"),
        ("shpat_", 32, isTokenByte, "a Shopify token"), ("shpss_", 32, isTokenByte, "a Shopify token"), ("shppa_", 32, isTokenByte, "a Shopify token"),
        ("sk-ant-", 20, isTokenByte, "an Anthropic API key"), ("sk-proj-", 20, isTokenByte, "an OpenAI API key"), ("sk-", 32, isTokenByte, "an API secret key"),
        ("pypi-", 50, isTokenByte, "a PyPI token"), ("dckr_pat_", 20, isTokenByte, "a Docker access token"), ("hf_", 30, isTokenByte, "a Hugging Face token"),
        ("key-", 32, isTokenByte, "a Mailgun API key"), ("AKCp", 60, isTokenByte, "an Artifactory API key"), ("dop_v1_", 40, isTokenByte, "a DigitalOcean token"),
        ("EAACEdEose0cBA", 20, isTokenByte, "a Facebook access token"), ("ya29.", 30, { isTokenByte($0) || $0 == UInt8(ascii: ".") }, "a Google OAuth token"),
    ]

    static func isTokenByte(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }

    private struct Prefix {
        let bytes: [UInt8]
        let minimum: Int
        let allowed: (UInt8) -> Bool
        let kind: String
    }

    /// The prefixes by their first byte: each position of a value is compared only with the
    /// prefixes that start with its byte (this runs over every string of every configuration).
    private static let prefixTable: [[Prefix]] = {
        var table = [[Prefix]](repeating: [], count: 256)
        for (text, minimum, allowed, kind) in prefixes {
            let bytes = Array(text.utf8)
            table[Int(bytes[0])].append(Prefix(bytes: bytes, minimum: minimum, allowed: allowed, kind: kind))
        }
        return table
    }()

    static func prefixedToken(_ b: [UInt8]) -> String? {
        prefixedToken(b, startingAt: 0, only: false)
    }

    /// The kind of the first prefixed token in `b` from `from` on; with `only`, only a token that
    /// starts exactly at `from`.
    static func prefixedToken(_ b: [UInt8], startingAt from: Int, only: Bool) -> String? {
        var i = from
        while i < b.count {
            let candidates = prefixTable[Int(b[i])]
            if !candidates.isEmpty && (i == 0 || !isTokenByte(b[i - 1]) || (only && i == from)) {
                for p in candidates where i + p.bytes.count <= b.count && b[i..<(i + p.bytes.count)].elementsEqual(p.bytes) {
                    var j = i + p.bytes.count
                    while j < b.count && p.allowed(b[j]) { j += 1 }
                    // A token is random: letters and digits, or long and of mixed case (not "sk-my-long-setting-name").
                    let body = b[(i + p.bytes.count)..<j]
                    guard body.count >= p.minimum else { continue }
                    let digits = body.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
                    let lower = body.contains(where: { $0 >= 0x61 && $0 <= 0x7A }), upper = body.contains(where: { $0 >= 0x41 && $0 <= 0x5A })
                    if (digits && (lower || upper)) || (body.count >= 30 && lower && upper) { return p.kind }
                }
            }
            if only { return nil }
            i += 1
        }
        return nil
    }

    /// Whether `value` ends inside the start of a credential of a distinctive format (its last run of
    /// token characters begins with a service prefix, an AWS key prefix or a JWT header, or it opens
    /// a PEM block it does not close): only such a value can be the first part of a credential cut
    /// into consecutive values.
    static func mayBeginCredential(_ value: String) -> Bool {
        guard value.utf8.count >= 3 else { return false }
        var value = value
        return value.withUTF8 { b in
            var start = b.count
            while start > 0 && (isTokenByte(b[start - 1]) || b[start - 1] == UInt8(ascii: ".")) { start -= 1 }
            if start < b.count {
                let run = b[start...]
                for marker in ["AKIA", "ASIA", "ABIA", "ACCA", "eyJ"] where run.starts(with: marker.utf8) { return true }
                for p in prefixTable[Int(b[start])] where run.starts(with: p.bytes) { return true }
            }
            // A PEM block opened and not closed.
            guard b.count >= 10, b.contains(UInt8(ascii: "-")) else { return false }
            let bytes = Array(b)
            return bytes.contains(subsequence: "-----BEGIN") && !bytes.contains(subsequence: "-----END")
        }
    }

    /// References to a secret store are fine (they are not the secret).
    static let referencePrefixes = ["arn:aws:secretsmanager:", "arn:aws:ssm:", "{{resolve:", "ssm:", "secretsmanager:", "arn:aws:kms:", "vault:"]

    static func isReference(_ value: String) -> Bool {
        let u = value.utf8
        guard let first = u.first, first == UInt8(ascii: "a") || first == UInt8(ascii: "{") || first == UInt8(ascii: "s") || first == UInt8(ascii: "v") else { return false }
        return referencePrefixes.contains { u.starts(with: $0.utf8) }
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
        // The host follows the last '@' (a password with an unescaped '@' or '/' is still a password).
        guard let at = rest.lastIndex(of: "@") else { return false }
        let userinfo = rest[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return false }
        // A user name holds no '/' (`https://host:8443/x@y` has a port and a path, not a password).
        guard !userinfo[..<colon].contains("/") else { return false }
        let password = userinfo[userinfo.index(after: colon)...]
        // `host:8443/path@x`: a port and a path.
        if let slash = password.firstIndex(of: "/"), password[..<slash].allSatisfy(\.isNumber) { return false }
        // Templates stand for a password (`${DB_PASSWORD}`, `{{password}}`, `%(password)s`, `%s`);
        // a percent-encoded password (`%40pa55`) is one.
        let template = password.hasPrefix("$") || password.hasPrefix("{{") || password.hasPrefix("%(") || password.hasPrefix("%{") || password == "%s"
        return !password.isEmpty && !template
    }

    // MARK: - Names

    /// A name's words: split at separators, digits and case changes, upper-cased
    /// (`dbPassword` → DB PASSWORD, `APIKey` → API KEY, `MONGO_DB_PASS` → MONGO DB PASS).
    public static func words(_ name: String) -> [String] {
        var out: [String] = []
        var current: [Character] = []
        let characters = Array(name)
        func flush() { if !current.isEmpty { out.append(String(current).uppercased()); current = [] } }
        for (i, c) in characters.enumerated() {
            if !(c.isLetter || c.isNumber) { flush(); continue }
            if let last = current.last {
                let lowerToUpper = last.isLowercase && c.isUppercase
                let acronymEnd = last.isUppercase && c.isUppercase && i + 1 < characters.count && characters[i + 1].isLowercase
                let digitBoundary = last.isNumber != c.isNumber
                if lowerToUpper || acronymEnd || digitBoundary { flush() }
            }
            current.append(c)
        }
        flush()
        return out
    }

    /// Words that say the value is a credential (also found inside one run: `CLIENTSECRET`).
    static let credentialWords = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL", "APIKEY", "PRIVATEKEY", "ACCESSKEY",
                                  "SECRETKEY", "AUTHKEY", "SIGNINGKEY", "MASTERKEY"]
    /// Whole words that do too.
    static let credentialParts: Set<String> = ["PASS", "PWD", "PW", "CREDS", "CRED", "APIKEY", "PRIVKEY", "SALT", "PEPPER", "DSN", "AUTH"]
    /// A word that turns KEY into a credential (`API_KEY`, `ENCRYPTION_KEY`, `STRIPE_KEY`).
    static let keyQualifiers: Set<String> = ["API", "ACCESS", "SECRET", "PRIVATE", "SIGNING", "ENCRYPTION", "CLIENT", "MASTER", "APP",
                                             "SERVICE", "LICENSE", "WEBHOOK", "HMAC", "JWT", "SESSION", "STRIPE", "SENDGRID", "TWILIO",
                                             "MAILGUN", "OPENAI", "GITHUB", "SLACK", "DATADOG", "NEWRELIC", "SENTRY", "ALGOLIA", "PUSHER", "FIREBASE"]
    /// A last word that says the value identifies or describes the credential instead of being it.
    static let identifierWords: Set<String> = [
        "NAME", "NAMES", "ID", "IDS", "ARN", "ARNS", "TABLE", "BUCKET", "QUEUE", "TOPIC", "PARAM", "PARAMETER", "PATH", "REF", "HEADER",
        "FIELD", "TTL", "EXPIRY", "EXPIRES", "EXPIRATION", "LENGTH", "LEN", "SIZE", "TYPE", "REGION", "ENDPOINT", "URL", "URI", "FILE",
        "LOCATION", "VERSION", "ENABLED", "DISABLED", "ENABLE", "ALGORITHM", "ALG", "ISSUER", "AUDIENCE", "SCOPE", "SCOPES", "PREFIX",
        "SUFFIX", "DAYS", "HOURS", "MINUTES", "SECONDS", "MS", "TIMEOUT", "COUNT", "FORMAT", "MODE", "POLICY", "ROLE", "USER", "USERNAME",
        "LOGIN", "EMAIL", "HOST", "HOSTNAME", "PORT", "SERVICE", "PROVIDER", "STORE", "VAULT", "ALIAS", "KMS", "ROTATION", "INTERVAL",
        "LIMIT", "MAX", "MIN", "RETRIES", "NAMESPACE", "CACHE", "CLASS", "STRATEGY", "SOURCE", "KIND", "STAGE", "LEVEL", "KEYID", "SECRETID",
        "TOKENID", "COLUMN", "INDEX", "SECRETARN", "TOKENARN", "ATTRIBUTE", "PROPERTY", "LABEL", "TAG", "METHOD", "LIFETIME", "AGE",
        "DIR", "DIRECTORY", "FOLDER", "CHARS", "CHARSET", "PATTERN", "REGEX", "RULES", "RULE", "COMPLEXITY", "HASH", "HASHING", "CIPHER",
        "DESCRIPTION", "DESC", "NOTE", "NOTES", "COMMENT", "HINT", "DOC", "DOCS", "HELP", "MESSAGE", "TEXT", "TITLE",
    ]

    /// Names repeat across thousands of functions: remember the verdicts.
    nonisolated(unsafe) private static var verdicts: [String: Bool] = [:]
    private static let verdictsLock = NSLock()

    /// Whether a name says its value is a credential.
    public static func nameSaysCredential(_ name: String) -> Bool {
        verdictsLock.lock()
        if let known = verdicts[name] { verdictsLock.unlock(); return known }
        verdictsLock.unlock()
        let verdict = computeNameVerdict(name)
        verdictsLock.lock()
        if verdicts.count < 100_000 { verdicts[name] = verdict }
        verdictsLock.unlock()
        return verdict
    }

    private static func computeNameVerdict(_ name: String) -> Bool {
        let words = words(name)
        guard let last = words.last else { return false }
        if identifierWords.contains(last) { return false }
        if words.count >= 2, ["IS", "HAS", "USE", "ENABLE", "NO", "SKIP", "REQUIRE", "REQUIRES"].contains(words[0]) { return false }
        for (i, w) in words.enumerated() {
            if credentialParts.contains(w) { return true }
            if credentialWords.contains(where: { w.contains($0) }) { return true }
            if w == "KEY", i > 0, keyQualifiers.contains(words[i - 1]) { return true }
            if w == "KEY", words.count == 1 { return true }
        }
        // Joined words without separators (`CLIENTSECRET`, `APIKEY`).
        let joined = words.joined()
        return credentialWords.contains(where: { joined.contains($0) })
    }

    // MARK: - Values

    static let placeholders: Set<String> = ["true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined", "changeme", "change_me",
                                            "changeit", "xxx", "xxxx", "xxxxx", "xxxxxx", "xxxxxxxx", "****", "*****", "******", "********",
                                            "placeholder", "redacted", "example", "dummy", "test", "todo", "tbd", "secret", "password", "token",
                                            "replace_me", "replaceme", "your_password", "your_token", "your_api_key", "enabled", "disabled", "required",
                                            "optional", "default", "bearer", "basic", "plain", "md5", "sha256", "sha512", "bcrypt", "argon2", "hs256",
                                            "rs256", "es256", "aes256", "aes-256-gcm"]

    /// Whether a value given under a credential's name is itself a credential.
    static func isLiteralSecretValue(_ value: String) -> Bool {
        let v = value.trimmingCharacters(in: .whitespaces)
        if v.utf8.count < 4 { return false }
        if v.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) { return false }
        let lower = v.lowercased()
        if placeholders.contains(lower) { return false }
        if lower.hasPrefix("<") && lower.hasSuffix(">") { return false }
        if v.hasPrefix("arn:") || v.hasPrefix("/") || v.hasPrefix("$") || v.hasPrefix("{{") || v.hasPrefix("%") || v.hasPrefix("projects/") { return false }
        if isReference(v) { return false }
        // A URL without a password in it names a place, not a credential.
        if let scheme = v.range(of: "://"), !connectionStringWithPassword(v), v[..<scheme.lowerBound].allSatisfy(\.isLetter) { return false }
        // An identifier: a word or dotted/dashed words of letters (`MySecret`, `prod-db-credentials`,
        // `Tokens`), or a path of them; a credential has digits or symbols, or is long and mixed.
        let letters = v.unicodeScalars.filter { CharacterSet.letters.contains($0) }.count
        let digits = v.unicodeScalars.filter { CharacterSet.decimalDigits.contains($0) }.count
        let others = v.unicodeScalars.count - letters - digits
        let identifierSymbols = v.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_./:".unicodeScalars.contains($0) }
        if identifierSymbols && digits == 0 && v.utf8.count <= 40 && isWordLike(v) { return false }
        // A phrase of three or more plain words is a description, not a credential.
        if digits == 0 && others == v.filter({ $0 == " " }).count && v.split(separator: " ").count >= 3 && isWordLike(v) { return false }
        return true
    }

    /// A value made of dictionary-like words: each run of letters has a vowel and is not a random jumble.
    static func isWordLike(_ v: String) -> Bool {
        let runs = SecretScanner.words(v).filter { !$0.isEmpty }
        guard !runs.isEmpty else { return false }
        for run in runs {
            let vowels = run.filter { "AEIOUY".contains($0) }.count
            if vowels == 0 || Double(vowels) / Double(run.count) < 0.2 { return false }
            // Long runs of consonants are not words.
            var streak = 0
            for c in run { if "AEIOUY".contains(c) { streak = 0 } else { streak += 1; if streak > 4 { return false } } }
        }
        return true
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
