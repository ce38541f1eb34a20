import Foundation

/// The difference between two snapshots, function by function (SPEC §5 `diff --format json`).
public struct SnapshotDiff: Sendable {
    /// One function that differs between the two snapshots.
    public struct Change: Sendable {
        /// Whether the function is only on the right, only on the left, or on both and different.
        public enum Status: String, Sendable { case added, removed, modified }
        /// The function's name.
        public var function: String
        /// How it differs.
        public var status: Status
        /// The RFC 6902 patch from the left configuration to the right one.
        public var operations: [PatchOperation]
    }

    /// The snapshot compared from.
    public var left: Snapshot
    /// The snapshot compared to.
    public var right: Snapshot
    /// The functions that differ, by name.
    public var changes: [Change]

    /// Compares `left` with `right`; `functions` limits the comparison, `ignore` drops operations whose
    /// path matches a pointer pattern (`*` matches one segment) or lies below it.
    public init(left: Snapshot, right: Snapshot, functions: [String] = [], ignore: [String] = []) {
        self.left = left
        self.right = right
        let patterns = ignore.compactMap { JSONPointer(parsing: $0) }
        var names = Set(left.functionNames).union(right.functionNames)
        if !functions.isEmpty { names = names.intersection(functions) }
        var changes: [Change] = []
        for name in names.sorted(by: codePointLess) {
            // Equal canonical text is an equal configuration: nothing to parse.
            let lc = left.canonical(of: name), rc = right.canonical(of: name)
            if let lc, let rc, lc == rc { continue }
            let status: Change.Status = lc == nil ? .added : rc == nil ? .removed : .modified
            // SPEC §4: an added function's left side is {}, a removed one's right side is {}.
            let empty = JSONValue.object(JSONObject())
            var ops: [PatchOperation]
            if let lc, let rc, let fast = SnapshotDiff.memberDiff(lc, rc) {
                ops = fast
            } else {
                ops = JSONPatch.diff(left.value(of: name) ?? empty, right.value(of: name) ?? empty)
            }
            if !patterns.isEmpty && status == .modified {
                ops = ops.filter { op in !patterns.contains { SnapshotDiff.matches(op.path, $0) } }
            }
            if ops.isEmpty && status == .modified { continue }
            changes.append(Change(function: name, status: status, operations: ops))
        }
        self.changes = changes
    }

    /// RFC 6902 operations between two canonical objects, parsing only the top-level members whose
    /// text differs (equal canonical text is an equal value).
    static func memberDiff(_ l: [UInt8], _ r: [UInt8]) -> [PatchOperation]? {
        var ops: [PatchOperation] = []
        guard textDiff(l, 0..<l.count, r, 0..<r.count, .root, &ops) else { return nil }
        return ops
    }

    /// Diffs two canonical values by their text: objects member by member (recursively), anything else
    /// by parsing just that value. False when the text is not what canonical JSON looks like.
    private static func textDiff(_ l: [UInt8], _ lr: Range<Int>, _ r: [UInt8], _ rr: Range<Int>, _ path: JSONPointer, _ ops: inout [PatchOperation]) -> Bool {
        if bytesEqual(l, lr, r, rr) { return true }
        func parse(_ b: [UInt8], _ range: Range<Int>) -> JSONValue? { try? JSONParser.parse(Array(b[range])) }
        if l[lr.lowerBound] == UInt8(ascii: "{"), r[rr.lowerBound] == UInt8(ascii: "{"),
           let lm = CanonicalSplice.members(l, in: lr), let rm = CanonicalSplice.members(r, in: rr) {
            // Canonical members are sorted by key (code point): merge-join them, no hashing.
            var i = 0, j = 0
            while i < lm.count || j < rm.count {
                if j == rm.count || (i < lm.count && keyLess(lm[i].key, rm[j].key)) {
                    guard let old = parse(l, lm[i].value) else { return false }
                    ops.append(PatchOperation(op: .remove, path: path.appending(lm[i].key), value: nil, old: old))
                    i += 1
                } else if i == lm.count || keyLess(rm[j].key, lm[i].key) {
                    guard let value = parse(r, rm[j].value) else { return false }
                    ops.append(PatchOperation(op: .add, path: path.appending(rm[j].key), value: value, old: nil))
                    j += 1
                } else {
                    guard textDiff(l, lm[i].value, r, rm[j].value, path.appending(rm[j].key), &ops) else { return false }
                    i += 1
                    j += 1
                }
            }
            return true
        }
        guard let a = parse(l, lr), let b = parse(r, rr) else { return false }
        ops += JSONPatch.diff(a, b, at: path)
        return true
    }

    /// memcmp of two byte ranges (the generic `elementsEqual` is far slower on this hot path).
    @inline(__always)
    static func bytesEqual(_ l: [UInt8], _ lr: Range<Int>, _ r: [UInt8], _ rr: Range<Int>) -> Bool {
        guard lr.count == rr.count else { return false }
        if lr.isEmpty { return true }
        return l.withUnsafeBufferPointer { a in r.withUnsafeBufferPointer { b in
            memcmp(a.baseAddress! + lr.lowerBound, b.baseAddress! + rr.lowerBound, lr.count) == 0
        } }
    }

    /// The `--format json` document as bytes: canonical text re-indented, without an intermediate tree.
    /// The Lambda-aware field changes of one modified function (sets as sets, events by identity),
    /// those the patch operations touch (an ignored field stays out).
    public func fieldLines(_ change: Change) -> [FieldChanges.Line] { fieldLines(change, among: nil) }

    /// The top-level fields whose lists diff reads by meaning rather than position: sets (methods,
    /// CORS lists, IAM Action/Resource, VPC ids, managed policies), layers by ARN, events by identity.
    static let listFields: Set<String> = Set(FunctionSchema.setLikePaths.compactMap { $0.split(separator: "/").first.map(String.init) } + ["layers", "events"])

    /// `fieldLines` of the top-level fields in `among` only (nil: every field). Only the fields the
    /// operations touch are parsed, each on its own.
    func fieldLines(_ change: Change, among: Set<String>?) -> [FieldChanges.Line] {
        guard change.status == .modified else { return [] }
        if among == nil, change.operations.contains(where: { $0.path.tokens.isEmpty }) {
            return FieldChanges.describe(left.value(of: change.function), right.value(of: change.function))
        }
        var touched = Set(change.operations.compactMap { $0.path.tokens.first })
        if let among { touched.formIntersection(among) }
        func reader(_ side: Snapshot) -> (String) -> JSONValue? {
            guard let bytes = side.canonical(of: change.function), let members = CanonicalSplice.members(bytes) else {
                return { side.value(of: change.function)?[$0] }
            }
            return { key in members.first(where: { $0.key == key }).flatMap { try? JSONParser.parse(Array(bytes[$0.value])) } }
        }
        let (l, r) = (reader(left), reader(right))
        let lines = touched.sorted(by: codePointLess).flatMap { FieldChanges.describe(l($0), r($0), at: JSONPointer([$0])) }
        return lines.filter { line in change.operations.contains { $0.path.hasPrefix(line.pointer) || line.pointer.hasPrefix($0.path) } }
    }

    public func jsonBytes() -> [UInt8] {
        var w = JSONWriter(capacity: 1 << 16)
        func side(_ s: Snapshot) {
            w.append("{\"commit\":")
            w.writeCanonical(s.revision.commit.map { .string($0) } ?? .null)
            w.append(",\"environment\":")
            w.writeString(s.environment)
            w.append(",\"revision\":\(s.revision.isPreview ? "null" : String(s.revision.number)),\"snapshot_hash\":")
            w.writeString(s.hash)
            w.append("}")
        }
        w.append("{\"changes\":[")
        for (i, c) in changes.enumerated() {
            if i > 0 { w.append(",") }
            w.append("{")
            if c.status == .modified {
                // The field changes as `diff` prints them: a reordered set, an event source by identity.
                w.append("\"fields\":[")
                for (j, line) in fieldLines(c, among: Self.listFields).enumerated() {
                    if j > 0 { w.append(",") }
                    w.append("{\"kind\":\"\(line.kind.rawValue)\",\"pointer\":")
                    w.writeString(line.pointer.description)
                    w.append(",\"text\":")
                    w.writeString(line.text)
                    w.append("}")
                }
                w.append("],")
            }
            w.append("\"function\":")
            w.writeString(c.function)
            w.append(",\"operations\":[")
            for (j, op) in c.operations.enumerated() {
                if j > 0 { w.append(",") }
                w.append("{")
                if let old = op.old {
                    // Not part of RFC 6902 (a patch consumer ignores it): the value before the change.
                    w.append("\"old\":")
                    w.writeCanonical(old)
                    w.append(",")
                }
                w.append("\"op\":\"\(op.op.rawValue)\",\"path\":")
                w.writeString(op.path.description)
                if op.op != .remove, let value = op.value {
                    w.append(",\"value\":")
                    w.writeCanonical(value)
                }
                w.append("}")
            }
            w.append("],\"status\":\"\(c.status.rawValue)\"}")
        }
        w.append("],\"format_version\":\(Snapshot.formatVersion),\"left\":")
        side(left)
        w.append(",\"right\":")
        side(right)
        w.append("}")
        return JSONWriter.prettyFromCanonical(w.bytes)
    }

    static func matches(_ path: JSONPointer, _ pattern: JSONPointer) -> Bool {
        guard path.tokens.count >= pattern.tokens.count else { return false }
        for (t, p) in zip(path.tokens, pattern.tokens) where p != "*" && p != t { return false }
        return true
    }

    /// Whether the snapshots are the same.
    public var isEmpty: Bool { changes.isEmpty }

    /// The diff as `fnreg diff --format json` prints it (`left`, `right`, `changes`).
    public var json: JSONValue {
        func side(_ s: Snapshot) -> JSONValue {
            var o = JSONObject()
            o["environment"] = .string(s.environment)
            o["revision"] = s.revision.isPreview ? .null : .number(Double(s.revision.number))
            o["commit"] = s.revision.commit.map { .string($0) } ?? .null
            o["snapshot_hash"] = .string(s.hash)
            return .object(o)
        }
        var o = JSONObject()
        o["format_version"] = .number(Double(Snapshot.formatVersion))
        o["left"] = side(left)
        o["right"] = side(right)
        o["changes"] = .array(changes.map { c in
            var co = JSONObject()
            co["function"] = .string(c.function)
            co["status"] = .string(c.status.rawValue)
            if c.status == .modified {
                co["fields"] = .array(fieldLines(c, among: Self.listFields).map { ["kind": .string($0.kind.rawValue), "pointer": .string($0.pointer.description), "text": .string($0.text)] })
            }
            co["operations"] = .array(c.operations.map { op in
                guard case .object(var oo) = op.json else { return .null }
                if let old = op.old { oo["old"] = old }
                return .object(oo)
            })
            return .object(co)
        })
        return .object(o)
    }
}
