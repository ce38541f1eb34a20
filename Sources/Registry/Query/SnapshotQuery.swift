import CSQLite
import Foundation

/// `fnreg query`: one read-only SELECT over snapshots, run in a private in-memory database that holds
/// only the table `functions(environment, name, config)` (config: the effective configuration as JSON,
/// for SQLite's JSON functions). The registry file is never given to the user's statement, and SQLite's
/// own checks (`sqlite3_stmt_readonly`, an authorizer allowing only reads) refuse everything else.
public enum SnapshotQuery {
    public struct Result {
        public var columns: [String]
        public var rows: [[JSONValue]]
    }

    public static func run(_ sql: String, snapshots: [Snapshot]) throws -> Result {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE functions (environment TEXT NOT NULL, name TEXT NOT NULL, revision INTEGER NOT NULL, config TEXT NOT NULL)")
        try db.transaction {
            for snapshot in snapshots {
                for m in snapshot.functions {
                    try db.run("INSERT INTO functions VALUES (?1, ?2, ?3, ?4)",
                               [.text(snapshot.environment), .text(m.key), .integer(Int64(snapshot.revision.number)), .text(JSONWriter.canonical(m.value))])
                }
            }
        }
        try db.execute("PRAGMA query_only = ON")
        sqlite3_set_authorizer(db.handle, { _, action, _, _, _, _ in
            // Reads only: SELECT, reading columns, functions (json_extract, ...), recursive CTEs.
            switch action {
            case SQLITE_SELECT, SQLITE_READ, SQLITE_FUNCTION, SQLITE_RECURSIVE: return SQLITE_OK
            default: return SQLITE_DENY
            }
        }, nil)
        // Exactly one statement: compile the first and refuse any text after it.
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let code = sql.withCString { sqlite3_prepare_v2(db.handle, $0, -1, &statement, &tail) }
        guard code == SQLITE_OK, let statement else {
            let message = db.lastMessage
            sqlite3_finalize(statement)
            if code == SQLITE_AUTH || message.contains("not authorized") {
                throw RegistryError.refused("fnreg query runs one read-only SELECT; this statement is not allowed (\(message)).")
            }
            throw RegistryError.usage("The query is not valid SQL: \(message).")
        }
        defer { sqlite3_finalize(statement) }
        if let tail, !String(cString: tail).trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n;")).isEmpty {
            throw RegistryError.refused("fnreg query runs exactly one statement; remove everything after the first ';'.")
        }
        guard sqlite3_stmt_readonly(statement) != 0 else {
            throw RegistryError.refused("fnreg query runs one read-only SELECT; statements that write are refused.")
        }
        let head = sql.trimmingCharacters(in: .whitespacesAndNewlines).prefix(10).uppercased()
        guard head.hasPrefix("SELECT") || head.hasPrefix("WITH") || head.hasPrefix("VALUES") else {
            throw RegistryError.refused("fnreg query runs one read-only SELECT (or WITH … SELECT).")
        }
        let count = sqlite3_column_count(statement)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        var rows: [[JSONValue]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw RegistryError.usage("The query failed: \(db.lastMessage).") }
            rows.append((0..<count).map { i in
                switch sqlite3_column_type(statement, i) {
                case SQLITE_NULL: return .null
                case SQLITE_INTEGER: return .number(Double(sqlite3_column_int64(statement, i)))
                case SQLITE_FLOAT: return .number(sqlite3_column_double(statement, i))
                default: return .string(String(cString: sqlite3_column_text(statement, i)))
                }
            })
        }
        return Result(columns: columns, rows: rows)
    }
}
