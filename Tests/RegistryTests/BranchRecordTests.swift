import Foundation
import Testing
@testable import Registry

/// The record follows one branch: whatever order imports run in, whatever other branches exist,
/// however the branch is rewritten, what the registry says happened is what happened on it.
@Suite("The record follows the branch", .serialized)
struct BranchRecordTests {
    func config(_ repo: TestRepository, timeout: Int) throws {
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", .number(Double(timeout)))]))
    }

    func commits(_ store: SQLiteStore) throws -> [String?] { try store.revisions(newestFirst: false).map(\.commit) }

    /// main: M1, M2, M3. Each returns its commit.
    func linearHistory(_ repo: TestRepository) throws -> [String] {
        try repo.write("terraform/environments/prod/environment.json", json: ["tags": ["Environment": "prod"]])
        var out: [String] = []
        for t in [10, 20, 30] {
            try config(repo, timeout: t)
            out.append(try repo.commit("timeout \(t)"))
        }
        return out
    }

    @Test func pullRequestBranchIsRefusedAndChangesNothing() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        let main = try linearHistory(repo)
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        try repo.git(["checkout", "-q", "-b", "feature/x"])
        try config(repo, timeout: 99)
        let pr = try repo.commit("pr")
        let before = try databaseDump(repo.databasePath)
        for request in [repo.request(), repo.request(commit: pr), repo.request(commit: "feature/x")] {
            do {
                _ = try Importer(storage: store).run(request)
                Issue.record("a pull-request commit must be refused")
            } catch let e as RegistryError {
                #expect(e.exitCode == 3 && e.description.contains("on branch feature/x, not on main"), "\(e)")
            }
        }
        // --history follows main whatever is checked out.
        #expect(try Importer(storage: store).run(repo.request(history: true)).noOp != nil)
        #expect(try databaseDump(repo.databasePath) == before, "the database is unchanged")
        #expect(try commits(store) == main)
        // Merged with --no-ff: the merge is recorded; the branch's commit is "merged by revision N".
        try repo.git(["checkout", "-q", "main"])
        try repo.git(["merge", "-q", "--no-ff", "-m", "merge pr", "feature/x"], environment: ["GIT_COMMITTER_DATE": "@1761000000 +0000", "GIT_AUTHOR_DATE": "@1761000000 +0000"])
        let report = try Importer(storage: store).run(repo.request())
        #expect(report.imported.count == 1 && report.imported[0].number == 4)
        do {
            _ = try Importer(storage: store).run(repo.request(commit: pr))
            Issue.record("a merged side commit is not on main's first-parent history")
        } catch let e as RegistryError {
            #expect(e.description.contains("merged into main by revision 4"), "\(e)")
        }
        let registry = Registry(storage: store, workspace: try Workspace.discover(from: repo.root))
        do {
            _ = try registry.resolve(String(pr.prefix(10)))
            Issue.record("an unrecorded commit is not a point")
        } catch let e as RegistryError {
            #expect(e.description.contains("merged into main by revision 4"), "the point says why: \(e)")
        }
        #expect(try registry.resolve("main~1").number == 3, "git revisions resolve inside the repository")
        #expect(try registry.resolve("main").number == 4)
    }

    @Test func outOfOrderJobsNeverMoveTheRecordBackwards() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        let main = try linearHistory(repo)
        let (store, importer) = try repo.importer()
        // The job of M2 finishes first: it records M1 and M2 (a first import backfills).
        let second = try importer.run(repo.request(commit: main[1]))
        #expect(second.imported.map(\.number) == [1, 2])
        // The job of M1 finishes late: a no-op that says so.
        let late = try importer.run(repo.request(commit: main[0]))
        #expect(late.imported.isEmpty && late.noOp?.contains("already recorded as revision 1") == true, "\(late.noOp ?? "")")
        // M3's job records M3 only; asking for M2 again is a no-op.
        #expect(try importer.run(repo.request(commit: main[2])).imported.map(\.commit) == [main[2]])
        #expect(try importer.run(repo.request(commit: main[1])).noOp != nil)
        #expect(try commits(store) == main)
        // A missed commit is filled in: M4 and M5 exist, the job of M5 runs first.
        try config(repo, timeout: 40)
        let m4 = try repo.commit("40")
        try config(repo, timeout: 50)
        let m5 = try repo.commit("50")
        #expect(try importer.run(repo.request(commit: m5)).imported.map(\.commit) == [m4, m5])
        #expect(try Registry(storage: store).resolve("time:" + ISOTime.format(repo.lastCommitTime - 1)).commit == m4,
                "time:T never returns a state main never had")
    }

    @Test func foxtrotMergeAddsNoPhantomRevisions() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/prod/main.tf", "#")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        let base = try repo.commit("base")
        try repo.git(["checkout", "-q", "-b", "feature"])
        try repo.write("lambda_functions/f/function.json", json: TestRepository.function("f"))
        try repo.commit("f1")
        try repo.git(["checkout", "-q", "main"])
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b"))
        let l = try repo.commit("b on main")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        #expect(try commits(store) == [base, l])
        // Foxtrot: main merged into the feature branch, then main fast-forwarded to that merge.
        try repo.git(["checkout", "-q", "feature"])
        try repo.git(["merge", "-q", "--no-ff", "-m", "merge main into feature", "main"])
        let merge = try repo.git(["rev-parse", "HEAD"])
        try repo.git(["checkout", "-q", "main"])
        try repo.git(["merge", "-q", "--ff-only", "feature"])
        let report = try importer.run(repo.request(history: true))
        #expect(report.imported.map(\.commit) == [merge], "only the commits that contain L")
        let registry = Registry(storage: store)
        #expect(try registry.functionNames(at: 3) == ["a", "b", "f"])
        for n in 1...3 {
            #expect(try registry.functionNames(at: n).contains("b") == (n >= 2), "no revision where b, which main always had since, is removed")
        }
    }

    @Test func rewritesAreRefusedUnlessAcceptedAndThenMarked() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        let main = try linearHistory(repo)
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        // Force-push: M3 amended.
        try repo.git(["reset", "-q", "--hard", main[1]])
        try config(repo, timeout: 33)
        let amended = try repo.commit("timeout 33 (amended)")
        let before = try databaseDump(repo.databasePath)
        for request in [repo.request(history: true), repo.request(), repo.request(commit: amended)] {
            do {
                _ = try Importer(storage: store).run(request)
                Issue.record("a rewrite must be refused")
            } catch let e as RegistryError {
                #expect(e.exitCode == 3 && e.description.contains("rewritten") && e.description.contains(String(main[1].prefix(12))), "names L, tip and merge base: \(e)")
            }
        }
        #expect(try databaseDump(repo.databasePath) == before)
        let accepted = try Importer(storage: store).run(repo.request(history: true, acceptRewrite: true))
        #expect(accepted.imported.map(\.commit) == [amended])
        #expect(accepted.imported.first?.rewriteOf == 3 && accepted.imported.first?.number == 4)
        #expect(try store.revision(3)?.commit == main[2], "earlier revisions stay as they were")
        let log = try Registry(storage: store).log()
        #expect(log.first?.json["rewrite_of"] == 3)
        // A reset backwards: the tip is an ancestor of L. Refused, then recorded as a new revision.
        try repo.git(["reset", "-q", "--hard", main[0]])
        do {
            _ = try Importer(storage: store).run(repo.request(history: true))
            Issue.record("a reset backwards is a rewrite")
        } catch let e as RegistryError { #expect(e.description.contains("rewritten"), "\(e)") }
        let reset = try Importer(storage: store).run(repo.request(history: true, acceptRewrite: true))
        #expect(reset.imported.map(\.commit) == [main[0]] && reset.imported.first?.rewriteOf == 4 && reset.imported.first?.number == 5)
        let registry = Registry(storage: store)
        #expect(try registry.snapshot(environment: "prod", at: nil).value(of: "a")?["timeout"] == 10, "HEAD is what main says now")
        #expect(try registry.resolve("commit:\(main[0].prefix(8))").number == 5, "a commit recorded twice names its newest revision")
        // Moving on from there is forward again.
        try config(repo, timeout: 11)
        let next = try repo.commit("11")
        #expect(try Importer(storage: store).run(repo.request()).imported.map(\.commit) == [next])
        #expect(try store.verify().isEmpty)
    }

    @Test func anotherRepositoryBranchOrKindIsRefused() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        _ = try linearHistory(repo)
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        #expect(try store.binding()?.branch == "main" && store.binding()?.kind == .git)
        let before = try databaseDump(repo.databasePath)
        // Another branch.
        try repo.git(["branch", "release"])
        var other = repo.request(history: true)
        other.branch = "release"
        #expect(throws: RegistryError.self) { try importer.run(other) }
        // Another repository.
        let second = try TestRepository()
        defer { second.cleanup() }
        try second.write("README.md", "another project")  // commits with other content: another root
        _ = try linearHistory(second)
        var foreign = second.request(history: true)
        foreign.path = second.root
        do {
            _ = try importer.run(foreign)
            Issue.record("another repository must be refused")
        } catch let e as RegistryError { #expect(e.description.contains("another repository"), "\(e)") }
        // A plain directory.
        let plain = NSTemporaryDirectory() + "fnreg-plain-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: plain) }
        try FileManager.default.createDirectory(atPath: plain + "/lambda_functions", withIntermediateDirectories: true)
        do {
            _ = try importer.run(ImportRequest(path: plain))
            Issue.record("a plain directory must be refused")
        } catch let e as RegistryError { #expect(e.description.contains("plain directory"), "\(e)") }
        #expect(try databaseDump(repo.databasePath) == before)
        // A clone of the same repository (a CI checkout) is the same repository.
        let clone = repo.root + "-clone"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        try repo.git(["clone", "-q", repo.root, clone])
        var fromClone = repo.request(history: true)
        fromClone.path = clone
        #expect(try importer.run(fromClone).noOp != nil)
        // And a directory registry refuses a git source.
        let dirStore = try SQLiteStore(path: plain + ".sqlite3")
        defer { try? FileManager.default.removeItem(atPath: plain + ".sqlite3") }
        try FileManager.default.createDirectory(atPath: plain + "/terraform/environments/dev", withIntermediateDirectories: true)
        try "{}".write(toFile: plain + "/terraform/environments/dev/environment.json", atomically: true, encoding: .utf8)
        _ = try Importer(storage: dirStore).run(ImportRequest(path: plain))
        #expect(throws: RegistryError.self) { try Importer(storage: dirStore).run(repo.request(history: true)) }
    }

    @Test func previewsNeverWrite() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        _ = try linearHistory(repo)
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        try config(repo, timeout: 77)
        let before = try databaseDump(repo.databasePath)
        let registry = Registry(storage: try SQLiteStore(path: repo.databasePath, readOnly: true), workspace: try Workspace.discover(from: repo.root))
        let diff = SnapshotDiff(left: try registry.snapshot(environment: "prod", at: nil), right: try registry.snapshot(environment: "prod", at: "worktree"))
        #expect(diff.changes.map(\.function) == ["a"] && diff.changes[0].operations.map(\.path.description) == ["/timeout"])
        #expect(try registry.snapshot(environment: "prod", at: "worktree").revision.isPreview)
        #expect(try databaseDump(repo.databasePath) == before)
        _ = store
    }

    /// A secret allowed by the allow-list, then the allow-list deleted while the secret stays: every
    /// way of importing that commit refuses it (validation is a function of the tree).
    @Test func allowListDeletionIsRefusedInEveryMode() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/prod/main.tf", "#")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [
            ("environment_variables", ["DB_URL": "postgres://app:Sup3rSecretPassw0rd@db.internal/app"])]))
        try repo.write("lambda_functions/allowed-secrets.json", json: ["secrets": [["function": "a", "pointer": "/environment_variables/DB_URL", "reason": "test fixture"]]])
        let c1 = try repo.commit("allowed")
        try repo.remove("lambda_functions/allowed-secrets.json")
        let c2 = try repo.commit("allow-list deleted")
        func refuses(_ make: () throws -> ImportReport) -> Bool {
            do { _ = try make(); return false } catch { return "\(error)".contains("FN-SECRET") }
        }
        // One go.
        let (store, importer) = try repo.importer()
        #expect(refuses { try importer.run(repo.request(history: true)) })
        #expect(try store.revisions().count == 1, "the valid commit before it stays recorded")
        // Resumed, one commit, work tree: each starting from revision 1 alone.
        for mode in ["history", "commit", "worktree"] {
            let path = repo.root + "-\(mode).sqlite3"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let fresh = try SQLiteStore(path: path)
            _ = try Importer(storage: fresh).run(repo.request(commit: c1))
            let request = mode == "history" ? repo.request(history: true) : mode == "commit" ? repo.request(commit: c2) : repo.request()
            #expect(refuses { try Importer(storage: fresh).run(request) }, "\(mode)")
            #expect(try fresh.revisions().count == 1)
        }
    }

    /// Every order of commit-by-commit imports gives the record a history import gives.
    @Test(arguments: [11, 12, 13])
    func shuffledCommitImportsEqualTheHistoryImport(seed: UInt64) throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        var rng = SeededRandom(seed: seed)
        var commits: [String] = []
        try repo.write("terraform/environments/dev/environment.json", json: ["timeout": 5])
        for step in 0..<10 {
            let name = "f\(Int.random(in: 0..<4, using: &rng))"
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: try repo.write("lambda_functions/\(name)/function.json", json: TestRepository.function(name, extra: [("timeout", .number(Double(step + 1)))]))
            case 1: try repo.write("lambda_functions/\(name)/index.py", "print(\(step))")
            case 2: try repo.write("terraform/environments/dev/environment.json", json: ["memory_size": .number(Double(128 + step))])
            default: try repo.write("README.md", "\(step)")
            }
            commits.append(try repo.commit("step \(step)", allowEmpty: true))
        }
        let (_, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let reference = try databaseDump(repo.databasePath)
        for order in 0..<3 {
            let path = repo.root + "-order\(order).sqlite3"
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
            let store = try SQLiteStore(path: path)
            for commit in commits.shuffled(using: &rng) { _ = try Importer(storage: store).run(repo.request(commit: commit)) }
            #expect(try databaseDump(path) == reference, "order \(order)")
        }
    }
}

/// One package, one hash: links are resolved within the repository, in every import mode.
@Suite("Packages and code_hash", .serialized)
struct PackageTests {
    func link(_ repo: TestRepository, _ path: String, to target: String) throws {
        try FileManager.default.createDirectory(atPath: ((repo.root + "/" + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repo.root + "/" + path, withDestinationPath: target)
    }

    func codeHash(_ registry: Registry, _ function: String, at point: String? = nil) throws -> String? {
        try registry.snapshot(environment: "dev", at: point).value(of: function)?["code_hash"]?.stringValue
    }

    @Test func sharedCodeReachedThroughALinkChangesTheHash() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/dev/main.tf", "#")
        try repo.write("common/shared.py", "VERSION = 1\n")
        try repo.write("common/lib/util.py", "def f(): pass\n")
        for name in ["a", "b"] {
            try repo.write("lambda_functions/\(name)/function.json", json: TestRepository.function(name))
            try repo.write("lambda_functions/\(name)/index.py", "print('\(name)')")
        }
        try link(repo, "lambda_functions/a/shared.py", to: "../../common/shared.py")
        try link(repo, "lambda_functions/a/lib", to: "../../common/lib")
        try repo.commit("one")
        try repo.write("common/shared.py", "VERSION = 2\n")
        try repo.commit("shared code changes alone")
        try repo.write("common/lib/more.py", "x = 1\n")
        try repo.commit("a file added below the linked directory")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let registry = Registry(storage: store, workspace: try Workspace.discover(from: repo.root))
        let hashes = try (1...3).map { try codeHash(registry, "a", at: "rev:\($0)") }
        #expect(Set(hashes).count == 3, "each change reached through a link changes a's code_hash")
        #expect(try Set((1...3).map { try codeHash(registry, "b", at: "rev:\($0)") }).count == 1, "and only a's")
        #expect(hashes[2] == CodeHash.of([("index.py", Data("print('a')".utf8)), ("shared.py", Data("VERSION = 2\n".utf8)),
                                          ("lib/util.py", Data("def f(): pass\n".utf8)), ("lib/more.py", Data("x = 1\n".utf8))]))
        let diff = SnapshotDiff(left: try registry.snapshot(environment: "dev", at: "rev:1"), right: try registry.snapshot(environment: "dev", at: "rev:2"))
        #expect(diff.changes.map(\.function) == ["a"] && diff.changes[0].operations.map(\.path.description) == ["/code_hash"])
        // One commit at a time, and the work tree, agree with the history import.
        let single = try SQLiteStore(path: repo.root + "-single.sqlite3")
        defer { try? FileManager.default.removeItem(atPath: repo.root + "-single.sqlite3") }
        for n in ["HEAD~2", "HEAD~1", "HEAD"] { _ = try Importer(storage: single).run(repo.request(commit: n)) }
        #expect(try (1...3).map { try codeHash(Registry(storage: single), "a", at: "rev:\($0)") } == hashes)
        #expect(try codeHash(registry, "a", at: "worktree") == hashes[2])
        // A plain copy of the directory (links kept) gives the same hash.
        let copy = repo.root + "-copy"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try repo.git(["archive", "--format=tar", "-o", repo.root + "-copy.tar", "HEAD"])
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        try EndToEndShell.run("tar -xf \(repo.root)-copy.tar -C \(copy) && rm \(repo.root)-copy.tar")
        let plain = try SQLiteStore(path: copy + ".sqlite3")
        defer { try? FileManager.default.removeItem(atPath: copy + ".sqlite3") }
        var request = ImportRequest(path: copy)
        request.today = "2026-01-01"
        _ = try Importer(storage: plain).run(request)
        #expect(try codeHash(Registry(storage: plain), "a") == hashes[2])
        // fnreg package: the zip holds the shared file's bytes, and its hash is the exported one.
        let zip = repo.root + "-a.zip"
        defer { try? FileManager.default.removeItem(atPath: zip) }
        let built = try registry.package(function: "a", at: nil, to: zip)
        #expect(built.codeHash == hashes[2] && built.files == 4)
        let listing = try EndToEndShell.output("python3 -c \"import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print(z.read('shared.py').decode(), end=''); print(','.join(i.filename for i in z.infolist()))\" \(zip)")
        #expect(listing == "VERSION = 2\nindex.py,lib/more.py,lib/util.py,shared.py\n")
        let first = try Data(contentsOf: URL(fileURLWithPath: zip))
        _ = try registry.package(function: "a", at: "rev:3", to: zip)
        #expect(try Data(contentsOf: URL(fileURLWithPath: zip)) == first, "the same files give the same bytes")
        #expect(try registry.package(function: "a", at: "rev:1", to: zip).codeHash == hashes[0], "a past snapshot's package is its past code")
    }

    @Test func badLinksAndSubmodulesAreFindingsInEveryMode() throws {
        for (kind, rule) in [("escaping", "FN-CODE-LINK-ESCAPES"), ("absolute", "FN-CODE-LINK-ESCAPES"), ("dangling", "FN-CODE-LINK-DANGLING"),
                             ("loop", "FN-CODE-LINK-LOOP"), ("submodule", "FN-CODE-SUBMODULE")] {
            let repo = try TestRepository()
            defer { repo.cleanup() }
            try repo.write("terraform/environments/dev/main.tf", "#")
            try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
            try repo.write("lambda_functions/a/index.py", "print('a')")
            let good = try repo.commit("good")
            switch kind {
            case "escaping": try link(repo, "lambda_functions/a/up.py", to: "../../../outside.py")
            case "absolute": try link(repo, "lambda_functions/a/passwd", to: "/etc/passwd")
            case "dangling": try link(repo, "lambda_functions/a/gone.py", to: "missing.py")
            case "loop":
                try link(repo, "lambda_functions/a/x", to: "y")
                try link(repo, "lambda_functions/a/y", to: "x")
            default:
                // Another repository inside the function's directory: git records it as a submodule.
                try repo.write("lambda_functions/a/vendored/lib.py", "x")
                try EndToEndShell.run("cd \(repo.root)/lambda_functions/a/vendored && git init -q && git add -A && git -c user.name=T -c user.email=t@e.com commit -qm lib")
            }
            let bad = try repo.commit("bad \(kind)")
            #expect(try repo.git(["ls-tree", "-r", "HEAD"]).contains(kind == "submodule" ? "160000" : "120000"), "\(kind) is committed")
            // The next commit repairs it.
            try repo.git(["rm", "-rq", "--cached", "lambda_functions/a"])
            for name in ["up.py", "passwd", "gone.py", "x", "y", "vendored"] { try? repo.remove("lambda_functions/a/" + name) }
            try repo.commit("after")
            try repo.git(["checkout", "-q", bad])
            func hasRule(_ error: Error) -> Bool { "\(error)".contains(rule) }
            // --history stops at the commit, naming it.
            let (store, importer) = try repo.importer()
            do {
                _ = try importer.run(repo.request(history: true))
                Issue.record("\(kind): expected a refusal")
            } catch let e as HistoryError {
                #expect(e.commit == bad && hasRule(e), "\(kind): \(e)")
            }
            #expect(try store.revisions().map(\.commit) == [good])
            // --commit of that commit (from the good one) refuses it.
            do {
                _ = try importer.run(repo.request(commit: bad))
                Issue.record("\(kind): expected a refusal")
            } catch { #expect(hasRule(error), "\(kind): \(error)") }
            // --skip-invalid records it as skipped and goes on.
            let skipped = try importer.run(repo.request(history: true, skipInvalid: true))
            #expect(skipped.skipped.map(\.commit) == [bad] && skipped.imported.count == 1, "\(kind)")
            // validate of the work tree finds it too.
            #expect(try WorkTreeState.validate(path: repo.root, today: "2026-01-01").contains { $0.rule == rule }, "\(kind)")
        }
    }

    /// NFC and NFD spellings of one name are two files; names that are not UTF-8 keep their bytes;
    /// git and the disk give the same code_hash.
    @Test func fileNamesAreBytes() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/dev/main.tf", "#")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("lambda_functions/a/caf\u{e9}.py", "nfc")
        try repo.write("lambda_functions/a/cafe\u{301}.py", "nfd")
        let latin1 = repo.root + "/lambda_functions/a/" + "x"
        let raw: [UInt8] = Array(latin1.utf8) + [0xE9] + Array(".txt".utf8)
        let fd = open(raw.map { CChar(bitPattern: $0) } + [0], O_WRONLY | O_CREAT, 0o644)
        _ = write(fd, "latin-1", 7)
        close(fd)
        try repo.commit("names")
        let expected = CodeHash.of([(RepoPath("caf\u{e9}.py"), Data("nfc".utf8)), (RepoPath("cafe\u{301}.py"), Data("nfd".utf8)),
                                    (RepoPath(bytes: Array("x".utf8) + [0xE9] + Array(".txt".utf8)), Data("latin-1".utf8))])
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let registry = Registry(storage: store, workspace: try Workspace.discover(from: repo.root))
        #expect(try codeHash(registry, "a") == expected, "git")
        #expect(try codeHash(registry, "a", at: "worktree") == expected, "the work tree")
        let zip = repo.root + "-names.zip"
        defer { try? FileManager.default.removeItem(atPath: zip) }
        #expect(try registry.package(function: "a", at: nil, to: zip).files == 3)
    }

    /// For random trees with links, code_hash equals an independent hash over the files a zip tool
    /// that follows links inside the repository would include (computed here with the file system's
    /// own link resolution).
    @Test(arguments: [21, 22, 23, 24, 25, 26])
    func codeHashEqualsAnIndependentWalk(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/dev/main.tf", "#")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        var targets: [String] = []
        for i in 0..<6 {
            let dir = ["shared", "shared/deep", "lambda_functions/a/sub", "lambda_functions/lib"].randomElement(using: &rng)!
            try repo.write("\(dir)/f\(i).py", "content \(i) \(Int.random(in: 0..<1000, using: &rng))")
            targets.append("\(dir)/f\(i).py")
            targets.append(dir)
        }
        for i in 0..<3 {
            let target = targets.randomElement(using: &rng)!
            let location = "lambda_functions/a/link\(i)"
            let relative = String(repeating: "../", count: 2) + target
            guard !target.hasPrefix("lambda_functions/a") || target.contains("/sub/f") else { continue }
            try link(repo, location, to: relative)
        }
        try repo.commit("random")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let recorded = try codeHash(Registry(storage: store), "a")
        // The independent walk: FileManager follows links; realpath says whether we left the repository.
        let root = realPath(repo.root)!
        var files: [(RepoPath, Data)] = []
        func walk(_ path: String, _ relative: String, _ seen: [String]) throws {
            let real = realPath(path)!
            #expect(real.hasPrefix(root + "/"), "the generator only links inside the repository")
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                guard !seen.contains(real) else { return }
                for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                    try walk(path + "/" + name, relative.isEmpty ? name : relative + "/" + name, seen + [real])
                }
            } else if relative != "function.json" {
                files.append((RepoPath(relative), try Data(contentsOf: URL(fileURLWithPath: path))))
            }
        }
        try walk(repo.root + "/lambda_functions/a", "", [])
        #expect(recorded == CodeHash.of(files), "seed \(seed)")
    }
}

/// Runs shell commands for tests that need a tool (tar, python3).
enum EndToEndShell {
    @discardableResult
    static func output(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func run(_ script: String) throws { try output(script) }
}
