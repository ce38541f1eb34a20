import Foundation
@testable import Registry

/// A real git repository in a temporary directory, with commits at fixed dates; removed by `cleanup()`.
final class TestRepository {
    let root: String
    private var clock: Int64 = 1_760_000_000  // 2025-10-09, advanced one hour per commit

    init() throws {
        root = NSTemporaryDirectory() + "fnreg-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"])
        try git(["config", "user.email", "test@example.com"])
        try git(["config", "user.name", "Test Author"])
        try git(["config", "commit.gpgsign", "false"])
    }

    /// Where fnreg keeps a repository's database by default: in its git directory.
    var databasePath: String { root + "/.git/fnreg/registry.sqlite3" }

    func cleanup() { try? FileManager.default.removeItem(atPath: root) }

    @discardableResult
    func git(_ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RegistryError.git("git \(arguments.joined(separator: " ")) failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ path: String, _ text: String) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func write(_ path: String, json: JSONValue) throws { try write(path, JSONWriter.pretty(json)) }

    func remove(_ path: String) throws { try FileManager.default.removeItem(atPath: root + "/" + path) }

    func move(_ from: String, _ to: String) throws {
        try FileManager.default.createDirectory(atPath: ((root + "/" + to) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: root + "/" + from, toPath: root + "/" + to)
    }

    /// Commits everything with a fixed date; returns the commit id.
    @discardableResult
    func commit(_ message: String, allowEmpty: Bool = false) throws -> String {
        clock += 3600
        let date = "@\(clock) +0000"
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", message] + (allowEmpty ? ["--allow-empty"] : []),
                environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
        return try git(["rev-parse", "HEAD"])
    }

    var lastCommitTime: Int64 { clock }

    static func function(_ name: String, runtime: String = "python3.13", extra: [(String, JSONValue)] = []) -> JSONValue {
        var o = JSONObject([("name", .string(name)), ("description", .string("The \(name) function")),
                            ("runtime", .string(runtime)), ("handler", "index.handler")])
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    func store() throws -> SQLiteStore { try SQLiteStore(path: databasePath, createDirectory: true) }

    func importer() throws -> (SQLiteStore, Importer) {
        let store = try store()
        return (store, Importer(storage: store))
    }

    func request(history: Bool = false, commit: String? = nil, skipInvalid: Bool = false, acceptRewrite: Bool = false) -> ImportRequest {
        var r = ImportRequest(path: root)
        r.history = history
        r.commit = commit
        r.skipInvalid = skipInvalid
        r.acceptRewrite = acceptRewrite
        r.today = "2026-01-01"
        return r
    }
}

/// The logical content of a database, for "unchanged" assertions.
func databaseDump(_ path: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else { return "<no database>" }
    let db = try Database(path: path, readOnly: true)
    var out = ""
    for table in ["revisions", "documents", "keys", "versions", "deployments"] {
        let statement = try db.prepare("SELECT * FROM \(table) ORDER BY 1, 2")
        while try statement.step() {
            var row: [String] = []
            for i in 0..<statement.columnCount where !(table == "revisions" && statement.columnName(i) == "imported_at") {
                row.append(statement.isNull(i) ? "NULL" : statement.columnType(i) == 4 ? hex(statement.bytes(i)) : statement.string(i))
            }
            out += table + ": " + row.joined(separator: "|") + "\n"
        }
    }
    return out
}
