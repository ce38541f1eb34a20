/// fnreg's version, and the database schema it writes.
public enum FnregVersion {
    /// The release.
    public static let version = "0.5.0"
    /// The number of the last migration: the schema version of the databases this binary writes.
    public static var schema: Int { Migrator.migrations.count }
    /// The last migration's identifier (`0005_state_digests`).
    public static var schemaIdentifier: String { Migrator.migrations.last?.identifier ?? "none" }
    public static var description: String { "fnreg \(version) (database schema \(schema), \(schemaIdentifier))" }
}
