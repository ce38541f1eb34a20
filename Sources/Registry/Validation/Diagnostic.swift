/// One finding about a configuration file: which rule, how serious, where (file, JSON Pointer,
/// line and column), what was expected, and how to fix it where that is obvious.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    /// Errors refuse an import; warnings are reported.
    public enum Severity: String, Sendable { case error, warning }

    /// The rule's id (`FN-TIMEOUT-RANGE`).
    public var rule: String
    /// Error or warning.
    public var severity: Severity
    /// The file, relative to the repository's root.
    public var file: String
    /// The offending value, as a JSON Pointer.
    public var pointer: JSONPointer
    /// What is wrong.
    public var message: String
    /// How to fix it, where that is obvious.
    public var fix: String?
    /// The line of the value (1-based), when known.
    public var line: Int?
    /// Its column (1-based), when known.
    public var column: Int?

    /// A finding.
    public init(_ rule: String, _ severity: Severity = .error, file: String, pointer: JSONPointer, message: String, fix: String? = nil) {
        self.rule = rule
        self.severity = severity
        self.file = file
        self.pointer = pointer
        self.message = message
        self.fix = fix
    }

    /// One sentence: `file:line:column: error: /pointer: message; fix [RULE-ID]`.
    public var description: String {
        var location = file
        if let line, let column { location += ":\(line):\(column)" }
        var text = "\(location): \(severity.rawValue): \(shownPointer): \(message)"
        if let fix { text += "; \(fix)" }
        return text + " [\(rule)]"
    }

    /// The pointer as findings show it ("/" for the whole document): a member name that may be a
    /// credential (`/tags/AKIA…`) is shown by its length, like every value a finding mentions.
    public var shownPointer: String {
        guard pointer.tokens.contains(where: { Redaction.mayBeSecret($0) }) else { return pointer.display }
        return pointer.tokens.map { token in
            Redaction.mayBeSecret(token) ? "/(a hidden name, \(token.utf8.count) bytes)" : JSONPointer([token]).description
        }.joined()
    }

    /// The diagnostic as JSON (the `--format json` shape of `validate` and `import`).
    public var json: JSONValue {
        var o = JSONObject()
        o["rule"] = .string(rule)
        o["severity"] = .string(severity.rawValue)
        o["file"] = .string(file)
        o["pointer"] = .string(pointer.tokens.isEmpty ? "" : shownPointer)
        o["message"] = .string(message)
        o["fix"] = fix.map { .string($0) } ?? .null
        o["line"] = line.map { .number(Double($0)) } ?? .null
        o["column"] = column.map { .number(Double($0)) } ?? .null
        return .object(o)
    }
}

extension Array where Element == Diagnostic {
    /// The errors among the findings.
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
    /// The warnings among the findings.
    public var warnings: [Diagnostic] { filter { $0.severity == .warning } }

    /// Sorted by file, then line, then pointer, duplicates removed.
    public func normalized() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return filter { seen.insert($0).inserted }.sorted {
            // A total order (message last): two findings at one pointer print the same way every run.
            ($0.file, $0.line ?? 0, $0.pointer.description, $0.rule, $0.description) < ($1.file, $1.line ?? 0, $1.pointer.description, $1.rule, $1.description)
        }
    }
}
