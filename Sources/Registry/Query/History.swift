/// One entry of `fnreg log`: a revision and, per function, what changed.
public struct LogEntry: Sendable {
    /// What one revision changed in one function.
    public struct FunctionChange: Sendable {
        /// The function.
        public var function: String
        /// "added", "removed", "modified", "moved", "code", or for environment-level documents "environment".
        public var status: String
        /// The document that changed it (`function.json`, `dev/environment.json`, `code`, ...).
        public var source: String
        /// The RFC 6902 patch from the previous configuration to this one.
        public var operations: [PatchOperation]
    }
    /// The revision.
    public var revision: Revision
    /// What it changed, function by function.
    public var changes: [FunctionChange]

    /// The entry as `fnreg log --format json` prints it.
    public var json: JSONValue {
        guard case .object(var o) = revision.json else { return .null }
        o["changes"] = .array(changes.map { c in
            var co = JSONObject()
            co["function"] = .string(c.function)
            co["status"] = .string(c.status)
            co["source"] = .string(c.source)
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

extension Registry {
    /// Revisions newest first with their changes; `function` and `environment` narrow it. With an
    /// environment, changes are those of effective configurations, so `environment.json` and override
    /// edits are attributed to the functions they affect.
    /// `since`/`until` keep revisions whose committer time lies in the window (as `git log` does).
    public func log(function: String? = nil, environment: String? = nil, limit: Int? = nil, range: ClosedRange<Int> = 1...Int.max,
                    since: Int64? = nil, until: Int64? = nil) throws -> [LogEntry] {
        var entries: [LogEntry] = []
        if let function {
            let ever = try storage.namesEver(.base)
            if !ever.contains(function) { throw RegistryError.unknownFunction(function, known: ever) }
        }
        if let environment, !(try environments(at: (try storage.latestRevision()?.number) ?? 0).contains(environment)) {
            let known = try environments(at: (try storage.latestRevision()?.number) ?? 0)
            // The environment may have existed earlier; accept it if any revision knew it.
            let ever = try storage.namesEver(.environment)
            if !ever.contains(environment) { throw RegistryError.unknownEnvironment(environment, known: known) }
        }
        // For one function, only revisions that changed its keys (or, with an environment, that
        // environment's keys) can matter: find them through the versions index instead of scanning.
        var candidates: Set<Int>?
        if let function {
            candidates = try storage.revisionsTouching(function: function, environment: environment)
        }
        let revisions = try candidates.map { c in try c.sorted(by: >).compactMap { try storage.revision($0) } } ?? storage.revisions(newestFirst: true, limit: nil)
        for revision in revisions where range.contains(revision.number)
            && since.map({ revision.committedAt >= $0 }) ?? true && until.map({ revision.committedAt <= $0 }) ?? true {
            if let limit, entries.count >= limit { break }
            let keys = try storage.changes(at: revision.number)
            var changes: [LogEntry.FunctionChange] = []
            if let environment {
                let touched = keys.filter { $0.0.environment == "" || $0.0.environment == environment }
                if touched.isEmpty && !revision.skipped {
                    if function == nil { entries.append(LogEntry(revision: revision, changes: [])) }
                    continue
                }
                let envWide = touched.contains { $0.0.kind == .envpatch || $0.0.kind == .environment }
                let affected = Set(touched.map(\.0.function).filter { !$0.isEmpty })
                let previous = revision.number > 1 ? try storage.revision(revision.number - 1) : nil
                // One function: look it up alone at both revisions (a few index seeks each).
                func config(_ name: String, _ r: Revision?) -> JSONValue? {
                    guard let r else { return nil }
                    return (try? effectiveConfiguration(function: name, environment: environment, revision: r)) ?? nil
                }
                var after: Snapshot?, before: Snapshot?
                var names = affected
                if envWide && function == nil {
                    after = try? snapshot(environment: environment, revision: revision)
                    before = previous.flatMap { try? snapshot(environment: environment, revision: $0) }
                    names = Set((after?.functionNames ?? []) + (before?.functionNames ?? []))
                } else if envWide, let function {
                    names = [function]
                }
                for name in names.sorted(by: codePointLess) {
                    if let function, function != name { continue }
                    let l = before?.value(of: name) ?? (before == nil ? config(name, previous) : nil)
                    let r = after?.value(of: name) ?? (after == nil ? config(name, revision) : nil)
                    if l == r { continue }
                    let status = l == nil ? "added" : r == nil ? "removed" : "modified"
                    let sources = touched.filter { $0.0.function == name || $0.0.function.isEmpty }.map { describe($0.0) }
                    changes.append(.init(function: name, status: status, source: sources.joined(separator: ", "),
                                         operations: JSONPatch.diff(l ?? .object(JSONObject()), r ?? .object(JSONObject()))))
                }
            } else {
                for (key, body) in keys {
                    if let function, key.function != function { continue }
                    if key.kind == .environment && body != nil { continue }
                    let previous = try previousBody(key, before: revision.number)
                    let old = try previous.map { try JSONParser.parse($0) }, new = try body.map { try JSONParser.parse($0) }
                    let status: String
                    switch key.kind {
                    case .base: status = old == nil ? "added" : new == nil ? "removed" : "modified"
                    case .path: if old == nil || new == nil { continue }; status = "moved"
                    case .code: if old == nil || new == nil { continue }; status = "code"
                    default: status = old == nil ? "added" : new == nil ? "removed" : "modified"
                    }
                    changes.append(.init(function: key.function.isEmpty ? "*" : key.function, status: status, source: describe(key),
                                         operations: JSONPatch.diff(old ?? .object(JSONObject()), new ?? .object(JSONObject()))))
                }
            }
            if function != nil && changes.isEmpty { continue }
            entries.append(LogEntry(revision: revision, changes: changes))
        }
        return entries
    }

    private func describe(_ key: StateKey) -> String { RepositoryLayout.label(for: key) }

    private func previousBody(_ key: StateKey, before revision: Int) throws -> String? {
        try storage.document(key, before: revision)
    }
}
