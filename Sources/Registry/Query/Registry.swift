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
        var patches: [PreparedPatch?] = []
        for environment in environments {
            let env = try store.state(at: revision.number, environment: environment, function: "")
            guard env[StateKey(.environment, environment: environment)] != nil else {
                throw RegistryError.unknownEnvironment(environment, known: try self.environments(at: revision.number))
            }
            patches.append(try Self.patch(env[StateKey(.envpatch, environment: environment)].map { Array($0.utf8) }).map(PreparedPatch.init))
        }
        // Every function's base and code hash, and each environment's overrides: one stream per kind of
        // key, each in function (code point) order straight from the keys index (no sort, so nothing
        // spills to a temporary file), merge-joined here. One index seek per key, no replay of history.
        func stream(_ kind: StateKey.Kind, _ environment: String) throws -> KeyStream {
            let statement = try store.db.prepare(Self.keyStreamSQL)
            try statement.bind([.integer(Int64(revision.number)), .text(kind.rawValue), .text(environment)])
            return try KeyStream(statement)
        }
        let bases = try stream(.base, ""), codes = try stream(.code, "")
        let overrides = try environments.map { try stream(.override, $0) }
        var members = Array(repeating: [(name: String, canonical: [UInt8])](), count: environments.count)
        while let (function, base) = try bases.next() {
            let code = try codes.take(function).map { try JSONParser.parse($0).stringValue } ?? nil
            let scanned = CanonicalSplice.memberRanges(base)
            for i in environments.indices {
                let override = try Self.patch(try overrides[i].take(function)).map(PreparedPatch.init)
                members[i].append((function, try CanonicalSplice.effective(base: base, members: scanned, environmentPatch: patches[i],
                                                                           override: override, codeHash: code)))
            }
        }
        return environments.indices.map { Snapshot(environment: environments[$0], revision: revision, canonicalMembers: members[$0]) }
    }

    /// The documents of one kind of key (?2) in one environment (?3) at revision ?1, in function order:
    /// the keys index gives the order, and one seek of the versions primary key per key finds the
    /// newest version at or before the revision (a deleted key's NULL document joins nothing).
    static let keyStreamSQL = """
        SELECT k.function, d.body FROM keys k
        JOIN documents d ON d.id = (SELECT document_id FROM versions WHERE key_id = k.id AND revision <= ?1 ORDER BY revision DESC LIMIT 1)
        WHERE k.kind = ?2 AND k.environment = ?3
        ORDER BY k.function
        """

    /// Rows (function, body) of one statement in function order, read one ahead for a merge join.
    private final class KeyStream {
        private let statement: Statement
        private var head: (String, [UInt8])?

        init(_ statement: Statement) throws {
            self.statement = statement
            try advance()
        }

        private func advance() throws {
            head = try statement.step() ? (statement.string(0), statement.withText(1) { Array($0) }) : nil
        }

        func next() throws -> (String, [UInt8])? {
            guard let row = head else { return nil }
            try advance()
            return row
        }

        /// The body of `function`'s row, skipping rows of functions ordered before it (keys whose base
        /// is gone at this revision); nil when it has none.
        func take(_ function: String) throws -> [UInt8]? {
            while let (name, body) = head {
                if name == function { try advance(); return body }
                guard codePointLess(name, function) else { return nil }
                try advance()
            }
            return nil
        }
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
