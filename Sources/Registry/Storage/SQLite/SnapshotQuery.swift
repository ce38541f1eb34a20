import CSQLite
import Foundation

/// `fnreg query`: one read-only SELECT over snapshots, run in a private in-memory database holding
/// only `functions(environment, name, revision, config)` (config: the effective configuration as
/// JSON, for SQLite's JSON functions), `revisions` and `deployments`. The registry file is never given
/// to the user's statement. SQLite's own checks (`sqlite3_stmt_readonly`, `query_only`, an authorizer
/// that allows reads and an allow-list of functions) refuse everything else; a row limit, a time
/// limit and a memory limit bound what one statement can cost; rows are handed on as they are made.
public enum SnapshotQuery {
    /// One value of a result, exactly as SQLite holds it (integers are never rounded to doubles).
    public enum Cell: Equatable, Sendable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])

        /// The value as JSON text (integers exact; a blob as a hex string).
        public var json: String {
            switch self {
            case .null: return "null"
            case .integer(let i): return String(i)
            case .real(let d): return d.isFinite ? JSONNumber.format(d) : "null"
            case .text(let s): return JSONWriter.canonical(.string(s))
            case .blob(let b): return JSONWriter.canonical(.string(hex(b)))
            }
        }

        /// The value for text and CSV output.
        public var display: String {
            switch self {
            case .null: return ""
            case .integer(let i): return String(i)
            case .real(let d): return JSONNumber.format(d)
            case .text(let s): return s
            case .blob(let b): return "x'" + hex(b) + "'"
            }
        }
    }

    /// What a query may use: rows, time, and the size of one value.
    public struct Limits: Sendable {
        /// At most this many rows (nil: no limit).
        public var rows: Int? = 10_000
        /// At most this long, in seconds.
        public var seconds: Double = 30
        /// The largest string or blob one value may be, in bytes.
        public var valueBytes: Int32 = 16 << 20
        /// The defaults: 10,000 rows, 30 seconds, 16 MiB values.
        public init() {}
    }

    /// How a run ended.
    public struct Outcome: Sendable {
        /// The result's column names.
        public var columns: [String]
        /// How many rows were produced.
        public var rows: Int
        /// True when the row limit stopped the output.
        public var truncated: Bool
    }

    /// SQLite functions a query may call: the core, date, JSON, aggregate and window functions.
    /// Anything else (`fts3_tokenizer`, `load_extension`, compile-option introspection) is refused.
    static let allowedFunctions: Set<String> = [
        "abs", "changes", "char", "coalesce", "format", "glob", "hex", "ifnull", "iif", "instr", "length", "like", "likelihood",
        "likely", "lower", "ltrim", "max", "min", "nullif", "printf", "quote", "random", "replace", "round", "rtrim", "sign",
        "soundex", "substr", "substring", "trim", "typeof", "unhex", "unicode", "unlikely", "upper", "octet_length", "concat", "concat_ws",
        "date", "time", "datetime", "julianday", "unixepoch", "strftime", "timediff",
        "avg", "count", "group_concat", "string_agg", "sum", "total",
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
        "json", "json_array", "json_array_length", "json_extract", "json_insert", "json_object", "json_patch", "json_remove", "json_replace",
        "json_set", "json_type", "json_valid", "json_quote", "json_group_array", "json_group_object", "json_each", "json_tree",
        "->", "->>", "regexp",
        "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "ceiling", "cos", "cosh", "degrees", "exp", "floor", "ln",
        "log", "log10", "log2", "mod", "pi", "pow", "power", "radians", "sin", "sinh", "sqrt", "tan", "tanh", "trunc",
    ]

    /// Runs `sql` over `snapshots` (and the registry's `revisions` and `deployments`), handing each
    /// row to `row` as it is produced.
    public static func run(_ sql: String, snapshots: [Snapshot], revisions: [Revision] = [], deployments: [Deployment] = [],
                           limits: Limits = Limits(), row: ([Cell]) throws -> Void,
                           columnsKnown: ([String]) throws -> Void = { _ in }) throws -> Outcome {
        let db = try Database(path: ":memory:")
        try db.execute("""
            CREATE TABLE functions (environment TEXT NOT NULL, name TEXT NOT NULL, revision INTEGER, config TEXT NOT NULL);
            CREATE TABLE revisions (revision INTEGER PRIMARY KEY, commit_id TEXT, author TEXT, author_email TEXT, committed_at TEXT,
                                    message TEXT, imported_at TEXT, skipped INTEGER, rewrite_of INTEGER);
            CREATE TABLE deployments (deployment INTEGER PRIMARY KEY, environment TEXT, revision INTEGER, snapshot_hash TEXT,
                                      deployed_at TEXT, deployed_by TEXT, note TEXT, kind TEXT, restores INTEGER);
            """)
        try db.transaction {
            for snapshot in snapshots {
                for m in snapshot.canonicalMembers {
                    try db.run("INSERT INTO functions VALUES (?1, ?2, ?3, ?4)",
                               [.text(snapshot.environment), .text(m.name), snapshot.revision.isPreview ? .null : .integer(Int64(snapshot.revision.number)),
                                .text(String(decoding: m.canonical, as: UTF8.self))])
                }
            }
            for r in revisions {
                try db.run("INSERT INTO revisions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           [.integer(Int64(r.number)), SQLValue(r.commit), SQLValue(r.authorName), SQLValue(r.authorEmail),
                            .text(ISOTime.format(r.committedAt)), .text(r.message), .text(ISOTime.format(r.importedAt)),
                            .integer(r.skipped ? 1 : 0), SQLValue(r.rewriteOf)])
            }
            for d in deployments {
                try db.run("INSERT INTO deployments VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                           [.integer(Int64(d.number)), .text(d.environment), .integer(Int64(d.revision)), .text(d.snapshotHash),
                            .text(ISOTime.format(d.deployedAt)), .text(d.deployedBy), SQLValue(d.note), .text(d.kind), SQLValue(d.restores)])
            }
        }
        try db.execute("PRAGMA query_only = ON")
        sqlite3_limit(db.handle, SQLITE_LIMIT_LENGTH, limits.valueBytes)
        sqlite3_limit(db.handle, SQLITE_LIMIT_SQL_LENGTH, 1 << 20)
        sqlite3_limit(db.handle, SQLITE_LIMIT_ATTACHED, 0)
        // A statement's memory is bounded as a whole (an unbounded CTE stops with an error, not the machine).
        let previousHeapLimit = sqlite3_hard_heap_limit64(-1)
        sqlite3_hard_heap_limit64(max(previousHeapLimit, 0) == 0 ? 768 << 20 : previousHeapLimit)
        defer { sqlite3_hard_heap_limit64(previousHeapLimit) }
        sqlite3_set_authorizer(db.handle, { _, action, a1, a2, _, _ in
            switch action {
            case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE: return SQLITE_OK
            case SQLITE_FUNCTION:
                guard let a2 else { return SQLITE_DENY }
                return SnapshotQuery.allowedFunctions.contains(String(cString: a2).lowercased()) ? SQLITE_OK : SQLITE_DENY
            case SQLITE_UPDATE:
                // Declaring an eponymous virtual table (json_each, json_tree) is authorised as an
                // update of sqlite_master; the statement itself is read-only (checked below).
                guard let a1 else { return SQLITE_DENY }
                return String(cString: a1) == "sqlite_master" ? SQLITE_OK : SQLITE_DENY
            default: return SQLITE_DENY
            }
        }, nil)
        // The time limit: checked every few thousand virtual machine steps.
        final class Deadline { var at: Double = 0; var expired = false }
        let deadline = Deadline()
        deadline.at = Date().timeIntervalSince1970 + limits.seconds
        let box = Unmanaged.passUnretained(deadline).toOpaque()
        sqlite3_progress_handler(db.handle, 10_000, { context in
            let d = Unmanaged<Deadline>.fromOpaque(context!).takeUnretainedValue()
            if Date().timeIntervalSince1970 > d.at { d.expired = true; return 1 }
            return 0
        }, box)
        // Exactly one statement: compile the first and refuse any text after it.
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let code = sql.withCString { sqlite3_prepare_v2(db.handle, $0, -1, &statement, &tail) }
        guard code == SQLITE_OK, let statement else {
            let message = db.lastMessage
            sqlite3_finalize(statement)
            if code == SQLITE_AUTH || message.contains("not authorized") {
                throw RegistryError.usage("fnreg query runs one read-only SELECT; this statement is not allowed (\(message)).")
            }
            throw RegistryError.usage("The query is not valid SQL: \(message).")
        }
        defer { sqlite3_finalize(statement) }
        if let tail, !String(cString: tail).trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\n;")).isEmpty {
            throw RegistryError.usage("fnreg query runs exactly one statement; remove everything after the first ';'.")
        }
        guard sqlite3_stmt_readonly(statement) != 0 else {
            throw RegistryError.usage("fnreg query runs one read-only SELECT; statements that write are refused.")
        }
        let head = sql.trimmingCharacters(in: .whitespacesAndNewlines).prefix(10).uppercased()
        guard head.hasPrefix("SELECT") || head.hasPrefix("WITH") || head.hasPrefix("VALUES") else {
            throw RegistryError.usage("fnreg query runs one read-only SELECT (or WITH … SELECT).")
        }
        let count = sqlite3_column_count(statement)
        let columns = (0..<count).map { String(cString: sqlite3_column_name(statement, $0)) }
        try columnsKnown(columns)
        var produced = 0
        while true {
            if let cap = limits.rows, produced >= cap {
                return Outcome(columns: columns, rows: produced, truncated: sqlite3_step(statement) == SQLITE_ROW)
            }
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                if deadline.expired {
                    throw RegistryError.refused("The query ran longer than \(Int(limits.seconds)) s and was stopped (raise the limit with --timeout).")
                }
                if step & 0xff == SQLITE_NOMEM || step & 0xff == SQLITE_TOOBIG {
                    throw RegistryError.refused("The query needed more memory than fnreg allows one query (a value or an intermediate result too large); narrow it.")
                }
                throw RegistryError.usage("The query failed: \(db.lastMessage).")
            }
            try row((0..<count).map { i in
                switch sqlite3_column_type(statement, i) {
                case SQLITE_NULL: return .null
                case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
                case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(statement, i))
                    guard n > 0, let p = sqlite3_column_blob(statement, i) else { return .blob([]) }
                    return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
                default:
                    // With its length: text holding NUL bytes is kept whole.
                    let n = Int(sqlite3_column_bytes(statement, i))
                    guard n > 0, let p = sqlite3_column_text(statement, i) else { return .text("") }
                    return .text(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
                }
            })
            produced += 1
        }
        return Outcome(columns: columns, rows: produced, truncated: false)
    }
}

extension SnapshotQuery {
    /// A whole result (for callers that want every row at once, within `limits`).
    public struct Result {
        /// The result's column names.
        public var columns: [String]
        /// Every row.
        public var rows: [[Cell]]
        /// True when the row limit stopped the output.
        public var truncated: Bool
    }

    /// Runs `sql` (one read-only SELECT) over `snapshots` as the table `functions`, within `limits`.
    public static func run(_ sql: String, snapshots: [Snapshot], limits: Limits = Limits()) throws -> Result {
        var rows: [[Cell]] = []
        let outcome = try run(sql, snapshots: snapshots, limits: limits) { rows.append($0) }
        return Result(columns: outcome.columns, rows: rows, truncated: outcome.truncated)
    }
}
