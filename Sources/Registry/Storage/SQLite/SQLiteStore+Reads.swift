import Foundation

/// `RegistryReader` over the schema of `migrations/` (keys, versions, documents, revisions, ...).
/// A key's document at revision R is its newest version at or before R: one seek of the versions
/// primary key (key_id, revision) per key, never a replay of history.
extension SQLiteStore {
    // MARK: - Revisions

    static let revisionColumns = "number, commit_id, author_name, author_email, committed_at, message, imported_at, source, skipped, skip_reason, rewrite_of, validation"

    static func revision(_ s: Statement) -> Revision {
        Revision(number: s.int(0), commit: s.optionalString(1), authorName: s.optionalString(2), authorEmail: s.optionalString(3),
                 committedAt: s.int64(4), message: s.string(5), importedAt: s.int64(6), source: s.string(7),
                 skipped: s.int(8) != 0, skipReason: s.optionalString(9), rewriteOf: s.optionalInt(10), validation: s.optionalString(11))
    }

    func latestRevision() throws -> Revision? {
        try db.queryOne("SELECT \(Self.revisionColumns) FROM revisions ORDER BY number DESC LIMIT 1", [], Self.revision)
    }

    func revision(_ number: Int) throws -> Revision? {
        try db.queryOne("SELECT \(Self.revisionColumns) FROM revisions WHERE number = ?1", [.integer(Int64(number))], Self.revision)
    }

    func revision(commit: String) throws -> Revision? {
        try db.queryOne("SELECT \(Self.revisionColumns) FROM revisions WHERE commit_id = ?1 ORDER BY number DESC LIMIT 1", [.text(commit)], Self.revision)
    }

    func latestCommittedRevision() throws -> Revision? {
        try db.queryOne("SELECT \(Self.revisionColumns) FROM revisions WHERE commit_id IS NOT NULL ORDER BY number DESC LIMIT 1", [], Self.revision)
    }

    func revisions(newestFirst: Bool = true, limit: Int? = nil) throws -> [Revision] {
        try db.query("SELECT \(Self.revisionColumns) FROM revisions ORDER BY number \(newestFirst ? "DESC" : "ASC") LIMIT ?1",
                     [.integer(Int64(limit ?? -1))], Self.revision)
    }

    func revisions(commitPrefix prefix: String) throws -> [Revision] {
        // Commit ids are lowercase hex, so a range scan on the index finds the prefix.
        try db.query("SELECT \(Self.revisionColumns) FROM revisions WHERE commit_id >= ?1 AND commit_id < ?2 ORDER BY number",
                     [.text(prefix), .text(prefix + "g")], Self.revision)
    }

    func revision(committedAtOrBefore time: Int64) throws -> Revision? {
        try db.queryOne("SELECT \(Self.revisionColumns) FROM revisions WHERE committed_at <= ?1 ORDER BY number DESC LIMIT 1", [.integer(time)], Self.revision)
    }

    func earliestCommitTime() throws -> Int64? {
        try db.queryOne("SELECT min(committed_at) FROM revisions", []) { $0.optionalInt64(0) } ?? nil
    }

    func revisionsTouching(function: String, environment: String?) throws -> Set<Int> {
        Set(try db.query("""
            SELECT DISTINCT v.revision FROM keys k JOIN versions v ON v.key_id = k.id
            WHERE k.function = ?1 OR (?2 IS NOT NULL AND k.environment = ?2 AND k.kind IN ('envpatch', 'environment'))
            UNION SELECT number FROM revisions WHERE skipped = 1
            """, [.text(function), SQLValue(environment)]) { $0.int(0) })
    }

    func hasTreeDigest(_ digest: String, revision number: Int) throws -> Bool {
        try db.queryOne("SELECT 1 FROM tree_digests WHERE revision = ?1 AND digest = ?2", [.integer(Int64(number)), .text(digest)]) { _ in true } ?? false
    }

    func binding() throws -> Binding? {
        try db.queryOne("SELECT kind, root_commit, branch, prefix, source_path, bound_at FROM binding WHERE id = 1", []) { s in
            Binding(kind: Binding.Kind(rawValue: s.string(0)) ?? .directory, rootCommit: s.optionalString(1), branch: s.optionalString(2),
                    prefix: s.string(3), sourcePath: s.optionalString(4), boundAt: s.int64(5))
        }
    }

    // MARK: - State at a revision

    static func key(_ s: Statement, _ first: Int32 = 0) -> StateKey {
        StateKey(StateKey.Kind(rawValue: s.string(first))!, environment: s.string(first + 1), function: s.string(first + 2))
    }

    func stateHashes(at revision: Int) throws -> [StateKey: DocumentHash] {
        var out: [StateKey: DocumentHash] = [:]
        for (key, hash) in try db.query("""
            SELECT k.kind, k.environment, k.function, d.hash FROM keys k
            JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            JOIN documents d ON d.id = v.document_id
            """, [.integer(Int64(revision))], { s in (Self.key(s), DocumentHash(s.bytes(3))) }) {
            out[key] = hash
        }
        return out
    }

    func state(at revision: Int, environment: String?) throws -> [StateKey: String] {
        var out: [StateKey: String] = [:]
        let statement = try db.cached("""
            SELECT k.kind, k.environment, k.function, d.body FROM keys k
            JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            JOIN documents d ON d.id = v.document_id
            WHERE k.environment = '' OR k.environment = ?2 OR ?2 IS NULL
            """)
        try statement.bind([.integer(Int64(revision)), SQLValue(environment)])
        while try statement.step() { out[Self.key(statement)] = statement.string(3) }
        return out
    }

    /// Six primary-key seeks, whatever the number of functions (for `show`, `log FUNCTION`).
    func state(at revision: Int, environment: String, function: String) throws -> [StateKey: String] {
        var out: [StateKey: String] = [:]
        let keys = [StateKey(.base, function: function), StateKey(.path, function: function), StateKey(.code, function: function),
                    StateKey(.environment, environment: environment), StateKey(.envpatch, environment: environment),
                    StateKey(.override, environment: environment, function: function)]
        for key in keys {
            let body = try db.queryOne("""
                SELECT d.body FROM keys k JOIN versions v ON v.key_id = k.id
                 AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?4)
                JOIN documents d ON d.id = v.document_id
                WHERE k.kind = ?1 AND k.environment = ?2 AND k.function = ?3
                """, [.text(key.kind.rawValue), .text(key.environment), .text(key.function), .integer(Int64(revision))]) { $0.string(0) }
            if let body { out[key] = body }
        }
        return out
    }

    /// The keys index gives the order, and one seek of the versions primary key per key finds the
    /// newest version at or before the revision (a deleted key's NULL document joins nothing; no
    /// sort, so nothing spills to a temporary file).
    static let keyStreamSQL = """
        SELECT k.function, d.body FROM keys k
        JOIN documents d ON d.id = (SELECT document_id FROM versions WHERE key_id = k.id AND revision <= ?1 ORDER BY revision DESC LIMIT 1)
        WHERE k.kind = ?2 AND k.environment = ?3
        ORDER BY k.function
        """

    func keyStream(_ kind: StateKey.Kind, environment: String, revision: Int) throws -> any KeyDocumentStream {
        let statement = try db.prepare(Self.keyStreamSQL)
        try statement.bind([.integer(Int64(revision)), .text(kind.rawValue), .text(environment)])
        return try SQLiteKeyStream(statement)
    }

    func environments(at revision: Int) throws -> [String] {
        try db.query("""
            SELECT k.environment FROM keys k JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            WHERE k.kind = 'environment' AND v.document_id IS NOT NULL ORDER BY k.environment
            """, [.integer(Int64(revision))]) { $0.string(0) }
    }

    func functionNames(at revision: Int) throws -> [String] {
        try db.query("""
            SELECT k.function FROM keys k JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            WHERE k.kind = 'base' AND v.document_id IS NOT NULL ORDER BY k.function
            """, [.integer(Int64(revision))]) { $0.string(0) }
    }

    func namesEver(_ kind: StateKey.Kind) throws -> [String] {
        let column = kind == .environment || kind == .envpatch ? "environment" : "function"
        return try db.query("SELECT DISTINCT \(column) FROM keys WHERE kind = ?1 ORDER BY \(column)", [.text(kind.rawValue)]) { $0.string(0) }
    }

    func revisionAdding(function: String, after revision: Int) throws -> Int? {
        let existedBefore = try db.queryOne("""
            SELECT 1 FROM keys k JOIN versions v ON v.key_id = k.id
            WHERE k.kind = 'base' AND k.function = ?1 AND v.revision <= ?2 AND v.document_id IS NOT NULL
            """, [.text(function), .integer(Int64(revision))], { _ in true }) != nil
        if existedBefore { return nil }
        return try db.queryOne("""
            SELECT min(v.revision) FROM keys k JOIN versions v ON v.key_id = k.id
            WHERE k.kind = 'base' AND k.function = ?1 AND v.document_id IS NOT NULL AND v.revision > ?2
            """, [.text(function), .integer(Int64(revision))], { $0.optionalInt(0) }) ?? nil
    }

    func revisionRemoving(function: String, atOrBefore revision: Int) throws -> Int? {
        try db.queryOne("""
            SELECT max(v.revision) FROM keys k JOIN versions v ON v.key_id = k.id
            WHERE k.kind = 'base' AND k.function = ?1 AND v.document_id IS NULL AND v.revision <= ?2
            """, [.text(function), .integer(Int64(revision))], { $0.optionalInt(0) }) ?? nil
    }

    // MARK: - Changes and history

    func changes(at revision: Int) throws -> [(StateKey, String?)] {
        try db.query("""
            SELECT k.kind, k.environment, k.function, d.body FROM versions v
            JOIN keys k ON k.id = v.key_id LEFT JOIN documents d ON d.id = v.document_id
            WHERE v.revision = ?1 ORDER BY k.kind, k.environment, k.function
            """, [.integer(Int64(revision))]) { s in (Self.key(s), s.optionalString(3)) }
    }

    func changedKeys(environment: String, after low: Int, through high: Int) throws -> [(StateKey.Kind, String)] {
        try db.query("""
            SELECT DISTINCT k.kind, k.function FROM versions v JOIN keys k ON k.id = v.key_id
            WHERE v.revision > ?1 AND v.revision <= ?2 AND (k.environment = '' OR k.environment = ?3)
            """, [.integer(Int64(low)), .integer(Int64(high)), .text(environment)]) { (StateKey.Kind(rawValue: $0.string(0))!, $0.string(1)) }
    }

    func history(of key: StateKey) throws -> [(Int, String?)] {
        try db.query("""
            SELECT v.revision, d.body FROM keys k JOIN versions v ON v.key_id = k.id LEFT JOIN documents d ON d.id = v.document_id
            WHERE k.kind = ?1 AND k.environment = ?2 AND k.function = ?3 ORDER BY v.revision
            """, [.text(key.kind.rawValue), .text(key.environment), .text(key.function)]) { ($0.int(0), $0.optionalString(1)) }
    }

    func document(_ key: StateKey, before revision: Int) throws -> String? {
        try db.queryOne("""
            SELECT d.body FROM keys k JOIN versions v ON v.key_id = k.id LEFT JOIN documents d ON d.id = v.document_id
            WHERE k.kind = ?1 AND k.environment = ?2 AND k.function = ?3 AND v.revision < ?4 ORDER BY v.revision DESC LIMIT 1
            """, [.text(key.kind.rawValue), .text(key.environment), .text(key.function), .integer(Int64(revision))]) { $0.optionalString(0) } ?? nil
    }

    // MARK: - Deployments

    static let deploymentColumns = "number, environment, revision, snapshot_hash, deployed_at, deployed_by, note, kind, restores"

    static func deployment(_ s: Statement) -> Deployment {
        Deployment(number: s.int(0), environment: s.string(1), revision: s.int(2), snapshotHash: s.string(3), deployedAt: s.int64(4),
                   deployedBy: s.string(5), note: s.optionalString(6), kind: s.string(7), restores: s.optionalInt(8))
    }

    func deployment(_ number: Int) throws -> Deployment? {
        try db.queryOne("SELECT \(Self.deploymentColumns) FROM deployments WHERE number = ?1", [.integer(Int64(number))], Self.deployment)
    }

    func deployments(environment: String?) throws -> [Deployment] {
        let tableExists = try db.queryOne("SELECT 1 FROM sqlite_master WHERE name = 'deployments'", []) { _ in true } ?? false
        guard tableExists else { return [] }
        return try db.query("""
            SELECT \(Self.deploymentColumns) FROM deployments WHERE ?1 IS NULL OR environment = ?1
            ORDER BY deployed_at DESC, number DESC
            """, [SQLValue(environment)], Self.deployment)
    }

    // MARK: - What imports learned

    /// One query for all (a statement per blob would pay SQLite's per-transaction locking thousands of times).
    func documents(blobs: [String]) throws -> [String: Document] {
        guard !blobs.isEmpty else { return [:] }
        var out: [String: Document] = [:]
        out.reserveCapacity(blobs.count)
        for (blob, document) in try db.query("""
            SELECT b.blob, d.hash, d.body FROM blob_documents b JOIN documents d ON d.id = b.document_id
            WHERE b.blob IN (SELECT value FROM json_each(?1))
            """, [.text(JSONWriter.canonical(.array(blobs.map { .string($0) })))], {
                ($0.string(0), Document(hash: DocumentHash($0.bytes(1)), canonical: $0.string(2)))
            }) {
            out[blob] = document
        }
        return out
    }

    func codeHashes(listings: [String]) throws -> [String: String] {
        guard !listings.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for (listing, hash) in try db.query("SELECT listing, code_hash FROM code_listings WHERE listing IN (SELECT value FROM json_each(?1))",
                                            [.text(JSONWriter.canonical(.array(listings.map { .string($0) })))], { ($0.string(0), $0.string(1)) }) {
            out[listing] = hash
        }
        return out
    }

    func blobCacheRows() throws -> [(blob: String, document: DocumentHash)] {
        try db.query("SELECT b.blob, d.hash FROM blob_documents b JOIN documents d ON d.id = b.document_id ORDER BY b.blob", []) {
            ($0.string(0), DocumentHash($0.bytes(1)))
        }
    }
}

/// Rows (function, body) of one statement in function order, read one ahead for a merge join.
final class SQLiteKeyStream: KeyDocumentStream {
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

    func take(_ function: String) throws -> [UInt8]? {
        while let (name, body) = head {
            if name == function { try advance(); return body }
            guard codePointLess(name, function) else { return nil }
            try advance()
        }
        return nil
    }
}
