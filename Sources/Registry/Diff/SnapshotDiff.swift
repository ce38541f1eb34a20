/// The difference between two snapshots, function by function (SPEC §5 `diff --format json`).
public struct SnapshotDiff: Sendable {
    public struct Change: Sendable {
        public enum Status: String, Sendable { case added, removed, modified }
        public var function: String
        public var status: Status
        public var operations: [PatchOperation]
    }

    public var left: Snapshot
    public var right: Snapshot
    public var changes: [Change]

    /// Compares `left` with `right`; `functions` limits the comparison, `ignore` drops operations whose
    /// path matches a pointer pattern (`*` matches one segment) or lies below it.
    public init(left: Snapshot, right: Snapshot, functions: [String] = [], ignore: [String] = []) {
        self.left = left
        self.right = right
        let patterns = ignore.compactMap { JSONPointer(parsing: $0) }
        var names = Set(left.functions.keys).union(right.functions.keys)
        if !functions.isEmpty { names = names.intersection(functions) }
        var changes: [Change] = []
        for name in names.sorted(by: codePointLess) {
            let l = left.functions[name], r = right.functions[name]
            let status: Change.Status = l == nil ? .added : r == nil ? .removed : .modified
            // SPEC §4: an added function's left side is {}, a removed one's right side is {}.
            let empty = JSONValue.object(JSONObject())
            var ops = JSONPatch.diff(l ?? empty, r ?? empty)
            if !patterns.isEmpty && status == .modified {
                ops = ops.filter { op in !patterns.contains { SnapshotDiff.matches(op.path, $0) } }
            }
            if ops.isEmpty && status == .modified { continue }
            changes.append(Change(function: name, status: status, operations: ops))
        }
        self.changes = changes
    }

    static func matches(_ path: JSONPointer, _ pattern: JSONPointer) -> Bool {
        guard path.tokens.count >= pattern.tokens.count else { return false }
        for (t, p) in zip(path.tokens, pattern.tokens) where p != "*" && p != t { return false }
        return true
    }

    public var isEmpty: Bool { changes.isEmpty }

    public var json: JSONValue {
        func side(_ s: Snapshot) -> JSONValue {
            var o = JSONObject()
            o["environment"] = .string(s.environment)
            o["revision"] = .number(Double(s.revision.number))
            o["commit"] = s.revision.commit.map { .string($0) } ?? .null
            o["snapshot_hash"] = .string(s.hash)
            return .object(o)
        }
        var o = JSONObject()
        o["left"] = side(left)
        o["right"] = side(right)
        o["changes"] = .array(changes.map { c in
            var co = JSONObject()
            co["function"] = .string(c.function)
            co["status"] = .string(c.status.rawValue)
            co["operations"] = .array(c.operations.map(\.json))
            return .object(co)
        })
        return .object(o)
    }
}
