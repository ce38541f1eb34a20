import CSQLite
import Foundation

let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A connection to one SQLite database file; owns its handle and closes it in `deinit`.
public final class Database {
    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]

    /// Opens (and, unless `readOnly`, creates) the database at `path` in WAL mode with a busy timeout.
    public init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000) throws {
        var connection: OpaquePointer?
        let flags = readOnly
            ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            _ = sqlite3_close(connection)
            throw SQLiteError(code: code, message: message, sql: nil)
        }
        self.handle = connection
        self.path = path
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        sqlite3_extended_result_codes(connection, 1)
        if !readOnly {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement kept for the life of the connection, reset before reuse (hot paths).
    public func cached(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// The rowid of the last inserted row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Kinds of transaction SQLite offers; `.immediate` takes the write lock at once.
    public enum TransactionKind: String { case deferred = "DEFERRED", immediate = "IMMEDIATE" }

    /// What a transaction's body asks for.
    public enum Completion { case commit, rollback }

    /// Runs `body` in a transaction: commits when it returns `.commit`, rolls back on `.rollback` or a throw.
    @discardableResult
    public func inTransaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> (Completion, T)) throws -> T {
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
        do {
            let (completion, value) = try body()
            switch completion {
            case .commit: try execute("COMMIT TRANSACTION")
            case .rollback: try execute("ROLLBACK TRANSACTION")
            }
            return value
        } catch {
            try? execute("ROLLBACK TRANSACTION")
            throw error
        }
    }

    /// Runs `body` in a transaction that commits unless it throws.
    @discardableResult
    public func transaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> T) throws -> T {
        try inTransaction(kind) { (.commit, try body()) }
    }

    // MARK: - Convenience queries

    /// Runs a query and maps each row.
    public func query<T>(_ sql: String, _ arguments: [SQLValue] = [], _ map: (Statement) throws -> T) throws -> [T] {
        let statement = try cached(sql)
        try statement.bind(arguments)
        var rows: [T] = []
        while try statement.step() { rows.append(try map(statement)) }
        return rows
    }

    /// Runs a query returning at most one row.
    public func queryOne<T>(_ sql: String, _ arguments: [SQLValue] = [], _ map: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        let value = try map(statement)
        statement.reset()
        return value
    }

    /// Runs a statement that returns no rows.
    public func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
        let statement = try cached(sql)
        try statement.bind(arguments)
        while try statement.step() {}
    }
}

/// A value bound to a statement parameter.
public enum SQLValue: Equatable {
    case null, integer(Int64), real(Double), text(String), blob([UInt8])
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
}
