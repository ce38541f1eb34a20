import Foundation

/// Applies the embedded `migrations/*.sql` in order, each in its own transaction with the row that
/// records it, and refuses databases this binary cannot safely use.
public enum Migrator {
    /// The migrations compiled into this binary, in order.
    public static var migrations: [(identifier: String, sql: String)] { embeddedMigrations }

    /// A migration holding this text runs with foreign-key enforcement off (see `migrate`).
    static let foreignKeysOffMarker = "fnreg:foreign-keys-off"

    static func checksum(_ sql: String) -> String { hex(SHA256Hasher.hash(Array(sql.utf8))) }

    /// Brings `db` up to date; throws `RegistryError.newerSchema` or `.migrationChanged` when it cannot.
    public static func migrate(_ db: Database) throws {
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

    /// Checks without writing: used by read-only commands and `doctor`.
    public static func verify(_ db: Database) throws -> [String] {
        var problems: [String] = []
        let applied = try appliedMigrations(db)
        for migration in migrations {
            guard let sum = applied[migration.identifier] else { problems.append("migration \(migration.identifier) is not applied"); continue }
            if sum != checksum(migration.sql) { problems.append("migration \(migration.identifier) has checksum \(sum.prefix(12))…, expected \(checksum(migration.sql).prefix(12))…") }
        }
        for identifier in applied.keys where !migrations.contains(where: { $0.identifier == identifier }) {
            problems.append("migration \(identifier) is unknown to this fnreg (written by a newer version)")
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

/// fnreg's version, and the database schema it writes.
public enum FnregVersion {
    public static let version = "0.5.0"
    /// The number of the last migration: the schema version of the databases this binary writes.
    public static var schema: Int { Migrator.migrations.count }
    public static var schemaIdentifier: String { Migrator.migrations.last?.identifier ?? "none" }
    public static var description: String { "fnreg \(version) (database schema \(schema), \(schemaIdentifier))" }
}
