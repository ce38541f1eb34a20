import Foundation

/// Environment parity: differences between environments' effective configurations, checked against a
/// committed allow-list (`terraform/environments/parity.json`):
///
/// ```json
/// { "allow": [
///     "/environment_variables/ENVIRONMENT",
///     { "pointer": "/memory_size", "environments": ["staging", "prod"], "functions": ["device_status"], "reason": "…" } ] }
/// ```
/// A pointer allows a difference at or below it; `*` matches one segment. `environments` (optional)
/// limits the rule to pairs of those environments; `functions` (optional) to those functions.
public struct ParityRules: Sendable {
    /// One allowed difference: a field (pointer, prefix match) that may differ between environments.
    public struct Rule: Sendable {
        /// The field (and everything below it) that may differ.
        public var pointer: JSONPointer
        /// The environments the rule covers (nil: all).
        public var environments: Set<String>?
        /// The functions the rule covers (nil: all).
        public var functions: Set<String>?
        /// Why the difference is intended.
        public var reason: String?
    }
    /// Every rule of the allow-list.
    public var rules: [Rule] = []

    /// An empty allow-list: every difference is a violation.
    public init() {}

    /// Reads the committed allow-list (`terraform/environments/parity.json`); a malformed file is a finding with file and pointer.
    public init(file path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let value: JSONValue
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.io("Cannot read the allow-list \(path); check its permissions.")
        }
        do { value = try JSONParser.parse(data) } catch let e as JSONSyntaxError {
            throw RegistryError.invalidConfiguration([{ var d = Diagnostic("JSON-SYNTAX", file: path, pointer: .root, message: "invalid JSON: \(e.message)"); d.line = e.line; d.column = e.column; return d }()])
        }
        guard let allow = value["allow"]?.arrayValue else {
            throw RegistryError.invalidConfiguration([Diagnostic("PARITY-FORMAT", file: path, pointer: JSONPointer(["allow"]),
                message: "the allow-list needs an \"allow\" array of pointers or rule objects", fix: "write {\"allow\": [\"/tags/Environment\"]}")])
        }
        for (i, entry) in allow.enumerated() {
            let p = JSONPointer(["allow", String(i)])
            let text = entry.stringValue ?? entry["pointer"]?.stringValue
            guard let text, let pointer = JSONPointer(parsing: text) else {
                throw RegistryError.invalidConfiguration([Diagnostic("PARITY-FORMAT", file: path, pointer: p,
                    message: "each rule is a JSON Pointer string or an object with \"pointer\"", fix: "e.g. \"/tags/Environment\"")])
            }
            rules.append(Rule(pointer: pointer, environments: entry["environments"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) },
                              functions: entry["functions"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }, reason: entry["reason"]?.stringValue))
        }
    }

    /// The rule allowing a difference at `path` of `function` between `a` and `b`, if any.
    public func allowing(_ path: JSONPointer, function: String, between a: String, and b: String) -> Rule? {
        rules.first { rule in
            SnapshotDiff.matches(path, rule.pointer)
                && (rule.environments.map { $0.contains(a) && $0.contains(b) } ?? true)
                && (rule.functions.map { $0.contains(function) } ?? true)
        }
    }
}

/// The parity report across environments.
public struct ParityReport: Sendable {
    /// One difference of one function between two environments.
    public struct Difference: Sendable {
        /// The first environment.
        public var left: String
        /// The second environment.
        public var right: String
        /// The function.
        public var function: String
        /// The RFC 6902 operation that turns the left configuration into the right one at this field.
        public var operation: PatchOperation
        /// The rule that allows it, nil for a violation.
        public var allowedBy: ParityRules.Rule?
    }
    /// Every difference found.
    public var differences: [Difference] = []
    /// The differences no rule allows.
    public var violations: [Difference] { differences.filter { $0.allowedBy == nil } }

    /// Compares every pair of `snapshots` (in the order given).
    public init(snapshots: [Snapshot], rules: ParityRules) {
        for i in 0..<snapshots.count {
            for j in (i + 1)..<max(i + 1, snapshots.count) {
                let diff = SnapshotDiff(left: snapshots[i], right: snapshots[j])
                for change in diff.changes {
                    for op in change.operations {
                        differences.append(Difference(left: snapshots[i].environment, right: snapshots[j].environment, function: change.function,
                                                      operation: op, allowedBy: rules.allowing(op.path, function: change.function,
                                                                                               between: snapshots[i].environment, and: snapshots[j].environment)))
                    }
                }
            }
        }
    }
}

/// What a streamed parity check found.
public struct ParityCounts: Sendable {
    /// How many differences were found.
    public var differences = 0
    /// How many of them no rule allows.
    public var violations = 0
    /// The revision compared (a preview for the work tree).
    public var revision: Revision
}
