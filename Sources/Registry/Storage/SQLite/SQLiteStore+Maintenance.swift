import CSQLite
import Foundation

extension SQLiteStore {
    /// `fnreg doctor`: every problem found, empty when the database is sound.
    func verify() throws -> [String] {
        var problems: [String] = []
        let integrity = try db.query("PRAGMA integrity_check", []) { $0.string(0) }
        if integrity != ["ok"] { problems += integrity.map { "integrity: \($0)" } }
        let foreign = try db.query("PRAGMA foreign_key_check", []) { "foreign key: table \($0.string(0)) row \($0.int64(1)) refers to a missing \($0.string(2)) row" }
        problems += foreign
        problems += try Migrator.verify(db).map(\.description)
        // Every document re-hashed against its address.
        let statement = try db.prepare("SELECT id, hash, body FROM documents")
        while try statement.step() {
            let id = statement.int64(0)
            let stored = statement.bytes(1)
            let actual = statement.withText(2) { SHA256Hasher.hash(UnsafeRawBufferPointer($0)) }
            if stored != actual { problems.append("document \(id): its body does not match its hash \(hex(stored).prefix(16))…") }
            else if let body = Optional(statement.string(2)), (try? JSONParser.parse(body)).map({ JSONWriter.canonical($0) }) != body {
                problems.append("document \(id): its body is not canonical JSON")
            }
        }
        // Revisions numbered 1...n without gaps.
        let numbers = try db.query("SELECT number FROM revisions ORDER BY number", []) { $0.int(0) }
        for (i, n) in numbers.enumerated() where n != i + 1 {
            problems.append("revision \(n): numbering has a gap (expected \(i + 1))")
            break
        }
        // Every version row names an existing revision and document; skipped revisions change nothing.
        problems += try db.query("SELECT key_id, revision FROM versions WHERE revision NOT IN (SELECT number FROM revisions)", []) {
            "version of key \($0.int64(0)) at revision \($0.int64(1)): the revision does not exist"
        }
        problems += try db.query("SELECT v.revision FROM versions v JOIN revisions r ON r.number = v.revision WHERE r.skipped = 1 LIMIT 5", []) {
            "revision \($0.int(0)): skipped but has changes"
        }
        // Each revision's delta is consistent with its parent: a deletion only of something that existed.
        problems += try db.query("""
            SELECT v.key_id, v.revision FROM versions v WHERE v.document_id IS NULL AND NOT EXISTS (
              SELECT 1 FROM versions p WHERE p.key_id = v.key_id AND p.revision < v.revision
               AND p.revision = (SELECT max(revision) FROM versions WHERE key_id = v.key_id AND revision < v.revision)
               AND p.document_id IS NOT NULL)
            """, []) { "revision \($0.int(1)): deletes key \($0.int64(0)), which did not exist in its parent" }
        problems += try db.query("""
            SELECT d.number, d.revision FROM deployments d WHERE d.revision NOT IN (SELECT number FROM revisions)
            """, []) { "deployment \($0.int(0)): names missing revision \($0.int(1))" }
        problems += try stateDigestProblems()
        return problems
    }

    /// Replays every version in revision order and compares each revision's state with its
    /// recorded digest (revisions written before digests existed have none to compare).
    func stateDigestProblems() throws -> [String] {
        var problems: [String] = []
        var stored: [Int: String] = [:]
        for (n, d) in try db.query("SELECT number, state_digest FROM revisions WHERE state_digest IS NOT NULL", [], { ($0.int(0), $0.string(1)) }) {
            stored[n] = d
        }
        guard !stored.isEmpty else { return [] }
        let numbers = try db.query("SELECT number FROM revisions ORDER BY number", []) { $0.int(0) }
        let statement = try db.prepare("""
            SELECT v.revision, k.kind, k.environment, k.function, d.hash FROM versions v JOIN keys k ON k.id = v.key_id
            LEFT JOIN documents d ON d.id = v.document_id ORDER BY v.revision
            """)
        var current: [StateKey: DocumentHash] = [:]
        var digest = StateDigest()
        var pending: (Int, StateKey, DocumentHash?)?
        func next() throws -> (Int, StateKey, DocumentHash?)? {
            guard try statement.step() else { return nil }
            guard let kind = StateKey.Kind(rawValue: statement.string(1)) else { return nil }
            return (statement.int(0), StateKey(kind, environment: statement.string(2), function: statement.string(3)),
                    statement.isNull(4) ? nil : DocumentHash(statement.bytes(4)))
        }
        pending = try next()
        for n in numbers {
            while let (revision, key, hash) = pending, revision == n {
                digest.change(key, from: current[key], to: hash)
                current[key] = hash
                pending = try next()
            }
            if let expected = stored[n], expected != digest.hexString {
                problems.append("revision \(n): its stored state does not give the digest recorded when it was imported (a version row was changed)")
                if problems.count >= 10 { break }
            }
        }
        return problems
    }

    /// `fnreg backup`: a consistent copy of the database (SQLite's online backup API, which copies
    /// everything committed, in the write-ahead log too) at `path`, written whole or not at all: into
    /// a temporary file beside it (mode 0600), then linked into place, so an existing file is never
    /// replaced and a killed backup leaves no file at `path` (the next backup removes its temporary file).
    func backup(to path: String) throws {
        guard !path.isEmpty else { throw RegistryError.usage("The backup path is empty; give --to a file name.") }
        var info = stat()
        if lstat(path, &info) == 0 {
            throw RegistryError.refused("\(path) already exists; choose a new file name for the backup.")
        }
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        guard lstat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw RegistryError.output("Cannot write \(path): its directory does not exist.")
        }
        AtomicFile.removeStaleTemporaries(directory: directory, name: (path as NSString).lastPathComponent)
        let temporary = directory + "/." + (path as NSString).lastPathComponent + ".fnreg-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AtomicFile.outputError(path, errno) }
        fchmod(fd, 0o600)
        close(fd)
        var linked = false
        defer { for suffix in ["", "-wal", "-shm", "-journal"] where !linked || suffix != "" { unlink(temporary + suffix) } }
        var target: OpaquePointer?
        guard sqlite3_open_v2(temporary, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nil) == SQLITE_OK, let target else {
            sqlite3_close(target)
            throw RegistryError.output("Cannot create the backup file \(path).")
        }
        var code: Int32
        do {
            defer { sqlite3_close(target) }
            guard let backup = sqlite3_backup_init(target, "main", db.handle, "main") else {
                throw RegistryError.output("Cannot start the backup: \(String(cString: sqlite3_errmsg(target))).")
            }
            repeat {
                code = sqlite3_backup_step(backup, -1)
                if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(50) }
            } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
            sqlite3_backup_finish(backup)
            guard code == SQLITE_DONE else {
                throw code & 0xff == SQLITE_FULL ? AtomicFile.outputError(path, ENOSPC)
                    : RegistryError.output("The backup to \(path) failed (SQLite code \(code)); nothing was written there.")
            }
            // Whole on disk before it gets its name.
            guard sqlite3_exec(target, "PRAGMA wal_checkpoint(TRUNCATE)", nil, nil, nil) == SQLITE_OK else {
                throw RegistryError.output("The backup to \(path) could not be completed; nothing was written there.")
            }
        }
        let sync = open(temporary, O_RDONLY | O_CLOEXEC)
        if sync >= 0 { _ = fsync(sync); close(sync) }
        guard link(temporary, path) == 0 else {
            throw errno == EEXIST ? RegistryError.refused("\(path) already exists; choose a new file name for the backup.") : AtomicFile.outputError(path, errno)
        }
        linked = true
        unlink(temporary)
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }
}
