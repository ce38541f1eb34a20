import CSQLite
import Foundation

let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A connection to one SQLite database file; owns its handle and closes it in `deinit`.
final class Database {
    let handle: OpaquePointer
    let path: String
    private var statementCache: [String: Statement] = [:]

    /// How a connection was opened for reading.
    enum ReadMode: String, Sendable { case normal, immutable }
    /// `immutable` when the file could only be read as a frozen file (read-only media, a full disk).
    private(set) var readMode: ReadMode = .normal

    /// Opens (and, unless `readOnly`, creates) the database at `path` in WAL mode with a busy timeout.
    /// Symbolic links are refused. A read-only open that SQLite cannot make (a hot journal or WAL to
    /// recover, no room or no right to create the -shm file) is retried: first once read-write, which
    /// recovers, when the file may be written; else as an immutable file.
    init(path: String, readOnly: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000) throws {
        let nofollow: Int32 = path == ":memory:" ? 0 : SQLITE_OPEN_NOFOLLOW
        func open(_ name: String, _ flags: Int32) -> (Int32, OpaquePointer?, String) {
            var connection: OpaquePointer?
            let code = sqlite3_open_v2(name, &connection, flags | SQLITE_OPEN_NOMUTEX | nofollow, nil)
            var message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if code == SQLITE_OK, let connection {
                sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
                sqlite3_extended_result_codes(connection, 1)
                // Opening is lazy: reading the schema is where a file that cannot be read fails.
                let probe = sqlite3_exec(connection, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
                if probe == SQLITE_OK { return (SQLITE_OK, connection, "") }
                message = String(cString: sqlite3_errmsg(connection))
                sqlite3_close_v2(connection)
                return (probe, nil, message)
            }
            _ = sqlite3_close(connection)
            return (code, nil, message)
        }
        var (code, connection, message) = open(path, readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        if readOnly && connection == nil && code & 0xff != SQLITE_NOTADB {
            if access(path, W_OK) == 0 && access((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, W_OK) == 0,
               case let (c, recovering?, _) = open(path, SQLITE_OPEN_READWRITE), c == SQLITE_OK {
                sqlite3_close_v2(recovering)
                (code, connection, message) = open(path, SQLITE_OPEN_READONLY)
            }
            if connection == nil {
                (code, connection, message) = open(Database.immutableURI(path), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
                if connection != nil { readMode = .immutable }
            }
        }
        guard code == SQLITE_OK, let connection else { throw SQLiteError(code: code, message: message, sql: nil) }
        self.handle = connection
        self.path = path
        if !readOnly {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
        try execute("PRAGMA foreign_keys = ON")
    }

    /// `file:` URI of `path` opened as an immutable file (read-only media: no locks, no -shm).
    static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    /// Copies what it can of the write-ahead log into the database file without waiting for readers.
    func checkpointPassive() {
        _ = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    /// Copies the write-ahead log into the database file and empties it, so that a copy of the file
    /// alone holds everything committed. Retries while readers hold older snapshots (up to the busy timeout).
    func checkpoint() throws {
        for _ in 0..<50 {
            var log: Int32 = 0, done: Int32 = 0
            let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_TRUNCATE, &log, &done)
            if code == SQLITE_OK && (log <= 0 || log == done) { return }
            if code != SQLITE_OK && code & 0xff != SQLITE_BUSY && code & 0xff != SQLITE_LOCKED {
                throw SQLiteError(code: code, message: lastMessage, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
            usleep(100_000)
        }
        throw SQLiteError(code: SQLITE_BUSY, message: "readers kept the write-ahead log from being copied into the database file", sql: nil)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows.
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &error)
        if code != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(error)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// Compiles one statement.
    func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement kept for the life of the connection, reset before reuse (hot paths).
    func cached(_ sql: String) throws -> Statement {
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
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Kinds of transaction SQLite offers; `.immediate` takes the write lock at once.
    enum TransactionKind: String { case deferred = "DEFERRED", immediate = "IMMEDIATE" }

    /// What a transaction's body asks for.
    enum Completion { case commit, rollback }

    /// Runs `body` in a transaction: commits when it returns `.commit`, rolls back on `.rollback` or a throw.
    @discardableResult
    func inTransaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> (Completion, T)) throws -> T {
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
    func transaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> T) throws -> T {
        try inTransaction(kind) { (.commit, try body()) }
    }

    // MARK: - Convenience queries

    /// Runs a query and maps each row.
    func query<T>(_ sql: String, _ arguments: [SQLValue] = [], _ map: (Statement) throws -> T) throws -> [T] {
        let statement = try cached(sql)
        try statement.bind(arguments)
        var rows: [T] = []
        while try statement.step() { rows.append(try map(statement)) }
        return rows
    }

    /// Runs a query returning at most one row.
    func queryOne<T>(_ sql: String, _ arguments: [SQLValue] = [], _ map: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        guard try statement.step() else { return nil }
        let value = try map(statement)
        statement.reset()
        return value
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ arguments: [SQLValue] = []) throws {
        let statement = try cached(sql)
        try statement.bind(arguments)
        while try statement.step() {}
    }
}

/// A value bound to a statement parameter.
enum SQLValue: Equatable {
    case null, integer(Int64), real(Double), text(String), blob([UInt8])
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    init(stringLiteral value: String) { self = .text(value) }
    init(integerLiteral value: Int64) { self = .integer(value) }
    init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
}
