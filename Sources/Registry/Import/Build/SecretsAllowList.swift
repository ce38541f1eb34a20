/// `lambda_functions/allowed-secrets.json`: reviewed false positives of secret detection, per
/// function and JSON Pointer, each with its reason:
/// `{"secrets": [{"function": "f", "pointer": "/environment_variables/K", "reason": "…"}]}`.
struct SecretsAllowList {
    /// "function pointer" of every allowed finding.
    private(set) var allowed = Set<String>()
    /// What is wrong with the file itself.
    private(set) var diagnostics: [Diagnostic] = []

    /// The list in the document at `path` (`value`, or the syntax error that kept it from parsing).
    init(path: RepoPath, value: JSONValue?, syntaxError: Diagnostic?) {
        if let syntaxError { diagnostics.append(syntaxError); return }
        guard let entries = value?["secrets"]?.arrayValue else {
            diagnostics.append(Diagnostic("SECRETS-ALLOW-FORMAT", file: path.description, pointer: .root,
                message: "the allow-list must be {\"secrets\": [{\"function\": …, \"pointer\": …, \"reason\": …}]}"))
            return
        }
        for (i, entry) in entries.enumerated() {
            guard let function = entry["function"]?.stringValue, let pointer = entry["pointer"]?.stringValue,
                  JSONPointer(parsing: pointer) != nil, entry["reason"]?.stringValue?.isEmpty == false else {
                diagnostics.append(Diagnostic("SECRETS-ALLOW-FORMAT", file: path.description, pointer: JSONPointer(["secrets", String(i)]),
                    message: "each allowed secret needs \"function\", \"pointer\" (a JSON Pointer) and a non-empty \"reason\""))
                continue
            }
            allowed.insert(function + " " + pointer)
        }
    }
}
