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
