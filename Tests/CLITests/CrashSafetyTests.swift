import Foundation
import Testing
@testable import Registry

/// `fnreg import --history` killed with SIGKILL at random moments: after every kill the database passes
/// `doctor` and holds exactly the first R revisions of a clean import (never a partial revision), and the
/// next import resumes where it stopped. CI runs a few kills; the full run is
/// `FNREG_CRASH_KILLS=100 swift test --filter CrashSafetyTests`.
@Suite("Crash safety and concurrency", .serialized)
struct CrashSafetyTests {
    static func generate(functions: Int, revisions: Int) throws -> String {
        let root = NSTemporaryDirectory() + "fnreg-crash-" + UUID().uuidString
        let script = EndToEndTests.packageRoot + "/scripts/generate-workload.py"
        try EndToEndTests.shell("python3 \(script) \(root) --functions \(functions) --revisions \(revisions) --seed 7", in: "/")
        return root
    }

    /// Every committed row that matters, for revisions up to `upTo`: revisions, and per version the key and document hash.
    static func content(_ path: String, upTo: Int) throws -> [String] {
        let db = try Database(path: path, readOnly: true)
        var rows = try db.query("SELECT number, commit_id, skipped FROM revisions WHERE number <= ?1 ORDER BY number", [.integer(Int64(upTo))]) {
            "revision \($0.int(0)) \($0.string(1)) \($0.int(2))"
        }
        rows += try db.query("""
            SELECT v.revision, k.kind, k.environment, k.function, hex(d.hash) FROM versions v JOIN keys k ON k.id = v.key_id
            LEFT JOIN documents d ON d.id = v.document_id WHERE v.revision <= ?1 ORDER BY v.revision, k.kind, k.environment, k.function
            """, [.integer(Int64(upTo))]) { "version \($0.int(0)) \($0.string(1)) \($0.string(2)) \($0.string(3)) \($0.optionalString(4) ?? "-")" }
        rows += try db.query("""
            SELECT hex(hash) FROM documents WHERE id IN (SELECT document_id FROM versions WHERE revision <= ?1) ORDER BY 1
            """, [.integer(Int64(upTo))]) { "document \($0.string(0))" }
        return rows
    }

    /// Documents no version refers to (a partial write would leave some).
    static func orphanDocuments(_ path: String) throws -> Int {
        let db = try Database(path: path, readOnly: true)
        return try db.queryOne("SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM versions WHERE document_id IS NOT NULL)", []) { $0.int(0) } ?? 0
    }

    static func revisionCount(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        let db = try Database(path: path, readOnly: true)
        let hasTable = try db.queryOne("SELECT 1 FROM sqlite_master WHERE name = 'revisions'", []) { _ in true } ?? false
        return hasTable ? (try db.queryOne("SELECT count(*) FROM revisions", []) { $0.int(0) } ?? 0) : 0
    }

    @Test func killedImportsLeaveWholeRevisions() throws {
        let kills = Int(ProcessInfo.processInfo.environment["FNREG_CRASH_KILLS"] ?? "") ?? 12
        let repo = try Self.generate(functions: 300, revisions: 60)
        defer { try? FileManager.default.removeItem(atPath: repo) }
        let reference = repo + "/reference.sqlite3", db = repo + "/killed.sqlite3"
        #expect(try EndToEndTests.run(["import", "--history", "--db", reference], in: repo).status == 0)
        let total = try Self.revisionCount(reference)
        // How long a whole import takes here, to spread the kills over it.
        let start = Date()
        try? FileManager.default.removeItem(atPath: repo + "/timing.sqlite3")
        _ = try EndToEndTests.run(["import", "--history", "--db", repo + "/timing.sqlite3"], in: repo)
        let duration = max(Date().timeIntervalSince(start), 0.2)
        var rng = SystemRandomNumberGenerator()
        var survived = 0
        for _ in 0..<kills {
            if try Self.revisionCount(db) == total { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + s) } }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
            p.arguments = ["import", "--history", "--db", db]
            p.currentDirectoryURL = URL(fileURLWithPath: repo)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(Double.random(in: 0.02...duration, using: &rng) * 1_000_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            guard FileManager.default.fileExists(atPath: db) else { continue }
            let doctor = try EndToEndTests.run(["doctor", "--db", db], in: repo)
            #expect(doctor.status == 0, "doctor after a kill: \(doctor.stdout)")
            let r = try Self.revisionCount(db)
            let got = try Self.content(db, upTo: r), want = try Self.content(reference, upTo: r)
            #expect(got == want, "the killed database equals the first \(r) revisions of a clean import; differing: \(Array(Set(got).symmetricDifference(want)).sorted().prefix(8))")
            #expect(try Self.orphanDocuments(db) == 0)
            survived += 1
        }
        // The next import resumes where it stopped and ends equal to the clean import.
        #expect(try EndToEndTests.run(["import", "--history", "--db", db], in: repo).status == 0)
        #expect(try Self.content(db, upTo: total) == Self.content(reference, upTo: total))
        #expect(survived >= kills / 2)
    }

    /// Four imports of different commits at once, with readers exporting in a loop: all finish, no
    /// revision is duplicated or lost, and every export a reader saw is whole (its hash checks out).
    @Test func concurrentImportsAndReaders() throws {
        let repo = try Self.generate(functions: 200, revisions: 8)
        defer { try? FileManager.default.removeItem(atPath: repo) }
        let db = repo + "/shared.sqlite3"
        #expect(try EndToEndTests.run(["import", "--commit", "HEAD~7", "--db", db], in: repo).status == 0)
        let commits = ["HEAD~5", "HEAD~4", "HEAD~2", "HEAD"]
        let writers: [Process] = try commits.map { commit in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
            p.arguments = ["import", "--commit", commit, "--db", db]
            p.currentDirectoryURL = URL(fileURLWithPath: repo)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        // A backup taken while the writers run.
        let backup = try EndToEndTests.run(["backup", "--to", repo + "/copy.sqlite3", "--db", db], in: repo)
        #expect(backup.status == 0, "\(backup.stderr)")
        var exports: [String] = []
        while writers.contains(where: \.isRunning) || exports.count < 3 {
            let r = try EndToEndTests.run(["export", "json", "--env", "prod", "--db", db], in: repo)
            #expect(r.status == 0, "\(r.stderr)")
            exports.append(r.stdout)
        }
        for w in writers { w.waitUntilExit(); #expect(w.terminationStatus == 0) }
        let store = try Database(path: db, readOnly: true)
        let rows = try store.query("SELECT number, commit_id FROM revisions ORDER BY number", []) { ($0.int(0), $0.string(1)) }
        #expect(rows.map(\.0) == Array(1...8), "numbered without gaps: every first-parent commit once, whatever order the jobs finished in")
        #expect(Set(rows.map(\.1)).count == 8, "no commit imported twice")
        let order = try EndToEndTests.shellOutput("git rev-list --first-parent --reverse HEAD", in: repo).split(separator: "\n").map(String.init)
        #expect(rows.map(\.1) == order, "revision N is the Nth first-parent commit")
        for text in exports {
            let value = try JSONParser.parse(text)
            let functions = try #require(value["functions"])
            #expect(value["snapshot_hash"]?.stringValue == SHA256Hasher.prefixedHex(JSONWriter.canonicalBytes(functions)), "a whole snapshot")
        }
        #expect(try EndToEndTests.run(["doctor", "--db", db], in: repo).status == 0)
        // The backup taken during the writes is consistent.
        #expect(try EndToEndTests.run(["doctor", "--db", repo + "/copy.sqlite3"], in: repo).status == 0)
    }
}
