import CSQLite
import Foundation

extension Store {
    /// `fnreg doctor`: every problem found, empty when the database is sound.
    public func doctor() throws -> [String] {
        var problems: [String] = []
        let integrity = try db.query("PRAGMA integrity_check", []) { $0.string(0) }
        if integrity != ["ok"] { problems += integrity.map { "integrity: \($0)" } }
        let foreign = try db.query("PRAGMA foreign_key_check", []) { "foreign key: table \($0.string(0)) row \($0.int64(1)) refers to a missing \($0.string(2)) row" }
        problems += foreign
        problems += try Migrator.verify(db)
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
        return problems
    }

    /// `fnreg backup`: a consistent copy of the database (SQLite's online backup API) at `path`.
    public func backup(to path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw RegistryError.refused("\(path) already exists; choose a new file name for the backup.")
        }
        var target: OpaquePointer?
        guard sqlite3_open_v2(path, &target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nil) == SQLITE_OK, let target else {
            sqlite3_close(target)
            throw RegistryError.io("Cannot create the backup file \(path).")
        }
        defer { sqlite3_close(target) }
        guard let backup = sqlite3_backup_init(target, "main", db.handle, "main") else {
            throw RegistryError.io("Cannot start the backup: \(String(cString: sqlite3_errmsg(target))).")
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(50) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else { throw RegistryError.io("The backup failed (SQLite code \(code)).") }
    }
}
