/// One RFC 6902 operation.
public struct PatchOperation: Equatable, Sendable {
    /// The RFC 6902 operations fnreg's diffs use.
    public enum Op: String, Sendable { case add, remove, replace }
    /// The operation.
    public var op: Op
    /// Where it applies.
    public var path: JSONPointer
    /// The value added or replaced (nil for `remove`).
    public var value: JSONValue?
    /// The value before the change (not part of RFC 6902; used for text output).
    public var old: JSONValue?

    /// The operation as RFC 6902 JSON (`{"op": …, "path": …, "value": …}`).
    public var json: JSONValue {
        var o = JSONObject()
        o["op"] = .string(op.rawValue)
        o["path"] = .string(path.description)
        if let value, op != .remove { o["value"] = value }
        return .object(o)
    }
}

/// Generates and applies RFC 6902 JSON Patches.
public enum JSONPatch {
    /// Operations that turn `left` into `right` when applied in order.
    public static func diff(_ left: JSONValue, _ right: JSONValue, at path: JSONPointer = .root) -> [PatchOperation] {
        if left == right { return [] }
        switch (left, right) {
        case (.object(let a), .object(let b)):
            var ops: [PatchOperation] = []
            for m in a where b[m.key] == nil {
                ops.append(PatchOperation(op: .remove, path: path.appending(m.key), value: nil, old: m.value))
            }
            for m in b {
                if let old = a[m.key] {
                    ops += diff(old, m.value, at: path.appending(m.key))
                } else {
                    ops.append(PatchOperation(op: .add, path: path.appending(m.key), value: m.value, old: nil))
                }
            }
            return ops
        case (.array(let a), .array(let b)):
            var ops: [PatchOperation] = []
            for i in 0..<min(a.count, b.count) { ops += diff(a[i], b[i], at: path.appending(i)) }
            if a.count > b.count {
                for i in (b.count..<a.count).reversed() { ops.append(PatchOperation(op: .remove, path: path.appending(i), value: nil, old: a[i])) }
            } else {
                for i in a.count..<b.count { ops.append(PatchOperation(op: .add, path: path.appending(i), value: b[i], old: nil)) }
            }
            return ops
        default:
            return [PatchOperation(op: .replace, path: path, value: right, old: left)]
        }
    }

    /// A patch that does not fit the document (a path that does not exist).
    public enum ApplyError: Error { case invalidPath(String) }

    /// Applies `operations` to `document` (RFC 6902 §4 add, remove, replace).
    public static func apply(_ operations: [PatchOperation], to document: JSONValue) throws -> JSONValue {
        var doc = document
        for op in operations { doc = try apply(op, to: doc, tokens: op.path.tokens[...]) }
        return doc
    }

    private static func apply(_ op: PatchOperation, to value: JSONValue, tokens: ArraySlice<String>) throws -> JSONValue {
        guard let token = tokens.first else {
            switch op.op {
            case .add, .replace: return op.value ?? .null
            case .remove: throw ApplyError.invalidPath(op.path.description)
            }
        }
        let rest = tokens.dropFirst()
        switch value {
        case .object(var o):
            if rest.isEmpty {
                switch op.op {
                case .add: o[token] = op.value ?? .null
                case .replace:
                    guard o[token] != nil else { throw ApplyError.invalidPath(op.path.description) }
                    o[token] = op.value ?? .null
                case .remove:
                    guard o[token] != nil else { throw ApplyError.invalidPath(op.path.description) }
                    o[token] = nil
                }
                return .object(o)
            }
            guard let child = o[token] else { throw ApplyError.invalidPath(op.path.description) }
            o[token] = try apply(op, to: child, tokens: rest)
            return .object(o)
        case .array(var a):
            let index = token == "-" ? a.count : Int(token) ?? -1
            if rest.isEmpty {
                switch op.op {
                case .add:
                    guard index >= 0 && index <= a.count else { throw ApplyError.invalidPath(op.path.description) }
                    a.insert(op.value ?? .null, at: index)
                case .replace:
                    guard index >= 0 && index < a.count else { throw ApplyError.invalidPath(op.path.description) }
                    a[index] = op.value ?? .null
                case .remove:
                    guard index >= 0 && index < a.count else { throw ApplyError.invalidPath(op.path.description) }
                    a.remove(at: index)
                }
                return .array(a)
            }
            guard index >= 0 && index < a.count else { throw ApplyError.invalidPath(op.path.description) }
            a[index] = try apply(op, to: a[index], tokens: rest)
            return .array(a)
        default:
            throw ApplyError.invalidPath(op.path.description)
        }
    }
}
