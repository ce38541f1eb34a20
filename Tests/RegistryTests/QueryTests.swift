import Foundation
import Testing
@testable import Registry

@Suite("History you can ask questions of", .serialized)
struct QueryTests {
    func repository() throws -> (TestRepository, Registry) {
        let repo = try TestRepository()
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [
            ("timeout", 30), ("api", ["path": "/a", "methods": ["GET", "POST"]]),
            ("layers", ["arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:1"]),
            ("additional_policies", [["Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"]])]))
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b", runtime: "python3.12"))
        try repo.write("terraform/environments/dev/environment.json", json: ["environment_variables": ["LOG_LEVEL": "DEBUG"]])
        try repo.write("terraform/environments/prod/overrides/a.json", json: ["timeout": 60])
        try repo.commit("one")
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [
            ("timeout", 45), ("api", ["path": "/a", "methods": ["POST", "GET"]]),
            ("layers", ["arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:3"]),
            ("additional_policies", [["Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"]])]))
        try repo.commit("two")
        try repo.write("terraform/environments/prod/overrides/a.json", json: ["timeout": .null, "memory_size": 512])
        try repo.commit("three")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        return (repo, Registry(storage: store))
    }

    @Test func queryRunsOneReadOnlySelect() throws {
        let (repo, registry) = try repository()
        defer { repo.cleanup() }
        let snapshots = try ["dev", "prod"].map { try registry.snapshot(environment: $0, at: nil) }
        let result = try SnapshotQuery.run("SELECT environment, name FROM functions WHERE config->>'runtime' = 'python3.12' ORDER BY 1", snapshots: snapshots)
        #expect(result.rows == [[.text("dev"), .text("b")], [.text("prod"), .text("b")]])
        let before = try databaseDump(repo.databasePath)
        for sql in ["INSERT INTO functions VALUES ('x','y',1,'{}')", "UPDATE functions SET name = 'x'", "DELETE FROM functions",
                    "DROP TABLE functions", "ATTACH '\(repo.databasePath)' AS r", "PRAGMA query_only = OFF", "SELECT 1; SELECT 2",
                    "CREATE TABLE t (x)", "SELECT * FROM sqlite_master WHERE 0 UNION SELECT load_extension('x'),1,1,1,1",
                    "SELECT fts3_tokenizer('simple')", "SELECT sqlite_compileoption_get(0)", "UPDATE sqlite_master SET sql = ''"] {
            #expect(throws: RegistryError.self, "\(sql)") { try SnapshotQuery.run(sql, snapshots: snapshots) }
        }
        #expect(try databaseDump(repo.databasePath) == before)
        // json_each and json_tree work; integers stay exact; text with NUL stays whole.
        let layers = try SnapshotQuery.run("SELECT f.name, p.value FROM functions f, json_each(f.config, '$.layers') p WHERE f.environment = 'dev'", snapshots: snapshots)
        #expect(layers.rows == [[.text("a"), .text("arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:3")]])
        #expect(try SnapshotQuery.run("SELECT count(*) FROM functions f, json_tree(f.config) t", snapshots: snapshots).rows.first?.first != .integer(0))
        #expect(try SnapshotQuery.run("SELECT 9007199254740993, 'a' || char(0) || 'b'", snapshots: snapshots).rows == [[.integer(9_007_199_254_740_993), .text("a\u{0}b")]])
        // A row limit, and a time limit that stops an unbounded CTE.
        var limits = SnapshotQuery.Limits()
        limits.rows = 5
        let capped = try SnapshotQuery.run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", snapshots: snapshots, limits: limits)
        #expect(capped.rows.count == 5 && capped.truncated)
        limits.rows = nil
        limits.seconds = 0.5
        #expect(throws: RegistryError.self) { try SnapshotQuery.run("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", snapshots: snapshots, limits: limits) }
        // The registry's revisions and deployments can be read.
        let revisions = try SnapshotQuery.run("SELECT count(*) FROM revisions", snapshots: snapshots, revisions: try registry.revisions(), deployments: []) { _ in }
        #expect(revisions.rows == 1)
    }

    @Test func diffIsExactAndLambdaAware() throws {
        let (repo, registry) = try repository()
        defer { repo.cleanup() }
        let left = try registry.snapshot(environment: "dev", at: "1"), right = try registry.snapshot(environment: "dev", at: "2")
        let diff = SnapshotDiff(left: left, right: right)
        let change = try #require(diff.changes.first { $0.function == "a" })
        #expect(try JSONPatch.apply(change.operations, to: left.functions["a"]!) == right.functions["a"]!)
        let lines = FieldChanges.describe(left.functions["a"], right.functions["a"])
        #expect(lines.contains { $0.pointer.description == "/api/methods" && $0.kind == .reordered })
        #expect(lines.contains { $0.pointer.description == "/additional_policies/0/Action" && $0.kind == .reordered })
        #expect(lines.contains { $0.pointer.description == "/layers" && $0.text == "shared-utils 1 → 3" })
        #expect(lines.contains { $0.pointer.description == "/timeout" && $0.text == "30 → 45" })
        // --ignore drops matching operations; environments compare function by function.
        let ignored = SnapshotDiff(left: left, right: right, ignore: ["/api/*", "/layers", "/additional_policies", "/timeout"])
        #expect(ignored.isEmpty)
    }

    @Test func diffRoundTripsOnRandomSnapshots() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let a = RandomJSON.object(depth: 3, using: &rng), b = RandomJSON.object(depth: 3, using: &rng)
            #expect(try JSONPatch.apply(JSONPatch.diff(a, b), to: a) == b)
        }
    }

    @Test func logAttributesChangesAndOriginsNameTheLayer() throws {
        let (repo, registry) = try repository()
        defer { repo.cleanup() }
        let log = try registry.log(function: "a")
        #expect(log.map(\.revision.number) == [3, 2, 1])
        let prodLog = try registry.log(function: "a", environment: "prod")
        let three = try #require(prodLog.first { $0.revision.number == 3 })
        let ops = three.changes.flatMap(\.operations).map(\.path.description)
        #expect(ops.contains("/timeout") && ops.contains("/memory_size"))
        let devLog = try registry.log(function: "a", environment: "dev")
        #expect(!devLog.contains { $0.revision.number == 3 }, "an override in prod does not change dev")
        #expect(try registry.log(function: "a", range: 2...2).map(\.revision.number) == [2])

        let head = try registry.resolve(nil)
        let origins = try registry.origins(function: "a", environment: "prod", revision: head)
        func origin(_ p: String) -> FieldOrigin? { origins.first { $0.pointer.description == p } }
        #expect(origin("/memory_size")?.layer == .override && origin("/memory_size")?.revision?.number == 3)
        #expect(origin("/timeout")?.layer == .default, "SPEC §3: a key deleted by a patch's null comes back as its default")
        #expect(origin("/timeout")?.value == .number(3))
        #expect(origin("/api/path")?.layer == .base && origin("/api/path")?.revision?.number == 1, "unchanged since revision 1")
        #expect(origin("/tracing_config/mode")?.layer == .default)
        let dev = try registry.origins(function: "a", environment: "dev", revision: head)
        #expect(dev.first { $0.pointer.description == "/environment_variables/LOG_LEVEL" }?.layer == .environment)
    }

    @Test func parityChecksTheAllowList() throws {
        let (repo, registry) = try repository()
        defer { repo.cleanup() }
        let snapshots = try ["dev", "prod"].map { try registry.snapshot(environment: $0, at: nil) }
        try repo.write("terraform/environments/parity.json", json: ["allow": ["/environment_variables/LOG_LEVEL"]])
        var report = ParityReport(snapshots: snapshots, rules: try ParityRules(file: repo.root + "/terraform/environments/parity.json"))
        #expect(report.violations.map(\.operation.path.description) == ["/memory_size", "/timeout"])
        try repo.write("terraform/environments/parity.json", json: ["allow": ["/environment_variables/*", "/timeout", ["pointer": "/memory_size", "environments": ["dev", "prod"], "functions": ["a"]]]])
        report = ParityReport(snapshots: snapshots, rules: try ParityRules(file: repo.root + "/terraform/environments/parity.json"))
        #expect(report.violations.isEmpty)
        #expect(report.differences.count == 4)
        // The streamed check over many environments finds the same differences.
        var streamed: [String] = []
        let counts = try registry.parity(environments: ["dev", "prod"], at: nil, rules: try ParityRules(file: repo.root + "/terraform/environments/parity.json")) {
            streamed.append("\($0.left) \($0.right) \($0.function) \($0.operation.path) \($0.allowedBy != nil)")
        }
        #expect(streamed.sorted() == report.differences.map { "\($0.left) \($0.right) \($0.function) \($0.operation.path) \($0.allowedBy != nil)" }.sorted())
        #expect(counts.violations == 0 && counts.differences == 4)
    }
}

@Suite("Diff output")
struct DiffOutputTests {
    /// The streamed `--format json` bytes are exactly the pretty form of the `json` value.
    @Test func streamedJSONEqualsTheValue() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let revision = Revision(number: 3, commit: Bool.random(using: &rng) ? "abc" : nil, authorName: nil, authorEmail: nil,
                                    committedAt: 0, message: "", importedAt: 0, source: "commit", skipped: false, skipReason: nil)
            func functions() -> JSONObject {
                var o = JSONObject()
                for name in ["a", "b", "c", "é"] where Bool.random(using: &rng) { o[name] = RandomJSON.object(depth: 3, using: &rng) }
                return o
            }
            let diff = SnapshotDiff(left: Snapshot(environment: "dev", revision: revision, functions: functions()),
                                    right: Snapshot(environment: "prod", revision: revision, functions: functions()))
            #expect(String(decoding: diff.jsonBytes(), as: UTF8.self) == JSONWriter.pretty(diff.json))
            for change in diff.changes {
                let l = diff.left.value(of: change.function) ?? .object(JSONObject()), r = diff.right.value(of: change.function) ?? .object(JSONObject())
                #expect(try JSONPatch.apply(change.operations, to: l) == r)
            }
        }
    }
}
