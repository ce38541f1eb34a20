import Foundation
import Testing
@testable import Registry

/// Runs the built `fnreg` binary and checks stdout, stderr and exit codes.
@Suite("fnreg end to end", .serialized)
struct EndToEndTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static var binary: String {
        for candidate in [".build/debug/fnreg", ".build/x86_64-unknown-linux-gnu/debug/fnreg", ".build/release/fnreg"] {
            let path = packageRoot + "/" + candidate
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot + "/.build/debug/fnreg"
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    @discardableResult
    static func run(_ arguments: [String], in directory: String, binary: String = EndToEndTests.binary, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        env["FNREG_DB"] = nil
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static func shell(_ script: String, in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
    }

    static func shellOutput(_ script: String, in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func makeRepository() throws -> String {
        let root = NSTemporaryDirectory() + "fnreg-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try shell("""
            git init -q -b main && git config user.email t@e.com && git config user.name T &&
            mkdir -p lambda_functions/g/a terraform/environments/dev/overrides terraform/environments/prod &&
            printf '{"name":"a","description":"A","runtime":"python3.13","handler":"index.h","timeout":30}' > lambda_functions/g/a/function.json &&
            echo 'code' > lambda_functions/g/a/index.py &&
            printf '{"timeout":60}' > terraform/environments/prod/environment.json &&
            printf '{"memory_size":256}' > terraform/environments/dev/overrides/a.json &&
            git add -A && GIT_COMMITTER_DATE='@1762000000 +0000' GIT_AUTHOR_DATE='@1762000000 +0000' git commit -qm one &&
            printf '{"timeout":90}' > terraform/environments/prod/environment.json &&
            git add -A && GIT_COMMITTER_DATE='@1762100000 +0000' GIT_AUTHOR_DATE='@1762100000 +0000' git commit -qm two
            """, in: root)
        return root
    }

    /// `fnreg … | head`: when the reader goes away, fnreg ends quietly like any Unix tool (killed by
    /// SIGPIPE), never with Foundation's "Fatal error" and a stack trace. Inside a repository without
    /// --db, fnreg runs git first, which is when SIGPIPE is ignored and the write fails with EPIPE.
    @Test func closedStandardOutputEndsQuietly() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try Self.run(["import", "--history"], in: root).status == 0)
        for command in ["log", "export json --env prod", "diff dev prod", "diff dev prod --format json", "functions --env dev"] {
            // The reader closes its end at once, so the first write fails.
            try Self.shell("NO_COLOR=1 '\(Self.binary)' \(command) 2>stderr.txt | (exec 0<&-; sleep 0.3)", in: root)
            let stderr = try String(contentsOfFile: root + "/stderr.txt", encoding: .utf8)
            #expect(!stderr.contains("Fatal error") && !stderr.contains("stack trace"), "\(command): \(stderr)")
        }
    }

    @Test func importExportDiffAndErrors() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var r = try Self.run(["import", "--history"], in: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/.git/fnreg/registry.sqlite3"), "default database in the git directory")
        #expect(!FileManager.default.fileExists(atPath: root + "/.fnreg"), "nothing in the checkout")
        r = try Self.run(["import", "--history"], in: root)
        #expect(r.status == 0 && r.stdout.contains("already recorded"))

        r = try Self.run(["export", "json", "--env", "prod", "--at", "rev:1"], in: root)
        #expect(r.status == 0)
        #expect(r.stdout.hasSuffix("}\n"))
        let exported = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(exported["revision"] as? Int == 1)
        #expect(((exported["functions"] as! [String: Any])["a"] as! [String: Any])["timeout"] as? Int == 60)
        #expect((exported["snapshot_hash"] as! String).hasPrefix("sha256:"))

        r = try Self.run(["diff", "prod@1", "prod", "--format", "json", "--exit-code"], in: root)
        #expect(r.status == 1)
        let diff = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let change = (diff["changes"] as! [[String: Any]])[0]
        #expect(change["status"] as? String == "modified")
        #expect((change["operations"] as! [[String: Any]])[0]["path"] as? String == "/timeout")

        r = try Self.run(["export", "json", "--env", "qa"], in: root)
        #expect(r.status == 3)
        #expect(r.stderr.contains("dev, prod"))
        #expect(r.stderr.split(separator: "\n").count == 1)

        r = try Self.run(["export", "json", "--env", "prod", "--at", "rev:99"], in: root)
        #expect(r.status == 3 && r.stderr.contains("rev:1"))

        r = try Self.run(["export", "json"], in: root)
        #expect(r.status == 2)

        // A dirty work tree is refused (naming the file and the preview); an invalid commit is refused
        // naming file and pointer; the database is unchanged either way.
        let db = root + "/.git/fnreg/registry.sqlite3"
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        try #"{"name":"a","description":"A","runtime":"python3.13","handler":"index.h","timeout":1000}"#.write(toFile: root + "/lambda_functions/g/a/function.json", atomically: true, encoding: .utf8)
        r = try Self.run(["import"], in: root)
        #expect(r.status == 3)
        #expect(r.stderr.contains("lambda_functions/g/a/function.json") && r.stderr.contains("ENV@worktree"), "\(r.stderr)")
        r = try Self.run(["validate"], in: root)
        #expect(r.status == 1 && r.stdout.contains("/timeout"))
        r = try Self.run(["diff", "prod", "prod@worktree"], in: root)
        #expect(r.status == 3 && r.stderr.contains("/timeout"), "an invalid work tree is a data error that prints the findings")
        try Self.shell("git commit -qam 'timeout 1000'", in: root)
        r = try Self.run(["import"], in: root)
        #expect(r.status == 3)
        #expect(r.stderr.contains("lambda_functions/g/a/function.json:1:") && r.stderr.contains("/timeout"), "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test func exportsAreDeterministicAcrossRunsTimeZonesAndLocales() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.run(["import", "--history"], in: root)
        var outputs: [String] = []
        for (tz, lang) in [("UTC", "C"), ("UTC", "C"), ("Pacific/Chatham", "tr_TR.UTF-8"), ("America/St_Johns", "de_DE.UTF-8")] {
            let out = NSTemporaryDirectory() + "fnreg-det-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: out) }
            let env = ["TZ": tz, "LANG": lang, "LC_ALL": lang]
            let json = try Self.run(["export", "json", "--env", "prod", "--at", "1"], in: root, environment: env)
            #expect(try Self.run(["export", "terraform", "--env", "prod", "--at", "1", "--out", out], in: root, environment: env).status == 0)
            outputs.append(json.stdout + (try String(contentsOfFile: out + "/functions.auto.tfvars.json", encoding: .utf8)))
        }
        #expect(Set(outputs).count == 1)
    }

    @Test func binaryCopiedAwayStillMigrates() throws {
        let dir = NSTemporaryDirectory() + "fnreg-copy-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Self.binary, toPath: dir + "/fnreg")
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try Self.run(["import", "--db", dir + "/db.sqlite3"], in: root, binary: dir + "/fnreg")
        #expect(r.status == 0, "\(r.stderr)")
        let doctor = try Self.run(["doctor", "--db", dir + "/db.sqlite3"], in: root, binary: dir + "/fnreg")
        #expect(doctor.status == 0, "\(doctor.stdout)")
    }

    @Test func deployAndRollback() throws {
        let root = try Self.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.run(["import", "--history"], in: root)
        // No applied file and no --at: a usage error; deploy never assumes HEAD.
        var r = try Self.run(["deploy", "--env", "prod", "--by", "ci"], in: root)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(try Self.run(["deploy", "--env", "prod", "--at", "1", "--by", "ci"], in: root).status == 0)
        #expect(try Self.run(["export", "terraform", "--env", "prod"], in: root).status == 0)
        r = try Self.run(["deploy", "--env", "prod", "--by", "ci", "--format", "json"], in: root)
        #expect(r.status == 0 && r.stdout.contains("\"recorded\": true") && r.stdout.contains("\"format_version\": 1"), "\(r.stdout)")
        r = try Self.run(["deploy", "--env", "prod", "--by", "ci", "--format", "json"], in: root)
        #expect(r.stdout.contains("\"recorded\": false"))
        r = try Self.run(["rollback", "--env", "prod", "--dry-run"], in: root)
        #expect(r.status == 0 && r.stdout.contains("/timeout"))
        let out = NSTemporaryDirectory() + "fnreg-rb-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: out) }
        r = try Self.run(["rollback", "--env", "prod", "--out", out], in: root)
        #expect(r.status == 0, "\(r.stderr)")
        r = try Self.run(["deployments", "--env", "prod", "--format", "json"], in: root)
        #expect(r.stdout.components(separatedBy: "\"deployment\":").count == 3, "rollback records nothing")
        r = try Self.run(["deploy", "--env", "prod", "--from", out, "--by", "oncall"], in: root)
        #expect(r.status == 0 && r.stdout.contains("rollback of deployment 1"), "\(r.stdout) \(r.stderr)")
        r = try Self.run(["status", "--env", "prod", "--exit-code"], in: root)
        #expect(r.status == 1 && r.stdout.contains("modified"))
        r = try Self.run(["rollback", "--env", "dev"], in: root)
        #expect(r.status == 3)
    }
}

@Suite("Concurrency", .serialized)
struct ConcurrencyTests {
    /// Processes writing at once: SQLite's lock serialises them; no number is lost or duplicated.
    @Test func concurrentDeploysAndImports() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.run(["import", "--history"], in: root)
        let processes: [Process] = try (0..<9).map { i in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
            p.arguments = i % 3 == 0 ? ["deploy", "--env", "prod", "--at", "1", "--by", "p\(i)"]
                : i % 3 == 1 ? ["deploy", "--env", "dev", "--at", "2", "--by", "p\(i)"] : ["export", "json", "--env", "prod"]
            p.currentDirectoryURL = URL(fileURLWithPath: root)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        for p in processes { p.waitUntilExit(); #expect(p.terminationStatus == 0) }
        let r = try EndToEndTests.run(["deployments", "--env", "prod", "--format", "json"], in: root)
        let list = (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])["deployments"] as! [[String: Any]]
        #expect(list.count == 1, "three concurrent deploys of one snapshot record it once")
        let all = try EndToEndTests.run(["deployments", "--format", "json"], in: root)
        let numbers = ((try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as! [String: Any])["deployments"] as! [[String: Any]]).map { $0["deployment"] as! Int }
        #expect(numbers.sorted() == [1, 2], "no number lost or duplicated")
        #expect(try EndToEndTests.run(["doctor"], in: root).status == 0)
    }
}

@Suite("Packages, previews and status from the command line", .serialized)
struct PackageCommandTests {
    /// `fnreg package` writes the same bytes in any time zone and under any umask, and prints the
    /// code_hash `export json` shows.
    @Test func packageIsReproducibleAndMatchesTheExport() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.shell("mkdir -p common && echo 'shared = 1' > common/shared.py && ln -s ../../../common/shared.py lambda_functions/g/a/shared.py && git add -A && git commit -qm link", in: root)
        #expect(try EndToEndTests.run(["import", "--history"], in: root).status == 0)
        let export = try EndToEndTests.run(["export", "json", "--env", "dev"], in: root)
        let exported = try JSONParser.parse(export.stdout)["functions"]?["a"]?["code_hash"]?.stringValue
        var zips: [Data] = []
        for (tz, mask) in [("UTC", "022"), ("UTC", "022"), ("Pacific/Chatham", "077"), ("America/St_Johns", "002")] {
            let out = NSTemporaryDirectory() + "fnreg-zip-" + UUID().uuidString + ".zip"
            defer { try? FileManager.default.removeItem(atPath: out) }
            try EndToEndTests.shell("umask \(mask) && TZ=\(tz) '\(EndToEndTests.binary)' package a --out \(out) > hash.txt", in: root)
            let printed = try String(contentsOfFile: root + "/hash.txt", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(printed == exported, "the printed code_hash is the exported one")
            zips.append(try Data(contentsOf: URL(fileURLWithPath: out)))
        }
        #expect(Set(zips).count == 1, "identical bytes across runs, time zones and umasks")
        // The work tree's package, and an unknown function.
        #expect(try EndToEndTests.run(["package", "a", "--at", "worktree", "--out", root + "/w.zip"], in: root).stdout.trimmingCharacters(in: .newlines) == exported)
        let unknown = try EndToEndTests.run(["package", "b", "--out", root + "/b.zip"], in: root)
        #expect(unknown.status == 3 && unknown.stderr.contains("Unknown function"))
    }

    /// `validate` takes which functions exist from the registry: on a runtime's create-block day,
    /// only a new function is refused; without a registry every function counts as new.
    @Test func validateKnowsExistingFunctionsFromTheRegistry() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.shell("sed -i 's/python3.13/python3.9/' lambda_functions/g/a/function.json && git commit -qam py39", in: root)
        var r = try EndToEndTests.run(["validate", "--today", "2026-06-15"], in: root)
        #expect(r.status == 1 && r.stdout.contains("python3.9"), "no registry: a is new, and python3.9 is past create-block: \(r.stdout)")
        #expect(try EndToEndTests.run(["import", "--history", "--today", "2025-12-01"], in: root).status == 0)
        r = try EndToEndTests.run(["validate", "--today", "2026-06-15"], in: root)
        #expect(r.status == 0, "a exists in the registry: only a warning \(r.stdout)")
    }

    @Test func statusSaysHowFarBehindTheRecordIs() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try EndToEndTests.run(["import", "--history"], in: root).status == 0)
        try EndToEndTests.shell("for i in 1 2 3; do echo $i > README; git add README; git commit -qm $i; done", in: root)
        var r = try EndToEndTests.run(["status"], in: root)
        #expect(r.stdout.contains("main is 3 commits ahead of revision 2: run fnreg import"), "\(r.stdout)")
        #expect(r.stdout.contains("Records branch main of the git repository"))
        r = try EndToEndTests.run(["status", "--format", "json"], in: root)
        #expect(try JSONParser.parse(r.stdout)["commits_behind"] == 3)
        // From a subdirectory, the same database is found.
        r = try EndToEndTests.run(["status"], in: root + "/terraform/environments/prod")
        #expect(r.status == 0 && r.stdout.contains("3 commits ahead"))
    }
}
