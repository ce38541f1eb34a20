import ArgumentParser
import Foundation
import Registry

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one read-only SQL SELECT over snapshots: table functions(environment, name, revision, config).",
        discussion: """
            config is the effective configuration as JSON; use SQLite's JSON functions, e.g.
              fnreg query "SELECT name FROM functions WHERE config->>'runtime' = 'python3.9'" --env prod --at 2026-10-01
              fnreg query "SELECT DISTINCT f.name FROM functions f, json_each(f.config, '$.additional_policies') p, \
            json_each(CASE json_type(p.value, '$.Action') WHEN 'array' THEN json_extract(p.value, '$.Action') ELSE json_array(json_extract(p.value, '$.Action')) END) a \
            WHERE a.value = 's3:*'"
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "One SELECT statement.") var sql: String
    @Option(help: "Only this environment (default: every environment).", completion: Completions.environment) var env: String?
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?
    @Option(help: "Output format: text, json or csv.") var format: QueryFormat = .text

    enum QueryFormat: String, ExpressibleByArgument { case text, json, csv }

    func run() throws {
        let registry = try global.registry()
        let environments = try env.map { [$0] } ?? registry.environments(at: at)
        let snapshots = try registry.snapshots(environments: environments, at: at)
        let revision = try snapshots.first?.revision ?? registry.resolve(at)
        let result = try SnapshotQuery.run(sql, snapshots: snapshots)
        switch format {
        case .json:
            Output.json(["revision": revision.isPreview ? .null : .number(Double(revision.number)), "commit": revision.commit.map { .string($0) } ?? .null,
                         "columns": .array(result.columns.map { .string($0) }),
                         "rows": .array(result.rows.map { row in .object(JSONObject(Array(zip(result.columns, row)))) })])
        case .csv:
            func cell(_ v: JSONValue) -> String {
                let s = v.stringValue ?? (v.isNull ? "" : JSONWriter.canonical(v))
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
            }
            Output.line(result.columns.map { cell(.string($0)) }.joined(separator: ","))
            for row in result.rows { Output.line(row.map(cell).joined(separator: ",")) }
        case .text:
            Output.line("\(environments.joined(separator: ", ")) at \(Output.describe(revision)): \(result.rows.count) row(s)")
            Output.table(result.columns.map { $0.uppercased() }, result.rows.map { $0.map { $0.stringValue ?? JSONWriter.canonical($0) } }, style: global.style)
        }
    }
}

struct Parity: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Differences between environments that the committed allow-list does not permit (exit 1 if any).",
        discussion: "The allow-list is terraform/environments/parity.json: {\"allow\": [\"/tags/Environment\", {\"pointer\": \"/memory_size\", \"environments\": [\"staging\", \"prod\"]}]}")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "Environments to compare (default: all).", completion: Completions.environment) var environments: [String] = []
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?
    @Option(help: "The allow-list (default: terraform/environments/parity.json under the repository root).", completion: .file(extensions: ["json"])) var allow: String?
    @Flag(help: "Also list the allowed differences.") var verbose = false

    func run() throws {
        let registry = try global.registry()
        let envs = environments.isEmpty ? try registry.environments(at: at) : environments
        let snapshots = try registry.snapshots(environments: envs, at: at)
        let revision = try snapshots.first?.revision ?? registry.resolve(at)
        let root = registry.workspace?.root ?? FileManager.default.currentDirectoryPath
        if let allow, !FileManager.default.fileExists(atPath: allow) {
            throw RegistryError.usage("There is no allow-list at \(allow).")
        }
        let path = allow ?? (root as NSString).appendingPathComponent("terraform/environments/parity.json")
        let report = ParityReport(snapshots: snapshots, rules: try ParityRules(file: path))
        if output.format == .json {
            Output.json(["revision": revision.isPreview ? .null : .number(Double(revision.number)), "environments": .array(envs.map { .string($0) }),
                         "differences": .array(report.differences.map { d in
                             ["left": .string(d.left), "right": .string(d.right), "function": .string(d.function),
                              "pointer": .string(d.operation.path.description), "op": .string(d.operation.op.rawValue),
                              "allowed": .bool(d.allowedBy != nil), "reason": d.allowedBy?.reason.map { .string($0) } ?? .null]
                         })])
        } else {
            let shown = verbose ? report.differences : report.violations
            for d in shown {
                let mark = d.allowedBy == nil ? global.style.red("not allowed") : global.style.dim("allowed")
                Output.line("\(d.left)↔\(d.right)  \(Output.field(d.function))  \(Output.field(d.operation.path.display))  \(mark)")
            }
            Output.line("\(report.violations.count) difference(s) not allowed, \(report.differences.count - report.violations.count) allowed, across \(envs.joined(separator: ", ")) at \(Output.describe(revision)).")
        }
        if !report.violations.isEmpty { throw ExitCode(1) }
    }
}
