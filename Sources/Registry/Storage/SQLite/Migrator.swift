import Foundation

/// Applies the embedded `migrations/*.sql` in order, each in its own transaction with the row that
/// records it, and refuses databases this binary cannot safely use.
enum Migrator {
    /// The migrations compiled into this binary, in order.
    static var migrations: [(identifier: String, sql: String)] { embeddedMigrations }

    /// A migration holding this text runs with foreign-key enforcement off (see `migrate`).
    static let foreignKeysOffMarker = "fnreg:foreign-keys-off"

    static func checksum(_ sql: String) -> String { hex(SHA256Hasher.hash(Array(sql.utf8))) }

    /// Brings `db` up to date; throws `RegistryError.newerSchema` or `.migrationChanged` when it cannot.
    static func migrate(_ db: Database) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                identifier TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)
            """)
        let applied = try appliedMigrations(db)
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.identifier, checksum($0.sql)) })
        for (identifier, sum) in applied.sorted(by: { $0.key < $1.key }) {
            guard let expected = known[identifier] else { throw RegistryError.newerSchema(identifier) }
            if expected != sum { throw RegistryError.migrationChanged(identifier) }
        }
        for migration in migrations where applied[migration.identifier] == nil {
            // A migration that rebuilds a table (SQLite's procedure: create, copy, drop, rename) runs
            // with foreign keys off, which only takes effect outside a transaction, and must leave
            // every reference intact.
            let rebuilds = migration.sql.contains(foreignKeysOffMarker)
            if rebuilds { try db.execute("PRAGMA foreign_keys = OFF") }
            defer { if rebuilds { try? db.execute("PRAGMA foreign_keys = ON") } }
            try db.transaction(.immediate) {
                // Another process may have applied it while we waited for the lock.
                if try db.queryOne("SELECT 1 FROM schema_migrations WHERE identifier = ?1", [.text(migration.identifier)], { _ in true }) != nil { return }
                try db.execute(migration.sql)
                if rebuilds, try db.queryOne("PRAGMA foreign_key_check", [], { _ in true }) != nil {
                    throw RegistryError.corrupt("Migration \(migration.identifier) would leave references to missing rows; the database was left as it was.")
                }
                try db.run("INSERT INTO schema_migrations (identifier, checksum, applied_at) VALUES (?1, ?2, ?3)",
                           [.text(migration.identifier), .text(checksum(migration.sql)), .integer(Int64(Date().timeIntervalSince1970))])
            }
        }
    }

    /// What is wrong with a database's migrations.
    enum Problem: CustomStringConvertible, Equatable {
        case notApplied(String)
        case checksum(String, stored: String, expected: String)
        /// Written by a newer fnreg.
        case unknown(String)

        var description: String {
            switch self {
            case .notApplied(let id): return "migration \(id) is not applied"
            case .checksum(let id, let stored, let expected): return "migration \(id) has checksum \(stored.prefix(12))…, expected \(expected.prefix(12))…"
            case .unknown(let id): return "migration \(id) is unknown to this fnreg (written by a newer version)"
            }
        }

        /// The migration of a newer fnreg, if that is the problem.
        var newerIdentifier: String? { if case .unknown(let id) = self { return id } else { return nil } }
    }

    /// Checks without writing: used by read-only commands and `doctor`.
    static func verify(_ db: Database) throws -> [Problem] {
        var problems: [Problem] = []
        let applied = try appliedMigrations(db)
        for migration in migrations {
            guard let sum = applied[migration.identifier] else { problems.append(.notApplied(migration.identifier)); continue }
            if sum != checksum(migration.sql) { problems.append(.checksum(migration.identifier, stored: sum, expected: checksum(migration.sql))) }
        }
        for identifier in applied.keys.sorted() where !migrations.contains(where: { $0.identifier == identifier }) {
            problems.append(.unknown(identifier))
        }
        return problems
    }

    static func appliedMigrations(_ db: Database) throws -> [String: String] {
        let exists = try db.queryOne("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", []) { _ in true } ?? false
        guard exists else { return [:] }
        var out: [String: String] = [:]
        for (id, sum) in try db.query("SELECT identifier, checksum FROM schema_migrations", [], { ($0.string(0), $0.string(1)) }) {
            out[id] = sum
        }
        return out
    }
}
