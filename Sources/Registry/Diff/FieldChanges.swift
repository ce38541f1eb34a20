/// Lambda-aware, human-readable changes between two configurations of one function: environment
/// variables and tags per key, set-like lists (HTTP methods, CORS lists, IAM Action/Resource, VPC ids)
/// as sets so that a pure reordering reads "reordered", layers matched by ARN without version.
public enum FieldChanges {
    /// One change of one field, as `diff` and `log` print it.
    public struct Line: Equatable, Sendable {
        /// What happened to the field (a set-like list whose order alone changed is `reordered`).
        public enum Kind: String, Sendable { case added, removed, changed, reordered }
        /// What happened.
        public var kind: Kind
        /// The field, as a JSON Pointer into the configuration.
        public var pointer: JSONPointer
        /// The change in words: `30 → 60`, `+ "s3:GetObject"`, `added {...}`.
        public var text: String
    }

    /// Lists that mean sets: a pure reordering is not a change of meaning.
    static func isSetLike(_ p: JSONPointer) -> Bool { FunctionSchema.isSetLike(p) }

    /// The changes that turn `left` into `right` (nil: the function is absent on that side), field by field.
    public static func describe(_ left: JSONValue?, _ right: JSONValue?) -> [Line] {
        var out: [Line] = []
        walk(left, right, .root, &out)
        return out
    }

    /// The changes of one field (at `pointer`) from `left` to `right` (nil: absent on that side).
    public static func describe(_ left: JSONValue?, _ right: JSONValue?, at pointer: JSONPointer) -> [Line] {
        var out: [Line] = []
        walk(left, right, pointer, &out)
        return out
    }

    /// Canonical JSON of `v`, cut to 80 characters for one-line displays.
    public static func brief(_ v: JSONValue) -> String {
        let text = JSONWriter.canonical(v)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    private static func walk(_ l: JSONValue?, _ r: JSONValue?, _ p: JSONPointer, _ out: inout [Line]) {
        if l == r { return }
        guard let l else { out.append(Line(kind: .added, pointer: p, text: "added \(brief(r!))")); return }
        guard let r else { out.append(Line(kind: .removed, pointer: p, text: "removed (was \(brief(l)))")); return }
        switch (l, r) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted(by: codePointLess) { walk(a[key], b[key], p.appending(key), &out) }
        case (.array(let a), .array(let b)) where p.tokens == ["layers"]:
            layers(a, b, p, &out)
        case (.array(let a), .array(let b)) where p.tokens == ["events"]:
            events(a, b, p, &out)
        case (.array(let a), .array(let b)) where isSetLike(p) || (p.tokens.count == 3 && p.tokens[0] == "additional_policies" && a.allSatisfy { $0.stringValue != nil }):
            let sa = a.map(brief), sb = b.map(brief)
            if Set(sa) == Set(sb) {
                out.append(Line(kind: .reordered, pointer: p, text: "reordered (same \(Set(sa).count) entries)"))
            } else {
                let added = sb.filter { !sa.contains($0) }, removed = sa.filter { !sb.contains($0) }
                out.append(Line(kind: .changed, pointer: p, text: (added.map { "+ " + $0 } + removed.map { "- " + $0 }).joined(separator: ", ")))
            }
        case (.array(let a), .array(let b)) where a.count == b.count:
            for i in a.indices { walk(a[i], b[i], p.appending(i), &out) }
        case (.string(let a), .string(let b)) where a.count > 80 || b.count > 80:
            out.append(Line(kind: .changed, pointer: p, text: "changed (\(a.count) → \(b.count) characters)"))
        default:
            out.append(Line(kind: .changed, pointer: p, text: "\(brief(l)) → \(brief(r))"))
        }
    }

    /// What an event source is, whatever its settings: its type and what it listens to (a queue,
    /// topic or stream ARN; a bucket with its prefix and suffix; a schedule; a pattern on a bus).
    /// Whether two values of the field at `p` mean the same: equal, or the same members of a list
    /// that means a set, or the same event sources in another order.
    static func equivalent(_ a: JSONValue?, _ b: JSONValue?, at p: JSONPointer) -> Bool {
        if a == b { return true }
        guard let x = a?.arrayValue, let y = b?.arrayValue, x.count == y.count else { return false }
        if isSetLike(p) || p.tokens == ["events"] {
            return x.map(JSONWriter.canonical).sorted() == y.map(JSONWriter.canonical).sorted()
        }
        return false
    }

    public static func eventIdentity(_ event: JSONValue) -> String {
        let type = event["type"]?.stringValue ?? "?"
        let target: [String]
        switch type {
        case "sqs": target = [event["queue_arn"]?.stringValue ?? ""]
        case "sns": target = [event["topic_arn"]?.stringValue ?? ""]
        case "dynamodb", "kinesis": target = [event["stream_arn"]?.stringValue ?? ""]
        case "s3": target = [event["bucket"]?.stringValue ?? "", event["prefix"]?.stringValue ?? "", event["suffix"]?.stringValue ?? ""]
        case "schedule": target = [event["expression"]?.stringValue ?? ""]
        case "eventbridge": target = [event["event_bus"]?.stringValue ?? "default", event["pattern"].map(JSONWriter.canonical) ?? ""]
        default: target = [JSONWriter.canonical(event)]
        }
        return ([type] + target).joined(separator: " ")
    }

    /// Event sources matched by identity, not position: a source added, removed, or changed in its
    /// settings (batch size, enabled) reads as such whatever the order.
    private static func events(_ a: [JSONValue], _ b: [JSONValue], _ p: JSONPointer, _ out: inout [Line]) {
        let left = Dictionary(a.map { (eventIdentity($0), $0) }, uniquingKeysWith: { x, _ in x })
        let right = Dictionary(b.map { (eventIdentity($0), $0) }, uniquingKeysWith: { x, _ in x })
        if left.count == a.count && right.count == b.count && Set(left.keys) == Set(right.keys) && left.allSatisfy({ right[$0.key] == $0.value }) {
            out.append(Line(kind: .reordered, pointer: p, text: "reordered (same \(a.count) sources)"))
            return
        }
        for (index, event) in b.enumerated() {
            let id = eventIdentity(event)
            guard let before = left[id] else { out.append(Line(kind: .added, pointer: p.appending(index), text: "added \(id)")); continue }
            if before != event {
                for key in Set((before.objectValue?.keys ?? []) + (event.objectValue?.keys ?? [])).sorted() where before[key] != event[key] {
                    walk(before[key], event[key], p.appending(index).appending(key), &out)
                }
            }
        }
        for (index, event) in a.enumerated() where right[eventIdentity(event)] == nil {
            out.append(Line(kind: .removed, pointer: p.appending(index), text: "removed \(eventIdentity(event))"))
        }
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION` → (ARN without version, NAME, VERSION).
    static func layerParts(_ v: JSONValue) -> (String, String, String) {
        let s = v.stringValue ?? brief(v)
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 8 else { return (s, s, "") }
        return (parts.dropLast().joined(separator: ":"), String(parts[6]), String(parts[7]))
    }

    private static func layers(_ a: [JSONValue], _ b: [JSONValue], _ p: JSONPointer, _ out: inout [Line]) {
        let la = a.map(layerParts), lb = b.map(layerParts)
        for (arn, name, version) in lb {
            if let old = la.first(where: { $0.0 == arn }) {
                if old.2 != version { out.append(Line(kind: .changed, pointer: p, text: "\(name) \(old.2) → \(version)")) }
            } else {
                out.append(Line(kind: .added, pointer: p, text: "added layer \(name) \(version)"))
            }
        }
        for (arn, name, version) in la where !lb.contains(where: { $0.0 == arn }) {
            out.append(Line(kind: .removed, pointer: p, text: "removed layer \(name) \(version)"))
        }
        if out.isEmpty || (Set(la.map(\.0)) == Set(lb.map(\.0)) && la.map(\.0) != lb.map(\.0) && la.map(\.2).sorted() == lb.map(\.2).sorted()) {
            if la.map(\.0) != lb.map(\.0) { out.append(Line(kind: .reordered, pointer: p, text: "layers reordered (order matters to Lambda)")) }
        }
    }
}
