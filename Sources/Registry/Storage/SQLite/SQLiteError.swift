import CSQLite

/// An error reported by SQLite: its result code, its message, and the SQL text (never bound values,
/// which may hold sensitive data). Its `kind` is the one place SQLite's codes are named.
struct SQLiteError: StorageFailure, Equatable {
    let code: Int32
    let message: String
    let sql: String?

    init(code: Int32, message: String, sql: String?) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (in: \($0.prefix(120)))" } ?? "")
    }

    /// SQLite's primary result codes, named once.
    var kind: StorageFailureKind {
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy
        case SQLITE_READONLY, SQLITE_PERM: return .readOnly
        case SQLITE_FULL: return .full
        case SQLITE_NOTADB: return .notADatabase
        case SQLITE_CORRUPT: return .corrupt
        default: return .other
        }
    }

    /// True when the database was locked by another writer for longer than the busy timeout.
    var isBusy: Bool { kind == .busy }
}
