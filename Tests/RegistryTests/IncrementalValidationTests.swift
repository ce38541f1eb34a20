import Foundation
import Testing
@testable import Registry

/// The importer validates incrementally: a changed environment.json re-checks only the fields it
/// changed, a changed override only its pair, and lifecycle rules are skipped while no document names
/// a deprecated runtime. Whatever the sequence of edits, the findings must equal those of a builder
/// that starts from nothing and validates the whole tree.
@Suite("Incremental validation")
struct IncrementalValidationTests {
    static let functions = ["alpha", "beta", "gamma", "delta", "eps"]
    static let environments = ["dev", "prod"]

    /// Values a patch or a base may give a field, valid and invalid, including RFC 7396 removals.
    static let fieldValues: [(String, [JSONValue])] = [
        ("timeout", [5, 30, 1000, .null]),
        ("memory_size", [256, 64, .null]),
        ("runtime", ["python3.13", "nodejs22.x", "java21", "python3.8", "cobol", .null]),
        ("handler", ["index.handler", "bad handler", "nodot", "com.example.Handler::handleRequest", .null]),
        ("environment_variables", [
            ["A": "x"], ["AWS_REGION": "us-east-1"], ["BIG": .string(String(repeating: "b", count: 2100))],
            ["1BAD": "v"], ["A": .null], ["DB_PASSWORD": "hunter22hunter22"], .null, ["N": 3],
        ]),
        ("tags", [["team": "x"], ["aws:bad": "y"], .null, Self.manyTags("p", 30)]),
        ("description", ["fine", .string(String(repeating: "d", count: 300))]),
        ("tracing_config", [["mode": "Active"], ["mode": "Sometimes"], .null]),
        ("$schema", ["../schema.json"]),
    ]

    /// `count` tags named prefix0, prefix1, …: a base's and a patch's 30 each exceed Lambda's 50 together.
    static func manyTags(_ prefix: String, _ count: Int) -> JSONValue {
        var o = JSONObject()
        for i in 0..<count { o[prefix + String(i)] = "v" }
        return .object(o)
    }

    static func randomPatch(_ rng: inout SeededRandom) -> JSONValue {
        var o = JSONObject()
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let (key, values) = fieldValues.randomElement(using: &rng)!
            o[key] = values.randomElement(using: &rng)!
        }
        return .object(o)
    }

    static func randomBase(_ name: String, _ rng: inout SeededRandom) -> JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o["description"] = "a function"
        o["runtime"] = "python3.13"
        o["handler"] = "index.handler"
        if Bool.random(using: &rng) {
            // 2000 bytes here and the patch's 2100-byte BIG exceed the 4 KB limit only together.
            o["environment_variables"] = ["PAD": .string(String(repeating: "p", count: [10, 2000, 2100].randomElement(using: &rng)!))]
        }
        if Bool.random(using: &rng) { o["tags"] = Self.manyTags("b", 30) }
        for _ in 0..<Int.random(in: 0...2, using: &rng) {
            let (key, values) = fieldValues.randomElement(using: &rng)!
            if let v = values.randomElement(using: &rng), !v.isNull, key != "$schema" { o[key] = v }
        }
        return .object(o)
    }

    static func findings(_ builder: StateBuilder) -> [String] {
        builder.diagnostics(lifecycleDay: "2026-11-27", pending: builder.allPairs, existing: nil).map(\.description)
    }

    /// A finding names the layer that set the value: environment.json for a variable it adds, the base
    /// for one the base holds (an object patch merges; it does not take over the base's members).
    @Test func findingsNameTheLayerThatSetTheValue() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        var base = TestRepository.function("a")
        if case .object(var o) = base { o["environment_variables"] = ["1BAD": "x"]; base = .object(o) }
        try repo.write("lambda_functions/a/function.json", json: base)
        try repo.write("terraform/environments/dev/environment.json", json: ["environment_variables": ["2BAD": "y", "GOOD": "z"]])
        let source = WorkTreeSource(root: repo.root)
        let builder = StateBuilder(validator: ConfigValidator(today: "2026-11-27"))
        try builder.update(to: try source.scan(), source: source)
        let keyFindings = builder.diagnostics(lifecycleDay: nil, pending: [], existing: nil).filter { $0.rule == "FN-ENV-KEY" }
        #expect(keyFindings.map { "\($0.file) \($0.pointer)" }.sorted() == [
            "lambda_functions/a/function.json /environment_variables/1BAD",
            "terraform/environments/dev/environment.json /environment_variables/2BAD",
        ])
    }

    @Test(arguments: 1...12)
    func incrementalFindingsEqualAFreshBuild(seed: Int) throws {
        var rng = SeededRandom(seed: UInt64(seed))
        let repo = try TestRepository()
        defer { repo.cleanup() }
        for name in Self.functions {
            try repo.write("lambda_functions/\(name)/function.json", json: Self.randomBase(name, &rng))
            try repo.write("lambda_functions/\(name)/index.py", "def handler(e, c): pass\n")
        }
        for env in Self.environments { try repo.write("terraform/environments/\(env)/environment.json", json: ["tags": ["env": .string(env)]]) }

        let incremental = StateBuilder(validator: ConfigValidator(today: "2026-11-27"))
        var checkedAFinding = false
        for step in 0..<80 {
            let env = Self.environments.randomElement(using: &rng)!
            let name = Self.functions.randomElement(using: &rng)!
            switch Int.random(in: 0..<12, using: &rng) {
            case 0..<5: try repo.write("terraform/environments/\(env)/environment.json", json: Self.randomPatch(&rng))
            case 5..<7: try repo.write("terraform/environments/\(env)/overrides/\(name).json", json: Self.randomPatch(&rng))
            case 7: try? repo.remove("terraform/environments/\(env)/overrides/\(name).json")
            case 8: try? repo.remove("terraform/environments/\(env)/environment.json")
            case 9:
                // The secrets allow-list: a reviewed DB_PASSWORD for some functions (or a malformed entry).
                let allowed = Self.functions.filter { _ in Bool.random(using: &rng) }
                let entries: [JSONValue] = allowed.map { ["function": .string($0), "pointer": "/environment_variables/DB_PASSWORD", "reason": "test"] }
                    + (Int.random(in: 0..<5, using: &rng) == 0 ? [["function": "alpha"]] : [])
                try repo.write("lambda_functions/allowed-secrets.json", json: ["secrets": .array(entries)])
            case 10: try? repo.remove("lambda_functions/allowed-secrets.json")
            default: try repo.write("lambda_functions/\(name)/function.json", json: Self.randomBase(name, &rng))
            }
            let source = WorkTreeSource(root: repo.root)
            try incremental.update(to: try source.scan(), source: source)
            let freshSource = WorkTreeSource(root: repo.root)
            let fresh = StateBuilder(validator: ConfigValidator(today: "2026-11-27"))
            try fresh.update(to: try freshSource.scan(), source: freshSource)
            let expected = Self.findings(fresh)
            let got = Self.findings(incremental)
            if got != expected {
                Issue.record("seed \(seed), step \(step): only incremental \(got.filter { !expected.contains($0) }), only fresh \(expected.filter { !got.contains($0) })")
                return
            }
            #expect(incremental.entries.mapValues(\.hash) == fresh.entries.mapValues(\.hash), "seed \(seed), step \(step)")
            checkedAFinding = checkedAFinding || !expected.isEmpty
        }
        #expect(checkedAFinding)
    }
}
