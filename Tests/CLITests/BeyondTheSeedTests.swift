import Foundation
import Testing
@testable import Registry

/// The fields beyond the seed's table through every read: diff (sets, events by identity),
/// parity and its allow-list, show --origin, query, export; absent stays absent.
@Suite("Fields beyond the seed", .serialized)
struct BeyondTheSeedTests {
    func run(_ arguments: [String], in directory: String) throws -> EndToEndTests.Result {
        try EndToEndTests.run(arguments, in: directory, environment: ["FNREG_TODAY": "2026-11-26"])
    }

    static func document(managed: [String], events: [String], batch: Int) -> String {
        let sources = ["sqs": "{\"type\":\"sqs\",\"queue_arn\":\"arn:aws:sqs:us-east-1:123456789012:q1\",\"batch_size\":\(batch)}",
                       "schedule": "{\"type\":\"schedule\",\"expression\":\"rate(1 hour)\"}"]
        return """
            {"name":"a","description":"A","runtime":"python3.13","handler":"index.h","architectures":["arm64"],
             "managed_policies":[\(managed.map { "\"\($0)\"" }.joined(separator: ","))],
             "events":[\(events.map { sources[$0]! }.joined(separator: ","))],
             "api":{"path":"/a","methods":["GET"],"type":"http","authorizer":"iam"},"function_url":{"auth_type":"NONE"}}
            """
    }

    @Test func everyReadHandlesTheNewFields() throws {
        let root = NSTemporaryDirectory() + "fnreg-beyond-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess", app = "arn:aws:iam::123456789012:policy/app"
        try EndToEndTests.shell("""
            git init -q -b main && git config user.email t@e.com && git config user.name T &&
            mkdir -p lambda_functions/g/a lambda_functions/g/b terraform/environments/dev terraform/environments/prod/overrides &&
            echo code > lambda_functions/g/a/index.py &&
            printf '{"name":"b","description":"B","runtime":"python3.13","handler":"index.h"}' > lambda_functions/g/b/function.json &&
            echo '{}' > terraform/environments/dev/environment.json && echo '{}' > terraform/environments/prod/environment.json
            """, in: root)
        try Self.document(managed: [readOnly, app], events: ["sqs", "schedule"], batch: 10).write(toFile: root + "/lambda_functions/g/a/function.json", atomically: true, encoding: .utf8)
        try EndToEndTests.shell("git add -A && git commit -qm one", in: root)
        #expect(try run(["import"], in: root).status == 0)
        // Reordered sets and sources, one batch size changed, an override of the architecture.
        try Self.document(managed: [app, readOnly], events: ["schedule", "sqs"], batch: 5).write(toFile: root + "/lambda_functions/g/a/function.json", atomically: true, encoding: .utf8)
        try "{\"architectures\": [\"x86_64\"]}".write(toFile: root + "/terraform/environments/prod/overrides/a.json", atomically: true, encoding: .utf8)
        try EndToEndTests.shell("git add -A && git commit -qm two", in: root)
        #expect(try run(["import"], in: root).status == 0)

        var r = try run(["diff", "dev@1", "dev@2"], in: root)
        #expect(r.stdout.contains("/events/1/batch_size  10 → 5"), "events matched by identity, not position: \(r.stdout)")
        #expect(r.stdout.split(separator: "\n").contains { $0.contains("/managed_policies") && $0.hasSuffix("reordered (same 2 entries)") }, "\(r.stdout)")
        #expect(!r.stdout.contains("/events/0"), "the schedule did not change: \(r.stdout)")
        r = try run(["diff", "dev@1", "dev@2", "--format", "json"], in: root)
        // The RFC 6902 operations are positional (a patch must apply); "fields" is the Lambda-aware view.
        let fields = try JSONParser.parse(r.stdout)["changes"]?.arrayValue?.first?["fields"]?.arrayValue ?? []
        #expect(fields.contains { $0["pointer"] == "/events/1/batch_size" && $0["kind"] == "changed" && $0["text"] == "10 → 5" }, "\(r.stdout)")
        #expect(fields.contains { $0["pointer"] == "/managed_policies" && $0["kind"] == "reordered" }, "\(r.stdout)")
        r = try run(["diff", "dev", "prod"], in: root)
        #expect(r.stdout.contains("/architectures/0  \"arm64\" → \"x86_64\""), "\(r.stdout)")

        // Parity: the architecture differs until the allow-list allows it.
        r = try run(["parity"], in: root)
        #expect(r.status == 1 && r.stdout.contains("/architectures/0  not allowed"), "\(r.stdout)")
        try "{\"allow\": [{\"pointer\": \"/architectures\", \"reason\": \"prod stays on x86 until the load test\"}]}"
            .write(toFile: root + "/terraform/environments/parity.json", atomically: true, encoding: .utf8)
        r = try run(["parity"], in: root)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")

        // show --origin: the override's layer; a reordered set has not changed since revision 1.
        r = try run(["show", "a", "--env", "prod", "--origin"], in: root)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("/architectures ") && $0.contains("override") && $0.contains("prod/overrides/a.json") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("/managed_policies ") && $0.contains("rev 1") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("/events ") && $0.contains("rev 2") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("/api/type ") && $0.contains("\"http\"") }, "\(r.stdout)")

        // query over the new fields.
        r = try run(["query", "SELECT f.environment, e.value->>'type' AS type, e.value->>'batch_size' AS batch FROM functions f, json_each(f.config, '$.events') e ORDER BY 1, 2", "--format", "csv"], in: root)
        #expect(r.stdout.contains("dev,sqs,5") && r.stdout.contains("prod,schedule,"), "\(r.stdout)")

        // A public URL validates, with the warning about the permission the provider cannot declare.
        r = try run(["validate"], in: root)
        #expect(r.status == 0 && r.stdout.contains("[FN-FUNCTION-URL-PUBLIC]") && r.stdout.contains("warning: /function_url/auth_type"), "\(r.stdout)")

        // Absent stays absent: b has none of the new fields in its export.
        r = try run(["export", "json", "--env", "prod"], in: root)
        let export = try JSONParser.parse(r.stdout)
        let b = try #require(export["functions"]?["b"] ?? export["functions"]?.arrayValue?.first { $0["name"] == "b" })
        for field in ["architectures", "events", "managed_policies", "function_url", "role_arn", "ephemeral_storage", "snap_start", "logging_config"] {
            #expect(b[field] == nil, "\(field) filled in for a function that does not set it")
        }
        #expect(r.stdout.contains("\"x86_64\""))
    }
}
