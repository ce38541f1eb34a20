import Foundation
import Testing
@testable import Registry

/// Hostile and malformed input, each run through `validate` and `import` of the built binary: the exact
/// exit code, a short clear message on stderr (never a stack trace, never a secret), and a database whose
/// logical content is unchanged whenever the import fails.
@Suite("Hostile input", .serialized)
struct HostileInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var validate: Int32
        var importExit: Int32
        var mention: String? = nil
        var mutate: @Sendable (String) throws -> Void
        var testDescription: String { id }
    }

    static func write(_ root: String, _ path: String, _ data: Data) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: full))
    }
    static func write(_ root: String, _ path: String, _ text: String) throws { try write(root, path, Data(text.utf8)) }
    static func fn(_ name: String, _ extra: String = "") -> String {
        "{\"name\": \"\(name)\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"index.handler\"\(extra)}"
    }
    static let f = "lambda_functions/g/a/function.json"
    static func json(_ id: String, _ text: String, validate: Int32 = 1, mention: String? = nil) -> Case {
        Case(id: id, validate: validate, importExit: validate == 0 ? 0 : 3, mention: mention) { try write($0, f, text) }
    }
    static func bytes(_ id: String, _ data: [UInt8], mention: String? = nil) -> Case {
        Case(id: id, validate: 1, importExit: 3, mention: mention) { try write($0, f, Data(data)) }
    }

    static let cases: [Case] = [
        bytes("invalid-utf8", Array("{\"name\": \"a\", \"description\": \"".utf8) + [0xC3, 0x28] + Array("\", \"runtime\": \"python3.13\", \"handler\": \"i.h\"}".utf8), mention: "UTF-8"),
        bytes("nul-byte-in-string", Array("{\"name\": \"a\u{0}\"}".utf8), mention: "NUL"),
        bytes("nul-byte-outside", [0] + Array(fn("a").utf8), mention: "NUL"),
        bytes("latin1-file", Array(fn("a").utf8).map { $0 == UInt8(ascii: "d") ? 0xE9 : $0 }),
        json("nesting-100000", "{\"tags\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}", mention: "nesting"),
        json("nesting-300-in-api", fn("a", ", \"api\": " + String(repeating: "{\"x\":", count: 300) + "1" + String(repeating: "}", count: 300)), mention: "nesting"),
        json("duplicate-keys", "{\"name\": \"a\", \"name\": \"b\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"i.h\"}", mention: "duplicate"),
        json("huge-exponent", fn("a", ", \"timeout\": 1e999"), mention: "out of range"),
        json("negative-huge", fn("a", ", \"memory_size\": -1e400"), mention: "out of range"),
        json("huge-integer", fn("a", ", \"memory_size\": 123456789012345678901234567890"), mention: "memory_size"),
        json("tiny-float-timeout", fn("a", ", \"timeout\": 1e-300"), mention: "integer"),
        json("negative-zero-memory", fn("a", ", \"memory_size\": -0"), mention: "memory_size"),
        json("timeout-30.0-is-an-integer", fn("a", ", \"timeout\": 30.0"), validate: 0),
        json("empty-file", "", mention: "empty"),
        json("whitespace-only", "  \n\t ", mention: "empty"),
        json("trailing-comma", "{\"name\": \"a\",}", mention: "member name"),
        json("comments", "// a\n" + fn("a"), mention: "unexpected"),
        json("single-quotes", "{'name': 'a'}", mention: "member name"),
        json("unterminated-string", "{\"name\": \"a", mention: "unterminated"),
        json("control-character", "{\"name\": \"a\tb\"}", mention: "control character"),
        json("lone-surrogate", "{\"name\": \"\\ud800\"}", mention: "surrogate"),
        json("bom-is-accepted", "\u{FEFF}" + fn("a"), validate: 0),
        json("schema-key-is-ignored", fn("a", ", \"$schema\": \"https://example.com/s.json\""), validate: 0),
        json("array-document", "[" + fn("a") + "]", mention: "must be an object"),
        json("string-document", "\"function\"", mention: "must be an object"),
        json("sql-payload-name", fn("x'); DROP TABLE revisions;--"), mention: "FN-NAME"),
        json("shell-payload-name", fn("$(reboot)"), mention: "FN-NAME"),
        json("rtl-override-name", fn("a\u{202E}b"), mention: "FN-NAME"),
        json("newline-in-name", fn("a\\nb"), mention: "FN-NAME"),
        json("nul-escape-in-env-key", fn("a", ", \"environment_variables\": {\"A\\u0000B\": \"x\"}"), mention: "FN-ENV-KEY"),
        json("secret-not-printed", fn("a", ", \"environment_variables\": {\"DB\": \"postgres://u:SuperSecretPw1@h/db\"}"), mention: "FN-SECRET"),
        json("ten-thousand-variables", fn("a", ", \"environment_variables\": {" + (0..<10_000).map { "\"V\($0)\": \"x\"" }.joined(separator: ",") + "}"), mention: "FN-ENV-SIZE"),
        json("900-KB-description", fn("a").replacingOccurrences(of: "\"d\"", with: "\"" + String(repeating: "d", count: 900_000) + "\""), mention: "FN-DESCRIPTION-LENGTH"),
        json("memory-1e308", fn("a", ", \"memory_size\": 1e308"), mention: "memory_size"),
        json("null-required", "{\"name\": \"a\", \"description\": null, \"runtime\": \"python3.13\", \"handler\": \"i.h\"}", mention: "FN-REQUIRED"),
        Case(id: "2-MB-function-json", validate: 1, importExit: 3, mention: "limited to") { try write($0, f, fn("a") + String(repeating: " ", count: 2 << 20)) },
        Case(id: "100-MB-function-json-sparse", validate: 1, importExit: 3, mention: "limited to") { root in
            try write(root, f, "")
            let fd = open(root + "/" + f, O_WRONLY)
            defer { close(fd) }
            _ = ftruncate(fd, 100 << 20)
        },
        Case(id: "2-MB-environment-json", validate: 1, importExit: 3, mention: "limited to") {
            try write($0, "terraform/environments/dev/environment.json", "{}" + String(repeating: " ", count: 2 << 20))
        },
        Case(id: "symlinked-function-json-outside", validate: 1, importExit: 3, mention: "regular files") {
            try FileManager.default.removeItem(atPath: $0 + "/" + f)
            try FileManager.default.createSymbolicLink(atPath: $0 + "/" + f, withDestinationPath: "/etc/passwd")
        },
        Case(id: "symlinked-directory-outside", validate: 1, importExit: 3, mention: "leaving the repository") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/lib", withDestinationPath: "/etc")
        },
        Case(id: "relative-symlink-escaping", validate: 1, importExit: 3, mention: "leaving the repository") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/up", withDestinationPath: "../../../../..")
        },
        Case(id: "symlinked-function-json-inside", validate: 1, importExit: 3, mention: "regular files") {
            try FileManager.default.moveItem(atPath: $0 + "/" + f, toPath: $0 + "/lambda_functions/g/a/real.json")
            try FileManager.default.createSymbolicLink(atPath: $0 + "/" + f, withDestinationPath: "real.json")
        },
        Case(id: "symlinked-code-inside-is-fine", validate: 0, importExit: 0) {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/alias.py", withDestinationPath: "index.py")
        },
        Case(id: "fifo", validate: 1, importExit: 3, mention: "FIFO") { #expect(mkfifo($0 + "/lambda_functions/g/a/pipe", 0o644) == 0) },
        Case(id: "fifo-as-function-json", validate: 1, importExit: 3, mention: "FIFO") {
            try FileManager.default.removeItem(atPath: $0 + "/" + f)
            #expect(mkfifo($0 + "/" + f, 0o644) == 0)
        },
        Case(id: "unix-socket", validate: 1, importExit: 3, mention: "socket") { root in
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = root + "/lambda_functions/g/a/s"
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in path.utf8CString.withUnsafeBytes { buffer.copyMemory(from: $0) } }
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } } as Int32
            close(fd)
        },
        Case(id: "newline-in-file-name", validate: 0, importExit: 0) { try write($0, "lambda_functions/g/a/evil\nname.py", "x") },
        Case(id: "shell-metacharacters-in-file-name", validate: 0, importExit: 0) { try write($0, "lambda_functions/g/a/$(rm -rf ~);`x`|&.py", "x") },
        Case(id: "sql-payload-override-file", validate: 1, importExit: 3, mention: "OV-UNKNOWN-FUNCTION") {
            try write($0, "terraform/environments/dev/overrides/'; DROP TABLE keys;--.json", "{}")
        },
        Case(id: "dot-override-file", validate: 1, importExit: 3, mention: "OV-UNKNOWN-FUNCTION") { try write($0, "terraform/environments/dev/overrides/..json", "{}") },
        Case(id: "environment-json-array", validate: 1, importExit: 3, mention: "merge patch must be a JSON object") { try write($0, "terraform/environments/dev/environment.json", "[]") },
        Case(id: "override-string", validate: 1, importExit: 3, mention: "merge patch must be a JSON object") { try write($0, "terraform/environments/dev/overrides/a.json", "\"x\"") },
        Case(id: "override-renames", validate: 1, importExit: 3, mention: "OV-NAME") { try write($0, "terraform/environments/dev/overrides/a.json", "{\"name\": \"b\"}") },
        Case(id: "environment-sets-name", validate: 1, importExit: 3, mention: "ENV-NAME") { try write($0, "terraform/environments/dev/environment.json", "{\"name\": \"b\"}") },
        Case(id: "override-deletes-required", validate: 1, importExit: 3, mention: "FN-REQUIRED") { try write($0, "terraform/environments/dev/overrides/a.json", "{\"handler\": null}") },
        Case(id: "override-unknown-field", validate: 1, importExit: 3, mention: "did you mean") { try write($0, "terraform/environments/dev/overrides/a.json", "{\"memory\": 512}") },
        Case(id: "nested-function", validate: 1, importExit: 3, mention: "FN-NESTED") { try write($0, "lambda_functions/g/a/inner/function.json", fn("inner")) },
        Case(id: "duplicate-names", validate: 1, importExit: 3, mention: "FN-DUPLICATE-NAME") { try write($0, "lambda_functions/g/z/function.json", fn("a")) },
        Case(id: "directory-named-function-json", validate: 0, importExit: 0) { try write($0, "lambda_functions/g/b/function.json/x.py", "x") },
        Case(id: "environment-with-metacharacters", validate: 1, importExit: 3, mention: "not a valid environment name") { try write($0, "terraform/environments/p r;od/main.tf", "#") },
        Case(id: "symlink-to-shared-code-inside", validate: 0, importExit: 0) {
            try write($0, "lambda_functions/common/shared.py", "x = 1\n")
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/shared.py", withDestinationPath: "../../common/shared.py")
        },
        Case(id: "dangling-symlink", validate: 1, importExit: 3, mention: "does not exist") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/gone.py", withDestinationPath: "nothing-here.py")
        },
        Case(id: "looping-symlinks", validate: 1, importExit: 3, mention: "loops") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/x", withDestinationPath: "y")
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/y", withDestinationPath: "x")
        },
        Case(id: "symlink-to-own-parent", validate: 1, importExit: 3, mention: "loops") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/up", withDestinationPath: "..")
        },
        Case(id: "absolute-symlink", validate: 1, importExit: 3, mention: "leaving the repository") {
            try FileManager.default.createSymbolicLink(atPath: $0 + "/lambda_functions/g/a/passwd", withDestinationPath: "/etc/passwd")
        },
        Case(id: "allow-list-malformed", validate: 1, importExit: 3, mention: "SECRETS-ALLOW-FORMAT") { try write($0, "lambda_functions/allowed-secrets.json", "{\"secrets\": [{}]}") },
    ]

    static func makeRoot() throws -> String {
        let root = NSTemporaryDirectory() + "fnreg-hostile-" + UUID().uuidString
        try write(root, f, fn("a"))
        try write(root, "lambda_functions/g/a/index.py", "def handler(e, c): pass\n")
        try write(root, "terraform/environments/dev/environment.json", "{\"timeout\": 10}")
        return root
    }

    static func dump(_ path: String) throws -> String {
        let db = try Database(path: path, readOnly: true)
        var out = ""
        for table in ["revisions", "documents", "keys", "versions", "deployments", "blob_documents", "code_listings", "tree_digests", "schema_migrations"] {
            let s = try db.prepare("SELECT * FROM \(table) ORDER BY 1")
            while try s.step() { out += table + (0..<s.columnCount).map { "|" + (s.isNull($0) ? "NULL" : s.string($0)) }.joined() + "\n" }
        }
        return out
    }

    @Test(arguments: cases)
    func hostile(_ c: Case) throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let db = root + ".sqlite3"
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
        #expect(try EndToEndTests.run(["import", root, "--db", db], in: "/").status == 0)
        let before = try Self.dump(db)
        try c.mutate(root)
        let validate = try EndToEndTests.run(["validate", root], in: "/")
        #expect(validate.status == c.validate, "validate: \(validate.stdout) \(validate.stderr)")
        let imported = try EndToEndTests.run(["import", root, "--db", db], in: "/")
        #expect(imported.status == c.importExit, "import: \(imported.stderr)")
        for output in [validate.stdout + validate.stderr, imported.stderr] {
            #expect(!output.contains("Fatal error") && !output.contains("Stack dump") && !output.contains("SuperSecretPw1"))
            if let mention = c.mention, c.validate != 0 { #expect(output.contains(mention), "\(output.prefix(600))") }
        }
        if c.importExit != 0 {
            #expect(imported.stderr.split(separator: "\n").count <= 3, "a short message: \(imported.stderr.prefix(400))")
            #expect(try Self.dump(db) == before, "the database is unchanged")
        }
    }

    /// The work-tree corpus alone holds at least 60 cases (the repository and database cases below add more).
    @Test func corpusIsLargeEnough() { #expect(Self.cases.count >= 60) }
}


/// Hostile repositories and databases.
@Suite("Hostile repositories and databases", .serialized)
struct HostileRepositoryTests {
    func git(_ root: String, _ script: String) throws { try EndToEndTests.shell(script, in: root) }

    @Test func corruptAndTruncatedGitObjects() throws {
        for mode in ["corrupt", "truncate"] {
            let root = try EndToEndTests.makeRepository()
            defer { try? FileManager.default.removeItem(atPath: root) }
            let blob = try EndToEndTests.run(["import", "--history", "--db", root + "/x.db"], in: root)  // warm check that it works
            #expect(blob.status == 0)
            try? FileManager.default.removeItem(atPath: root + "/x.db")
            // Damage the loose object of the function's index.py.
            let out = Pipe()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "rev-parse", "HEAD:lambda_functions/g/a/index.py"]
            p.currentDirectoryURL = URL(fileURLWithPath: root)
            p.standardOutput = out
            try p.run(); p.waitUntilExit()
            let id = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let object = root + "/.git/objects/\(id.prefix(2))/\(id.dropFirst(2))"
            try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: object)
            if mode == "corrupt" { try Data("garbage".utf8).write(to: URL(fileURLWithPath: object)) }
            else { let d = try Data(contentsOf: URL(fileURLWithPath: object)); try d.prefix(d.count / 2).write(to: URL(fileURLWithPath: object)) }
            let r = try EndToEndTests.run(["import", "--history", "--db", root + "/y.db"], in: root)
            #expect(r.status == 3, "\(mode): \(r.stderr)")
            #expect(r.stderr.contains("git") && !r.stderr.contains("Fatal error"))
            if FileManager.default.fileExists(atPath: root + "/y.db") {
                #expect(try HostileInputTests.dump(root + "/y.db").filter { $0 == "\n" }.count == Migrator.migrations.count, "only the migration rows")
            }
        }
    }

    @Test func shallowCloneAndEmptyRepository() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clone = root + "-shallow"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        try git("/", "git clone -q --depth 1 file://\(root) \(clone)")
        var r = try EndToEndTests.run(["import", "--history", "--db", clone + ".db"], in: clone)
        #expect(r.status == 3 && r.stderr.contains("shallow"))
        r = try EndToEndTests.run(["import", "--db", clone + ".db"], in: clone)
        #expect(r.status == 3 && r.stderr.contains("fetch"), "a first import backfills the branch: a shallow clone lacks it")
        // A registry that holds the history moves forward from a shallow clone that has its latest commit.
        #expect(try EndToEndTests.run(["import", "--history", "--db", clone + ".db"], in: root).status == 0)
        try git(root, "echo more > README && git add README && git commit -qm three")
        try git("/", "rm -rf \(clone) && git clone -q --depth 2 file://\(root) \(clone)")
        r = try EndToEndTests.run(["import", "--db", clone + ".db"], in: clone)
        #expect(r.status == 0 && r.stdout.contains("revision 3"), "\(r.stdout) \(r.stderr)")
        try? FileManager.default.removeItem(atPath: clone + ".db")

        let empty = NSTemporaryDirectory() + "fnreg-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try git(empty, "git init -q")
        r = try EndToEndTests.run(["import", "--history", "--db", empty + "/x.db"], in: empty)
        #expect(r.status == 3 && r.stderr.contains("no commits"))
        r = try EndToEndTests.run(["import", "--db", empty + "/x.db"], in: empty)
        #expect(r.status == 3 && r.stderr.contains("not a configuration repository"))
        r = try EndToEndTests.run(["validate", empty], in: empty)
        #expect(r.status == 3)
        r = try EndToEndTests.run(["validate", "/nonexistent/path"], in: empty)
        #expect(r.status == 3)
    }

    @Test func badDatabases() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Not SQLite.
        try Data("this is not a database, just text".utf8).write(to: URL(fileURLWithPath: root + "/text.db"))
        var r = try EndToEndTests.run(["import", "--db", root + "/text.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("not an SQLite database"))
        r = try EndToEndTests.run(["export", "json", "--env", "dev", "--db", root + "/text.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("not an SQLite database"))
        // A newer schema.
        #expect(try EndToEndTests.run(["import", "--history", "--db", root + "/new.db"], in: root).status == 0)
        let db = try Database(path: root + "/new.db")
        try db.execute("INSERT INTO schema_migrations VALUES ('9999_from_the_future', 'x', 0)")
        r = try EndToEndTests.run(["import", "--db", root + "/new.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("newer fnreg"))
        r = try EndToEndTests.run(["export", "json", "--env", "dev", "--db", root + "/new.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("newer fnreg"))
        // A full disk: the file-size limit makes every write fail; the database stays as it was.
        #expect(try EndToEndTests.run(["import", "--history", "--db", root + "/full.db"], in: root).status == 0)
        try EndToEndTests.shell("printf '{\"timeout\": 77}' > terraform/environments/dev/environment.json && git add -A terraform && git commit -qm 77", in: root)
        let before = try HostileInputTests.dump(root + "/full.db")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "trap '' XFSZ; ulimit -f 1; exec \"$0\" import --db full.db 2>err.txt", EndToEndTests.binary]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        try p.run(); p.waitUntilExit()
        let err = (try? String(contentsOfFile: root + "/err.txt", encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 3, "\(err)")
        #expect(!err.isEmpty && !err.contains("Fatal error"))
        #expect(try HostileInputTests.dump(root + "/full.db") == before)
        // A read-only (immutable) database file: reads work, writes are refused, nothing changes.
        #expect(try EndToEndTests.run(["import", "--history", "--db", root + "/ro.db"], in: root).status == 0)
        try EndToEndTests.shell("printf '{\"timeout\": 78}' > terraform/environments/dev/environment.json && git add -A terraform && git commit -qm 78", in: root)
        let frozen = try HostileInputTests.dump(root + "/ro.db")
        try EndToEndTests.shell("chattr +i ro.db", in: root)
        defer { try? EndToEndTests.shell("chattr -i ro.db", in: root) }
        r = try EndToEndTests.run(["import", "--db", root + "/ro.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("read-only"), "\(r.stderr)")
        r = try EndToEndTests.run(["export", "json", "--env", "dev", "--db", root + "/ro.db"], in: root)
        #expect(r.status == 0)
        try EndToEndTests.shell("chattr -i ro.db", in: root)
        #expect(try HostileInputTests.dump(root + "/ro.db") == frozen)
        // Unknown and ambiguous points list candidates.
        r = try EndToEndTests.run(["export", "json", "--env", "dev", "--at", "commit:ffffff", "--db", root + "/full.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("candidates"))
        let full = try Database(path: root + "/full.db")
        try full.execute("UPDATE revisions SET commit_id = 'abcd' || substr(commit_id, 5)")
        r = try EndToEndTests.run(["export", "json", "--env", "dev", "--at", "commit:abcd", "--db", root + "/full.db"], in: root)
        #expect(r.status == 3 && r.stderr.contains("2 recorded commits start with abcd") && r.stderr.contains("rev 1") && r.stderr.contains("rev 2"))
        r = try EndToEndTests.run(["export", "json", "--env", "dev", "--at", "next tuesday", "--db", root + "/full.db"], in: root)
        #expect(r.status == 3)
    }
}
