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
    public struct Rule: Sendable {
        public var pointer: JSONPointer
        public var environments: Set<String>?
        public var functions: Set<String>?
        public var reason: String?
    }
    public var rules: [Rule] = []

    public init() {}

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
    public struct Difference: Sendable {
        public var left: String
        public var right: String
        public var function: String
        public var operation: PatchOperation
        public var allowedBy: ParityRules.Rule?
    }
    public var differences: [Difference] = []
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
    public var differences = 0
    public var violations = 0
    public var revision: Revision
}
