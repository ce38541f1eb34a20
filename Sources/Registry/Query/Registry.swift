import Foundation

/// The query side of fnreg: points in history, snapshots, functions and environments at a revision.
public final class Registry {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Opens the database for reading; a missing database has no revisions.
    public convenience init(databasePath: String) throws {
        self.init(store: try Store(path: databasePath, readOnly: true))
    }

    // MARK: - Points

    /// The revision `point` names; `environment` is needed for `deployed:T`.
    public func resolve(_ pointText: String?, environment: String? = nil) throws -> Revision {
        let point = try Point.parse(pointText)
        let text = pointText ?? "HEAD"
        guard let latest = try store.latestRevision() else { throw RegistryError.noRevisions }
        func unknown(_ reason: String, _ candidates: [String]) -> RegistryError { .unknownPoint(text, reason: reason, candidates: candidates) }
        switch point {
        case .head(let back):
            guard back < latest.number, let r = try store.revision(latest.number - back) else {
                throw unknown("there are only \(latest.number) revisions", ["HEAD~0 … HEAD~\(latest.number - 1)"])
            }
            return r
        case .revision(let n):
            guard let r = try store.revision(n) else { throw unknown("no revision \(n)", ["rev:1 … rev:\(latest.number)"]) }
            return r
        case .commit(let prefix):
            let matches = try store.revisions(commitPrefix: prefix)
            if matches.count == 1 { return matches[0] }
            if matches.isEmpty {
                let recent = try store.revisions(newestFirst: true, limit: 10).compactMap { r in r.commit.map { "\($0.prefix(12)) (rev \(r.number))" } }
                throw unknown("no imported commit starts with \(prefix)", recent)
            }
            throw unknown("\(matches.count) imported commits start with \(prefix)", matches.map { "\($0.commit!.prefix(16)) (rev \($0.number))" })
        case .time(let t):
            guard let r = try store.db.queryOne("SELECT \(Store.revisionColumns) FROM revisions WHERE committed_at <= ?1 ORDER BY number DESC LIMIT 1",
                                                [.integer(t)], Store.revision) else {
                let first = try store.db.queryOne("SELECT min(committed_at) FROM revisions", []) { $0.int64(0) }
                throw unknown("no revision was committed at or before \(ISOTime.format(t))", first.map { ["time:\(ISOTime.format($0)) (the earliest)"] } ?? [])
            }
            return r
        case .deployment(let n):
            guard let d = try deployments().first(where: { $0.number == n }) else {
                let all = try deployments().prefix(10).map { "deploy:\($0.number) (\($0.environment))" }
                throw unknown("no deployment \(n)", Array(all))
            }
            return try store.revision(d.revision)!
        case .deployed(let t):
            guard let environment else { throw unknown("deployed:T needs an environment", []) }
            guard let d = try deployments(environment: environment).first(where: { $0.deployedAt <= t }) else {
                let all = try deployments(environment: environment).prefix(10).map { "deployed:\(ISOTime.format($0.deployedAt))" }
                throw unknown("nothing was deployed to \(environment) at or before \(ISOTime.format(t))", Array(all))
            }
            return try store.revision(d.revision)!
        }
    }

    // MARK: - Snapshots

    /// Environments that exist at `revision`.
    public func environments(at revision: Int) throws -> [String] {
        try store.db.query("""
            SELECT k.environment FROM keys k JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            WHERE k.kind = 'environment' AND v.document_id IS NOT NULL ORDER BY k.environment
            """, [.integer(Int64(revision))]) { $0.string(0) }
    }

    /// The snapshot of `environment` at `point`.
    public func snapshot(environment: String, at point: String?) throws -> Snapshot {
        let revision = try resolve(point, environment: environment)
        return try snapshot(environment: environment, revision: revision)
    }

    public func snapshot(environment: String, revision: Revision) throws -> Snapshot {
        try snapshots(environments: [environment], revision: revision)[0]
    }

    /// Snapshots of several environments at one revision, sharing one read of the base documents
    /// (what `diff staging prod`, `parity` and `query` need).
    public func snapshots(environments: [String], revision: Revision) throws -> [Snapshot] {
        var patches: [JSONObject?] = []
        for environment in environments {
            let env = try store.state(at: revision.number, environment: environment, function: "")
            guard env[StateKey(.environment, environment: environment)] != nil else {
                throw RegistryError.unknownEnvironment(environment, known: try self.environments(at: revision.number))
            }
            patches.append(try Self.patch(env[StateKey(.envpatch, environment: environment)].map { Array($0.utf8) }))
        }
        let index = Dictionary(environments.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        // Every function's base and code hash, and the environments' overrides, in one pass in function
        // (code point) order: one index seek per key, no replay of history, no intermediate dictionary.
        let placeholders = environments.indices.map { "?\($0 + 2)" }.joined(separator: ", ")
        let statement = try store.db.cached("""
            SELECT k.function, k.kind, k.environment, d.body FROM keys k
            JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            JOIN documents d ON d.id = v.document_id
            WHERE (k.environment = '' AND k.kind IN ('base', 'code')) OR (k.kind = 'override' AND k.environment IN (\(placeholders)))
            ORDER BY k.function, k.kind
            """)
        try statement.bind([.integer(Int64(revision.number))] + environments.map { .text($0) })
        var members = Array(repeating: [(name: String, canonical: [UInt8])](), count: environments.count)
        var current = ""
        var base: [UInt8]?, code: String?
        var overrides = Array(repeating: [UInt8]?.none, count: environments.count)
        func flush() throws {
            guard let base else { return }
            let scanned = CanonicalSplice.members(base)
            for i in environments.indices {
                members[i].append((current, try CanonicalSplice.effective(base: base, members: scanned, environmentPatch: patches[i],
                                                                           override: try Self.patch(overrides[i]), codeHash: code)))
            }
        }
        while try statement.step() {
            let function = statement.string(0)
            if function != current {
                try flush()
                current = function
                base = nil; code = nil
                for i in overrides.indices { overrides[i] = nil }
            }
            let body = statement.withText(3) { Array($0) }
            switch statement.string(1) {
            case "base": base = body
            case "code": code = try JSONParser.parse(body).stringValue
            default: if let i = index[statement.string(2)] { overrides[i] = body }
            }
        }
        try flush()
        return environments.indices.map { Snapshot(environment: environments[$0], revision: revision, canonicalMembers: members[$0]) }
    }

    private static func patch(_ bytes: [UInt8]?) throws -> JSONObject? {
        guard let bytes, case .object(var o) = try JSONParser.parse(bytes) else { return nil }
        o[FunctionSchema.schemaKey] = nil
        return o
    }

    /// One function's effective configuration (with `code_hash`) in `environment` at `revision`, or nil
    /// when the function does not exist there; throws when the environment does not exist.
    public func effectiveConfiguration(function: String, environment: String, revision: Revision) throws -> JSONValue? {
        let state = try store.state(at: revision.number, environment: environment, function: function)
        guard state[StateKey(.environment, environment: environment)] != nil else {
            throw RegistryError.unknownEnvironment(environment, known: try environments(at: revision.number))
        }
        guard let body = state[StateKey(.base, function: function)] else { return nil }
        let envPatch = try state[StateKey(.envpatch, environment: environment)].map { try JSONParser.parse($0) }
        let override = try state[StateKey(.override, environment: environment, function: function)].map { try JSONParser.parse($0) }
        var effective = Layering.effective(base: try JSONParser.parse(body), environmentPatch: envPatch, override: override).objectValue ?? JSONObject()
        if let code = state[StateKey(.code, function: function)] { effective["code_hash"] = try JSONParser.parse(code) }
        return .object(effective)
    }

    /// Function names at `revision`.
    public func functionNames(at revision: Int) throws -> [String] {
        try store.db.query("""
            SELECT k.function FROM keys k JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            WHERE k.kind = 'base' AND v.document_id IS NOT NULL ORDER BY k.function
            """, [.integer(Int64(revision))]) { $0.string(0) }
    }

    /// Base configurations (function.json as imported) at `revision`, with their directories.
    public func baseFunctions(at revision: Int) throws -> [(name: String, path: String, config: JSONValue, codeHash: String?)] {
        let state = try store.state(at: revision, environment: "")
        return try state.filter { $0.key.kind == .base }.map { key, body in
            (key.function,
             (try? JSONParser.parse(state[StateKey(.path, function: key.function)] ?? "\"\"").stringValue ?? "") ?? "",
             FunctionSchema.fillDefaults(FunctionSchema.normalizedBase(try JSONParser.parse(body))),
             try? JSONParser.parse(state[StateKey(.code, function: key.function)] ?? "null").stringValue)
        }.sorted { codePointLess($0.name, $1.name) }
    }

    // MARK: - Deployments

    public func deployments(environment: String? = nil) throws -> [Deployment] {
        try store.deployments(environment: environment)
    }
}
