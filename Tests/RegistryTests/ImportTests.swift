import Foundation
import Testing
@testable import Registry

@Suite("Import and reconstruction on real git repositories", .serialized)
struct ImportTests {
    /// Random valid histories: the snapshot at every revision equals the reference reconstruction of that commit.
    @Test(arguments: [1, 2, 3, 4])
    func randomHistoryMatchesReference(seed: UInt64) throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        var rng = SeededRandom(seed: seed)
        var functions: [String: String] = [:]  // name -> dir
        var commits: [String] = []
        var counter = 0
        func newFunction() throws {
            counter += 1
            let name = "fn_\(counter)"
            let dir = "lambda_functions/group\(Int.random(in: 0..<3, using: &rng))/\(name)"
            try repo.write(dir + "/function.json", json: TestRepository.function(name, extra: [("timeout", .number(Double(Int.random(in: 1...900, using: &rng))))]))
            try repo.write(dir + "/index.py", "print('\(name)')")
            functions[name] = dir
        }
        for _ in 0..<3 { try newFunction() }
        try repo.write("terraform/environments/dev/environment.json", json: ["environment_variables": ["STAGE": "dev"]])
        try repo.write("terraform/environments/prod/main.tf", "# prod")
        commits.append(try repo.commit("initial"))
        for step in 0..<14 {
            let names = functions.keys.sorted()
            let pick = names.randomElement(using: &rng)!
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: try newFunction()
            case 1 where names.count > 2:
                try repo.remove(functions[pick]!)
                for env in ["dev", "prod"] where FileManager.default.fileExists(atPath: repo.root + "/terraform/environments/\(env)/overrides/\(pick).json") {
                    try repo.remove("terraform/environments/\(env)/overrides/\(pick).json")
                }
                functions[pick] = nil
            case 2:
                let to = "lambda_functions/moved\(step)/\(pick)"
                try repo.move(functions[pick]!, to)
                functions[pick] = to
            case 3: try repo.write(functions[pick]! + "/index.py", "print('changed \(step)')")
            case 4:
                let env = ["dev", "prod"].randomElement(using: &rng)!
                try repo.write("terraform/environments/\(env)/overrides/\(pick).json",
                               json: ["memory_size": .number(Double(128 * Int.random(in: 1...8, using: &rng))), "layers": .null,
                                      "environment_variables": ["STAGE": Bool.random(using: &rng) ? .null : "override"]])
            case 5:
                try repo.write("terraform/environments/prod/environment.json",
                               json: ["tags": ["Environment": "prod"], "tracing_config": Bool.random(using: &rng) ? ["mode": "Active"] : .null])
            case 6:
                try repo.write(functions[pick]! + "/function.json", json: TestRepository.function(pick, extra: [
                    ("memory_size", .number(Double(Int.random(in: 128...1024, using: &rng)))), ("timeout", .null),
                    ("environment_variables", ["LOG_LEVEL": "INFO"]), ("layers", .array([.string("arn:aws:lambda:us-east-1:123456789012:layer:shared:\(step + 1)")]))]))
            case 7: break  // a commit that touches no configuration
            case 8: try repo.write("README.md", "step \(step)")
            default:
                try repo.write("terraform/environments/staging/environment.json", json: ["timeout": .number(Double(step + 10))])
            }
            commits.append(try repo.commit("step \(step)", allowEmpty: true))
        }
        let (store, importer) = try repo.importer()
        let report = try importer.run(repo.request(history: true))
        #expect(report.imported.count == commits.count)
        let registry = Registry(storage: store)
        for (index, commit) in commits.enumerated() {
            let revision = try registry.resolve("rev:\(index + 1)")
            #expect(revision.commit == commit, "revision N is the Nth first-parent commit")
            #expect(try registry.resolve("commit:\(commit.prefix(8))").number == index + 1)
            #expect(try registry.resolve(String(commit.prefix(10))).number == index + 1)
            for env in ["dev", "prod", "staging"] {
                let expected = try Reference.snapshot(repo, commit: commit, environment: env)
                if let expected {
                    let snapshot = try registry.snapshot(environment: env, revision: revision)
                    #expect(JSONValue.object(snapshot.functions) == expected, "\(env) at revision \(index + 1)")
                } else {
                    #expect(throws: RegistryError.self) { try registry.snapshot(environment: env, revision: revision) }
                }
            }
        }
        // Time points: the latest revision committed at or before T.
        let last = try registry.resolve(ISOTime.format(repo.lastCommitTime))
        #expect(last.number == commits.count)
        #expect(try registry.resolve("time:" + ISOTime.format(repo.lastCommitTime - 1)).number == commits.count - 1)
        // Importing the commits one by one (`import --commit`, each after the previous one: unchanged
        // blobs and code directories come from the blob cache) stores the same states.
        let onePath = repo.root + "/one-by-one.sqlite3"
        let oneByOne = try SQLiteStore(path: onePath)
        for commit in commits {
            var request = repo.request(commit: commit)
            request.path = repo.root
            _ = try Importer(storage: oneByOne).run(request)
        }
        for n in 1...commits.count { #expect(try oneByOne.stateHashes(at: n) == store.stateHashes(at: n), "revision \(n) imported alone") }
        // And in shuffled order (CI jobs finishing as they please): the same record as --history.
        for order in 0..<2 {
            let path = repo.root + "/shuffled-\(order).sqlite3"
            let shuffled = try SQLiteStore(path: path)
            for commit in commits.shuffled(using: &rng) { _ = try Importer(storage: shuffled).run(repo.request(commit: commit)) }
            #expect(try databaseDump(path) == databaseDump(repo.databasePath), "seed \(seed), order \(order)")
        }
        #expect(try oneByOne.db.queryOne("SELECT count(*) FROM blob_documents", []) { $0.int(0) }! > 0)
        // Re-running adds nothing.
        let before = try databaseDump(repo.databasePath)
        let again = try Importer(storage: store).run(repo.request(history: true))
        #expect(again.imported.isEmpty && again.noOp != nil)
        #expect(try databaseDump(repo.databasePath) == before)
    }

    /// A merge commit is one revision (first-parent history); its changes are those relative to its
    /// first parent, so the branch's work arrives at the merge, not at the branch's own commits.
    @Test func mergeCommitsFollowTheFirstParent() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 10)]))
        try repo.write("terraform/environments/dev/main.tf", "#")
        try repo.commit("one")
        try repo.git(["checkout", "-q", "-b", "feature"])
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 20)]))
        try repo.commit("feature: timeout 20")
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b"))
        try repo.commit("feature: add b")
        try repo.git(["checkout", "-q", "main"])
        try repo.write("terraform/environments/dev/environment.json", json: ["memory_size": 256])
        try repo.commit("main: dev memory")
        try repo.git(["merge", "-q", "--no-ff", "-m", "merge feature", "feature"],
                     environment: ["GIT_AUTHOR_DATE": "@1760020000 +0000", "GIT_COMMITTER_DATE": "@1760020000 +0000"])
        let merge = try repo.git(["rev-parse", "HEAD"])
        let (store, importer) = try repo.importer()
        let report = try importer.run(repo.request(history: true))
        #expect(report.imported.count == 3, "one, main: dev memory, the merge: first-parent commits only")
        let registry = Registry(storage: store)
        #expect(try registry.resolve("rev:3").commit == merge)
        let before = try registry.snapshot(environment: "dev", at: "2")
        let after = try registry.snapshot(environment: "dev", at: "3")
        #expect(before.functionNames == ["a"] && before.value(of: "a")?["timeout"] == .number(10))
        #expect(after.functionNames == ["a", "b"] && after.value(of: "a")?["timeout"] == .number(20))
        #expect(after.value(of: "a")?["memory_size"] == .number(256))
        #expect(try Reference.snapshot(repo, commit: merge, environment: "dev") == .object(after.functions))
    }

    /// Found by the crash test: a history import resuming on a non-empty database must record the
    /// deletion of keys the stored state has and the first commit of the run does not.
    @Test func resumedHistoryEqualsACleanImport() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b"))
        try repo.write("terraform/environments/dev/overrides/a.json", json: ["timeout": 9])
        let c1 = try repo.commit("one")
        try repo.remove("terraform/environments/dev/overrides/a.json")
        try repo.remove("lambda_functions/b")
        try repo.write("terraform/environments/dev/main.tf", "#")
        try repo.commit("two")
        try repo.write("lambda_functions/c/function.json", json: TestRepository.function("c"))
        try repo.commit("three")
        // Reference: a clean history import.
        let (clean, cleanImporter) = try repo.importer()
        _ = try cleanImporter.run(repo.request(history: true))
        let reference = Registry(storage: clean)
        // Resumed: the first commit alone, then the rest with --history.
        let resumedPath = repo.root + "/resumed.sqlite3"
        let resumed = try SQLiteStore(path: resumedPath)
        var one = repo.request(commit: c1)
        one.path = repo.root
        _ = try Importer(storage: resumed).run(one)
        _ = try Importer(storage: resumed).run(repo.request(history: true))
        let registry = Registry(storage: resumed)
        for n in 1...3 {
            let a = try reference.snapshot(environment: "dev", at: "\(n)"), b = try registry.snapshot(environment: "dev", at: "\(n)")
            #expect(a.hash == b.hash, "revision \(n)")
        }
        #expect(try resumed.stateHashes(at: 3) == clean.stateHashes(at: 3))
    }

    /// Importing one commit reads from git only what that commit changed: with the loose object of an
    /// unchanged function.json destroyed, the import still succeeds from the blob cache (and a fresh
    /// database, which has no cache, fails on the damaged object).
    @Test func importOneCommitReadsOnlyChangedBlobs() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("lambda_functions/a/index.py", "print('a')")
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b"))
        try repo.write("terraform/environments/dev/overrides/a.json", json: ["timeout": 9])
        try repo.commit("one")
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b", extra: [("timeout", 20)]))
        let two = try repo.commit("two")
        let (store, importer) = try repo.importer()
        var first = repo.request(commit: "HEAD~1")
        first.path = repo.root
        _ = try importer.run(first)
        for path in ["lambda_functions/a/function.json", "lambda_functions/a/index.py", "terraform/environments/dev/overrides/a.json"] {
            let id = try repo.git(["rev-parse", "HEAD:" + path])
            let object = repo.root + "/.git/objects/\(id.prefix(2))/\(id.dropFirst(2))"
            try FileManager.default.removeItem(atPath: object)
        }
        var second = repo.request(commit: two)
        second.path = repo.root
        #expect(try Importer(storage: store).run(second).imported.count == 1)
        #expect(try Registry(storage: store).snapshot(environment: "dev", at: nil).value(of: "b")?["timeout"] == 20)
        let fresh = try SQLiteStore(path: repo.root + "/fresh.sqlite3")
        #expect(throws: RegistryError.self) { try Importer(storage: fresh).run(second) }
    }

    /// A plain directory (not a git work tree) is recognised as unchanged by the digest of its files
    /// (`tree_digests`), and only then: a same-sized edit of a code file, a new file, or files that only
    /// give the latest state after a rebuild are all told apart.
    @Test func unchangedPlainDirectoryIsRecognisedByItsDigest() throws {
        let root = NSTemporaryDirectory() + "fnreg-plain-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        func write(_ path: String, _ text: String) throws {
            try FileManager.default.createDirectory(atPath: ((root + "/" + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
        }
        try write("lambda_functions/a/function.json", JSONWriter.pretty(TestRepository.function("a")))
        try write("lambda_functions/a/index.py", "print('a')")
        try write("lambda_functions/a/notes.txt", "not committed")
        try write("terraform/environments/dev/environment.json", "{\"timeout\": 10}")
        let store = try SQLiteStore(path: root + ".sqlite3")
        defer { try? FileManager.default.removeItem(atPath: root + ".sqlite3") }
        let importer = Importer(storage: store)
        var request = ImportRequest(path: root)
        request.today = "2026-01-01"
        let first = try importer.run(request)
        #expect(first.imported.count == 1 && first.imported[0].commit == nil)
        #expect(try store.binding()?.kind == .directory)
        func digests() throws -> Int { try store.db.queryOne("SELECT count(*) FROM tree_digests", []) { $0.int(0) }! }
        #expect(try digests() == 1)
        #expect(try importer.run(request).noOp != nil)
        // The same size, other bytes: a new code_hash, so a new revision.
        try write("lambda_functions/a/index.py", "print('b')")
        #expect(try importer.run(request).imported.count == 1)
        #expect(try importer.run(request).noOp != nil)
        // A file outside any function changes no state: no revision, but its digest is remembered.
        try write("lambda_functions/README.md", "docs")
        #expect(try importer.run(request).noOp != nil)
        let before = try digests()
        #expect(try importer.run(request).noOp != nil)
        #expect(try digests() == before)
        // A revert is a new revision: a plain directory records states, in the order they were read.
        try write("lambda_functions/a/index.py", "print('a')")
        #expect(try importer.run(request).imported.count == 1)
        #expect(try store.revisions().count == 3)
        let code = try Registry(storage: store).snapshot(environment: "dev", at: nil).functions["a"]?["code_hash"]
        #expect(code == .string(CodeHash.of([("index.py", Data("print('a')".utf8)), ("notes.txt", Data("not committed".utf8))])))
    }

    /// A missing object early in a large `cat-file --batch` request is an error at once, not a hang:
    /// git goes on answering the rest into a pipe nobody reads, and stops reading the request.
    @Test func missingObjectInALargeBatchFailsWithoutHanging() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.commit("one")
        let blob = try repo.git(["rev-parse", "HEAD:lambda_functions/a/function.json"])
        let git = try #require(try GitRepository.open(containing: repo.root))
        let request = ([String(repeating: "0", count: 39) + "1"] + Array(repeating: blob, count: 20_000)).map { FileRef(id: $0, kind: .regular) }
        // On another thread, so that a regression fails here after 30 s instead of hanging the run.
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            do { _ = try git.contents(request) } catch { outcome.error = error }
            done.signal()
        }
        guard done.wait(timeout: .now() + 30) == .success else {
            Issue.record("git.read hung on a missing object in a large batch")
            return
        }
        #expect(outcome.error is RegistryError)
        // The next read starts a fresh cat-file.
        #expect(try git.contents([FileRef(id: blob, kind: .regular)]).count == 1)
    }

    /// A git-bound work tree must be a clean checkout of its commit: a dirty one is refused (even when
    /// HEAD is recorded) and changes nothing; ignored files and fnreg's own exports never make it dirty.
    @Test func workTreeImportsRecordCleanCheckoutsOnly() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write(".gitignore", "__pycache__/\n")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("lambda_functions/a/index.py", "print('a')")
        try repo.write("terraform/environments/dev/environment.json", json: ["timeout": 10])
        let c1 = try repo.commit("one")
        let (store, importer) = try repo.importer()
        let first = try importer.run(repo.request())
        #expect(first.imported.first?.commit == c1, "a clean checkout records HEAD")
        #expect(try importer.run(repo.request()).noOp != nil)
        #expect(try importer.run(repo.request(commit: "HEAD")).noOp != nil)
        let code = try Registry(storage: store).snapshot(environment: "dev", at: nil).value(of: "a")?["code_hash"]
        // Ignored files and the environment's Terraform inputs are not part of the state.
        try repo.write("lambda_functions/a/__pycache__/index.cpython-313.pyc", "bytecode")
        try repo.write("terraform/environments/dev/functions.auto.tfvars.json", "{}")
        try repo.write("terraform/environments/qa/functions.auto.tfvars.json", "{}")
        #expect(try importer.run(repo.request()).noOp != nil, "still clean")
        #expect(try Registry(storage: store, workspace: Workspace.discover(from: repo.root)).snapshot(environment: "dev", at: "worktree")
            .value(of: "a")?["code_hash"] == code, "ignored files never count in the preview either")
        #expect(throws: RegistryError.self, "an export alone does not make an environment") {
            try Registry(storage: store, workspace: Workspace.discover(from: repo.root)).snapshot(environment: "qa", at: "worktree")
        }
        let before = try databaseDump(repo.databasePath)
        // A modified, an untracked and a deleted file each make it dirty; the message names them.
        for change in ["modify", "untracked", "delete"] {
            switch change {
            case "modify": try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 20)]))
            case "untracked": try repo.write("lambda_functions/a/extra.py", "x")
            default: try repo.remove("lambda_functions/a/index.py")
            }
            do {
                _ = try importer.run(repo.request())
                Issue.record("\(change): expected a refusal")
            } catch let e as RegistryError {
                #expect(e.description.contains("lambda_functions/a/") && e.description.contains("ENV@worktree"), "\(e)")
            }
            #expect(try databaseDump(repo.databasePath) == before, "\(change): nothing written")
            try repo.git(["checkout", "-q", "--", "."])
            try repo.git(["clean", "-qf", "lambda_functions"])
        }
        #expect(try store.revisions().count == 1)
    }

    @Test("invalid input changes nothing", arguments: [
        ("lambda_functions/b/function.json", "{\"name\": \"b\",", "JSON-SYNTAX"),
        ("lambda_functions/b/function.json", "{\"name\": \"b\", \"runtime\": \"python3.13\", \"handler\": \"i.h\"}", "FN-REQUIRED"),
        ("lambda_functions/b/function.json", "{\"name\": \"b\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"i.h\", \"timeout\": \"30\"}", "FN-TYPE"),
        ("lambda_functions/b/function.json", "{\"name\": \"a\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"i.h\"}", "FN-DUPLICATE-NAME"),
        ("lambda_functions/b/function.json", "{\"name\": \"b\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"i.h\", \"memory\": 256}", "FN-UNKNOWN-FIELD"),
        ("lambda_functions/b/function.json", "{\"name\": \"b\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"i.h\", \"timeout\": 1000}", "FN-TIMEOUT-RANGE"),
        ("terraform/environments/dev/overrides/nope.json", "{\"timeout\": 5}", "OV-UNKNOWN-FUNCTION"),
        ("terraform/environments/dev/overrides/a.json", "{\"name\": \"other\"}", "OV-NAME"),
        ("terraform/environments/dev/overrides/a.json", "{\"memory_size\": 64}", "FN-MEMORY-RANGE"),
        ("terraform/environments/dev/environment.json", "{\"name\": \"x\"}", "ENV-NAME"),
        ("lambda_functions/a/nested/function.json", "{\"name\": \"n\", \"description\": \"d\", \"runtime\": \"python3.13\", \"handler\": \"i.h\"}", "FN-NESTED"),
    ])
    func invalidInputChangesNothing(path: String, content: String, rule: String) throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("terraform/environments/dev/environment.json", json: ["timeout": 10])
        try repo.commit("valid")
        let (_, importer) = try repo.importer()
        _ = try importer.run(repo.request())
        let before = try databaseDump(repo.databasePath)
        try repo.write(path, content)
        // Validation is a function of the tree: the work tree's findings are the commit's.
        let worktree = try WorkTreeState.validate(path: repo.root, today: "2026-01-01")
        #expect(worktree.errors.contains { $0.rule == rule && $0.file == path }, "\(worktree)")
        try repo.commit("broken")
        do {
            _ = try importer.run(repo.request())
            Issue.record("expected \(rule)")
        } catch RegistryError.invalidConfiguration(let diagnostics) {
            #expect(diagnostics.errors.contains { $0.rule == rule }, "\(diagnostics)")
            let d = diagnostics.errors.first { $0.rule == rule }!
            #expect(d.file == path, "the diagnostic names the file that is wrong")
            #expect(diagnostics.errors == worktree.errors, "the same findings however the tree is read")
        }
        #expect(try databaseDump(repo.databasePath) == before)
        // History: the invalid commit stops the import with the commit named, keeping what came before.
        do {
            _ = try Importer(storage: try repo.store()).run(repo.request(history: true))
            Issue.record("expected the history import to stop")
        } catch let error as HistoryError {
            #expect(error.diagnostics.errors.contains { $0.rule == rule })
        }
        #expect(try databaseDump(repo.databasePath) == before)
        // --skip-invalid records it as skipped and goes on.
        let skipped = try Importer(storage: try repo.store()).run(repo.request(history: true, skipInvalid: true))
        #expect(skipped.skipped.count == 1)
    }

    @Test func pointsListCandidates() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("terraform/environments/dev/x.tf", "")
        try repo.commit("one")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let registry = Registry(storage: store)
        #expect(throws: RegistryError.self) { try registry.resolve("rev:9") }
        #expect(throws: RegistryError.self) { try registry.resolve("HEAD~1") }
        #expect(throws: RegistryError.self) { try registry.resolve("commit:ffff") }
        #expect(throws: RegistryError.self) { try registry.resolve("2000-01-01") }
        #expect(throws: RegistryError.self) { try registry.resolve("2026-02-31") }
        #expect(throws: RegistryError.self) { try registry.resolve("next tuesday") }
        #expect(try registry.resolve("yesterday").number == 1, "relative times as git writes them")
        #expect(try registry.resolve("2.weeks.ago").number == 1)
        #expect(try registry.resolve("3 days ago").number == 1)
        #expect(try registry.resolve("2030-01-01").number == 1, "a future time is the latest revision at that time")
        #expect(try registry.resolve("HEAD~0").number == 1)
        do {
            _ = try registry.snapshot(environment: "prod", at: nil)
        } catch RegistryError.unknownEnvironment(_, let known) {
            #expect(known == ["dev"])
        }
    }

    @Test func migrationsRefuseNewerDatabases() throws {
        let path = NSTemporaryDirectory() + "fnreg-mig-\(UUID().uuidString).sqlite3"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try SQLiteStore(path: path)
        let db = try Database(path: path)
        try db.execute("INSERT INTO schema_migrations VALUES ('9999_future', 'x', 0)")
        #expect(throws: RegistryError.newerSchema("9999_future")) { _ = try SQLiteStore(path: path) }
        try db.execute("DELETE FROM schema_migrations WHERE identifier = '9999_future'; UPDATE schema_migrations SET checksum = 'bad'")
        #expect(throws: RegistryError.migrationChanged("0001_initial")) { _ = try SQLiteStore(path: path) }
    }

    @Test func doctorNamesTamperedRows() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.commit("one")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 9)]))
        try repo.commit("two")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        #expect(try store.verify().isEmpty)
        try store.db.execute("PRAGMA foreign_keys = OFF")
        try store.db.execute("UPDATE documents SET body = '{\"tampered\":true}' WHERE id = 1")
        try store.db.execute("UPDATE revisions SET number = 7 WHERE number = 2")
        let problems = try store.verify()
        #expect(problems.contains { $0.hasPrefix("document 1") })
        #expect(problems.contains { $0.hasPrefix("revision 7") })
    }
}

/// A deterministic generator (SplitMix64) so random histories are reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Query plans")
struct QueryPlanTests {
    /// The point-in-time lookup seeks the versions primary key (key_id, revision) per key and never
    /// scans the versions table: its cost follows the number of keys, not of revisions.
    @Test func pointInTimeQueriesUseTheVersionsIndex() throws {
        let path = NSTemporaryDirectory() + "fnreg-plan-\(UUID().uuidString).sqlite3"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try SQLiteStore(path: path)
        for sql in [
            "SELECT d.body FROM keys k JOIN versions v ON v.key_id = k.id AND v.revision = (SELECT max(revision) FROM versions WHERE key_id = k.id AND revision <= 5) JOIN documents d ON d.id = v.document_id WHERE k.kind = 'base' AND k.environment = '' AND k.function = 'f'",
        ] {
            let plan = try store.db.query("EXPLAIN QUERY PLAN " + sql, []) { $0.string(3) }
            #expect(plan.contains { $0.contains("SEARCH v USING PRIMARY KEY (key_id=? AND revision=?)") }, "\(plan)")
            #expect(plan.contains { $0.contains("SEARCH versions USING PRIMARY KEY (key_id=? AND revision<?)") }, "\(plan)")
            #expect(!plan.contains { $0.contains("SCAN v") || $0.contains("SCAN versions") }, "\(plan)")
        }
        // The snapshot's streams (the statement export, diff and query run): keys in index order, one
        // versions seek per key, no scan and no sort (a sort of the bodies spilled to a temporary file).
        let plan = try store.db.query("EXPLAIN QUERY PLAN " + SQLiteStore.keyStreamSQL, [.integer(5), .text("base"), .text("")]) { $0.string(3) }
        #expect(plan.contains { $0.contains("SEARCH k USING COVERING INDEX sqlite_autoindex_keys_1 (kind=? AND environment=?)") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH versions USING PRIMARY KEY (key_id=? AND revision<?)") }, "\(plan)")
        #expect(!plan.contains { $0.contains("SCAN") || $0.contains("TEMP B-TREE") }, "\(plan)")
    }
}
