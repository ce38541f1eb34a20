import Foundation

/// The registry's SQLite file: documents, revisions, the per-key version history and deployments.
public final class Store {
    public let db: Database
    private var documentIDs: [DocumentHash: Int64] = [:]
    private var keyIDs: [StateKey: Int64] = [:]

    /// Opens the registry at `path`, creating and migrating it unless `readOnly`. A read-only open
    /// never creates anything: a missing file is `noDatabase`. A new database is created only in an
    /// existing directory (`createDirectory`: make it first, mode 0700), as a file of mode 0600.
    public init(path: String, readOnly: Bool = false, createDirectory: Bool = false, mustExist: Bool = false) throws {
        guard !path.isEmpty else { throw RegistryError.usage("The database path is empty; set --db or FNREG_DB to a file name.") }
        guard path != ":memory:", !path.hasPrefix("file:") else {
            throw RegistryError.usage("\(path) is not a database file: a registry is kept in a file; give --db a file name.")
        }
        var info = stat()
        let exists = lstat(path, &info) == 0
        if exists && info.st_mode & S_IFMT == S_IFLNK {
            throw RegistryError.refused("\(path) is a symbolic link; fnreg opens only a database file itself (name the real file with --db).")
        }
        if exists && info.st_mode & S_IFMT == S_IFDIR {
            throw RegistryError.usage("\(path) is a directory; give --db the database file's name.")
        }
        if (readOnly || mustExist) && !exists { throw RegistryError.noDatabase(path) }
        if !readOnly && !exists {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                var folderInfo = stat()
                if lstat(folder, &folderInfo) != 0 {
                    guard createDirectory else {
                        throw RegistryError.usage("The directory of \(path) does not exist; create it first (fnreg creates a database only in an existing directory).")
                    }
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    } catch {
                        throw RegistryError.output("Cannot create the directory \(folder) for the database: \(error.localizedDescription).")
                    }
                } else if folderInfo.st_mode & S_IFMT == S_IFLNK && createDirectory {
                    throw RegistryError.refused("\(folder) is a symbolic link; fnreg keeps its database only in a real directory.")
                }
            }
            try Store.create(path)
        }
        do {
            db = try Database(path: path, readOnly: readOnly)
            // Reading the schema is where a file that is not SQLite fails.
            _ = try db.queryOne("SELECT count(*) FROM sqlite_master", []) { $0.int(0) }
            if readOnly {
                let problems = try Migrator.verify(db)
                if let newer = problems.first(where: { $0.contains("newer") }) {
                    throw RegistryError.newerSchema(String(newer.split(separator: " ")[1]))
                }
                let hasRevisions = try db.queryOne("SELECT 1 FROM sqlite_master WHERE name = 'revisions'", []) { _ in true } != nil
                if !problems.isEmpty && !hasRevisions {
                    throw RegistryError.noRevisions
                }
            } else {
                try Migrator.migrate(db)
            }
        } catch let error as SQLiteError {
            if error.isBusy { throw RegistryError.databaseBusy(path) }
            if error.code & 0xff == 26 /* SQLITE_NOTADB */ { throw RegistryError.notADatabase(path, reason: "the file is not an SQLite database") }
            if error.code & 0xff == 8 /* SQLITE_READONLY */ { throw RegistryError.notADatabase(path, reason: "the file is read-only") }
            throw RegistryError.notADatabase(path, reason: error.message)
        }
    }

    /// Creates the database at `path` whole or not at all: migrated in a temporary file beside it
    /// (mode 0600 whatever the umask: it may hold text that must not be world-readable; SQLite gives
    /// its -wal and -shm files the same mode), then linked into place. Killed part-way, it leaves no
    /// database and a temporary file that the next creation removes; two processes creating it at
    /// once both end with the same database.
    static func create(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        AtomicFile.removeStaleTemporaries(directory: directory, name: (path as NSString).lastPathComponent)
        let temporary = directory + "/." + (path as NSString).lastPathComponent + ".fnreg-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AtomicFile.outputError(path, errno) }
        fchmod(fd, 0o600)
        close(fd)
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }
        do {
            let db = try Database(path: temporary)
            try Migrator.migrate(db)
            try db.checkpoint()
        } catch let error as SQLiteError {
            if error.code & 0xff == 13 { throw RegistryError.output("Cannot create the database \(path): the disk is full; nothing was written.") }
            throw error
        }
        // link() fails when the name exists: whoever created it first wins, and both use that one.
        if link(temporary, path) != 0 && errno != EEXIST { throw AtomicFile.outputError(path, errno) }
    }

    /// Whether the connection could only read the file as immutable (read-only media, a full disk).
    public var isImmutableRead: Bool { db.readMode == .immutable }

    // MARK: - Revisions

    static let revisionColumns = "number, commit_id, author_name, author_email, committed_at, message, imported_at, source, skipped, skip_reason, rewrite_of, validation"

    static func revision(_ s: Statement) -> Revision {
        Revision(number: s.int(0), commit: s.optionalString(1), authorName: s.optionalString(2), authorEmail: s.optionalString(3),
                 committedAt: s.int64(4), message: s.string(5), importedAt: s.int64(6), source: s.string(7),
                 skipped: s.int(8) != 0, skipReason: s.optionalString(9), rewriteOf: s.optionalInt(10), validation: s.optionalString(11))
    }

    public func latestRevision() throws -> Revision? {
        try db.queryOne("SELECT \(Store.revisionColumns) FROM revisions ORDER BY number DESC LIMIT 1", [], Store.revision)
    }

    public func revision(_ number: Int) throws -> Revision? {
        try db.queryOne("SELECT \(Store.revisionColumns) FROM revisions WHERE number = ?1", [.integer(Int64(number))], Store.revision)
    }

    /// The newest revision recorded from `commit` (a branch reset backwards records a commit again).
    public func revision(commit: String) throws -> Revision? {
        try db.queryOne("SELECT \(Store.revisionColumns) FROM revisions WHERE commit_id = ?1 ORDER BY number DESC LIMIT 1", [.text(commit)], Store.revision)
    }

    /// The newest revision that names a commit (nil when none does).
    public func latestCommittedRevision() throws -> Revision? {
        try db.queryOne("SELECT \(Store.revisionColumns) FROM revisions WHERE commit_id IS NOT NULL ORDER BY number DESC LIMIT 1", [], Store.revision)
    }

    public func revisions(newestFirst: Bool = true, limit: Int? = nil) throws -> [Revision] {
        try db.query("SELECT \(Store.revisionColumns) FROM revisions ORDER BY number \(newestFirst ? "DESC" : "ASC") LIMIT ?1",
                     [.integer(Int64(limit ?? -1))], Store.revision)
    }

    public func revisions(commitPrefix prefix: String) throws -> [Revision] {
        // Commit ids are lowercase hex, so a range scan on the unique index finds the prefix.
        try db.query("SELECT \(Store.revisionColumns) FROM revisions WHERE commit_id >= ?1 AND commit_id < ?2 ORDER BY number",
                     [.text(prefix), .text(prefix + "g")], Store.revision)
    }

    public func importedCommits() throws -> Set<String> {
        Set(try db.query("SELECT commit_id FROM revisions WHERE commit_id IS NOT NULL", []) { $0.string(0) })
    }

    /// Inserts the next revision and returns its number.
    func insertRevision(commit: String?, authorName: String?, authorEmail: String?, committedAt: Int64, message: String,
                        source: String, skipped: Bool = false, skipReason: String? = nil, warnings: String? = nil,
                        rewriteOf: Int? = nil, validation: String? = nil, stateDigest: String? = nil) throws -> Int {
        let next = (try db.queryOne("SELECT coalesce(max(number), 0) + 1 FROM revisions", []) { $0.int(0) }) ?? 1
        try db.run("""
            INSERT INTO revisions (number, commit_id, author_name, author_email, committed_at, message, imported_at, source, skipped,
                                   skip_reason, warnings, rewrite_of, validation, state_digest)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """, [.integer(Int64(next)), SQLValue(commit), SQLValue(authorName), SQLValue(authorEmail), .integer(committedAt),
                  .text(message), .integer(Int64(Date().timeIntervalSince1970)), .text(source), .integer(skipped ? 1 : 0),
                  SQLValue(skipReason), SQLValue(warnings), SQLValue(rewriteOf), SQLValue(validation), SQLValue(stateDigest)])
        return next
    }

    /// Whether files with this digest (`SourceTree.digest`) are known to give revision `number`'s state.
    func hasTreeDigest(_ digest: String, revision number: Int) throws -> Bool {
        try db.queryOne("SELECT 1 FROM tree_digests WHERE revision = ?1 AND digest = ?2", [.integer(Int64(number)), .text(digest)]) { _ in true } ?? false
    }

    /// Records that files with this digest give revision `number`'s state.
    func recordTreeDigest(_ digest: String, revision number: Int) throws {
        try db.run("INSERT OR IGNORE INTO tree_digests (revision, digest) VALUES (?1, ?2)", [.integer(Int64(number)), .text(digest)])
    }

    // MARK: - Documents and versions

    /// Stores `document` once (content-addressed) and returns its row id.
    func documentID(_ document: Document) throws -> Int64 {
        if let id = documentIDs[document.hash] { return id }
        let hashBytes = SQLValue.blob(document.hash.bytes)
        if let id = try db.queryOne("SELECT id FROM documents WHERE hash = ?1", [hashBytes], { $0.int64(0) }) {
            documentIDs[document.hash] = id
            return id
        }
        try db.run("INSERT INTO documents (hash, body) VALUES (?1, ?2)", [hashBytes, .text(document.body)])
        let id = db.lastInsertRowID
        documentIDs[document.hash] = id
        return id
    }

    func keyID(_ key: StateKey) throws -> Int64 {
        if let id = keyIDs[key] { return id }
        let args: [SQLValue] = [.text(key.kind.rawValue), .text(key.environment), .text(key.function)]
        if let id = try db.queryOne("SELECT id FROM keys WHERE kind = ?1 AND environment = ?2 AND function = ?3", args, { $0.int64(0) }) {
            keyIDs[key] = id
            return id
        }
        try db.run("INSERT INTO keys (kind, environment, function) VALUES (?1, ?2, ?3)", args)
        let id = db.lastInsertRowID
        keyIDs[key] = id
        return id
    }

    /// Records that `key` holds `document` (nil: deleted) from `revision` on.
    func insertVersion(_ key: StateKey, revision: Int, document: Document?) throws {
        let keyID = try keyID(key)
        let documentID = try document.map { try self.documentID($0) }
        try db.run("INSERT INTO versions (key_id, revision, document_id) VALUES (?1, ?2, ?3)",
                   [.integer(keyID), .integer(Int64(revision)), documentID.map { .integer($0) } ?? .null])
    }

    /// Forgets cached ids (after a rolled-back transaction they may not exist).
    func resetCaches() {
        documentIDs.removeAll()
        keyIDs.removeAll()
    }

    /// The hash of every key's document at `revision` (deleted keys omitted): the state the next import diffs against.
    func stateHashes(at revision: Int) throws -> [StateKey: DocumentHash] {
        var out: [StateKey: DocumentHash] = [:]
        let sql = """
            SELECT k.kind, k.environment, k.function, d.hash FROM keys k
            JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            JOIN documents d ON d.id = v.document_id
            """
        for (key, hash) in try db.query(sql, [.integer(Int64(revision))], { s in
            (StateKey(StateKey.Kind(rawValue: s.string(0))!, environment: s.string(1), function: s.string(2)), DocumentHash(s.bytes(3)))
        }) {
            out[key] = hash
        }
        return out
    }

    /// The documents of the keys visible to `environment` (plus function-level keys) at `revision`.
    /// One indexed lookup per key: O(keys × log revisions), never a replay of history.
    public func state(at revision: Int, environment: String?) throws -> [StateKey: String] {
        var out: [StateKey: String] = [:]
        let sql = """
            SELECT k.kind, k.environment, k.function, d.body FROM keys k
            JOIN versions v ON v.key_id = k.id
             AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= ?1)
            JOIN documents d ON d.id = v.document_id
            WHERE k.environment = '' OR k.environment = ?2 OR ?2 IS NULL
            """
        let statement = try db.cached(sql)
        try statement.bind([.integer(Int64(revision)), SQLValue(environment)])
        while try statement.step() {
            let key = StateKey(StateKey.Kind(rawValue: statement.string(0))!, environment: statement.string(1), function: statement.string(2))
            out[key] = statement.string(3)
        }
        return out
    }

    /// The documents of one function's keys and its environment's keys at `revision`: six primary-key
    /// seeks, whatever the number of functions (for `show`, `log FUNCTION`).
    public func state(at revision: Int, environment: String, function: String) throws -> [StateKey: String] {
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

    /// The keys changed at `revision` with their new documents (nil: deleted).
    public func changes(at revision: Int) throws -> [(StateKey, String?)] {
        try db.query("""
            SELECT k.kind, k.environment, k.function, d.body FROM versions v
            JOIN keys k ON k.id = v.key_id LEFT JOIN documents d ON d.id = v.document_id
            WHERE v.revision = ?1 ORDER BY k.kind, k.environment, k.function
            """, [.integer(Int64(revision))]) { s in
            (StateKey(StateKey.Kind(rawValue: s.string(0))!, environment: s.string(1), function: s.string(2)), s.optionalString(3))
        }
    }

    /// Every version of one key, oldest first: (revision, document or nil).
    public func history(of key: StateKey) throws -> [(Int, String?)] {
        try db.query("""
            SELECT v.revision, d.body FROM keys k JOIN versions v ON v.key_id = k.id LEFT JOIN documents d ON d.id = v.document_id
            WHERE k.kind = ?1 AND k.environment = ?2 AND k.function = ?3 ORDER BY v.revision
            """, [.text(key.kind.rawValue), .text(key.environment), .text(key.function)]) { ($0.int(0), $0.optionalString(1)) }
    }
}
