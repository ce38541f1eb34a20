import ArgumentParser
import Foundation
import Registry

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one read-only SQL SELECT over snapshots, revisions and deployments.",
        discussion: """
            Tables: functions(environment, name, revision, config) where config is the effective configuration as JSON
            (use SQLite's JSON functions), revisions(revision, commit_id, author, author_email, committed_at, message,
            imported_at, skipped, rewrite_of) and deployments(deployment, environment, revision, snapshot_hash, deployed_at,
            deployed_by, note, kind, restores). Examples:
              fnreg query "SELECT name FROM functions WHERE config->>'runtime' = 'python3.9'" --env prod --at 2026-10-01
              fnreg query "SELECT DISTINCT f.name FROM functions f, json_each(f.config, '$.additional_policies') p WHERE p.value->>'Effect' = 'Allow'"
            A query stops at --limit rows (default 10000) and after --timeout seconds (default 30), and says so.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "One SELECT statement.") var sql: String
    @Option(help: "Only this environment (default: every environment).", completion: Completions.environment) var env: String?
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?
    @Option(help: "Output format: text, json or csv.") var format: QueryFormat = .text
    @Option(help: "At most this many rows (0: no limit).") var limit: Int = 10_000
    @Option(help: "Stop the query after this many seconds.") var timeout: Double = 30

    enum QueryFormat: String, ExpressibleByArgument { case text, json, csv }

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit is a number of rows, 0 for no limit.") }
        if !(timeout > 0) { throw ValidationError("--timeout is a positive number of seconds.") }
    }

    func run() throws {
        let registry = try global.registry()
        let environments = try env.map { [$0] } ?? registry.environments(at: at)
        let snapshots = try registry.snapshots(environments: environments, at: at)
        let revision = try snapshots.first?.revision ?? registry.resolve(at)
        var limits = SnapshotQuery.Limits()
        limits.rows = limit == 0 ? nil : limit
        limits.seconds = timeout
        let revisions = try registry.revisions(newestFirst: false)
        let deployments = try registry.deployments()
        func csv(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let outcome: SnapshotQuery.Outcome
        switch format {
        case .json:
            // Streamed: the document is written as rows arrive (keys in RFC 8785 order, one row a line).
            var columns: [String] = []
            var count = 0
            outcome = try SnapshotQuery.run(sql, snapshots: snapshots, revisions: revisions, deployments: deployments, limits: limits) { cells in
                Output.write((count == 0 ? "\n    " : ",\n    ") + Self.jsonRow(cells, columns: columns))
                count += 1
            } columnsKnown: { names in
                columns = names
                Output.write("{\n  \"columns\": " + JSONWriter.canonical(.array(names.map { .string($0) }))
                    + ",\n  \"commit\": " + JSONWriter.canonical(revision.commit.map { .string($0) } ?? .null)
                    + ",\n  \"format_version\": \(Output.formatVersion),\n  \"revision\": " + (revision.isPreview ? "null" : String(revision.number))
                    + ",\n  \"rows\": [")
            }
            Output.write((count == 0 ? "]" : "\n  ]") + ",\n  \"truncated\": \(outcome.truncated)\n}\n")
        case .csv:
            var header = false
            outcome = try SnapshotQuery.run(sql, snapshots: snapshots, revisions: revisions, deployments: deployments, limits: limits) { cells in
                Output.line(cells.map { csv($0.display) }.joined(separator: ","))
            } columnsKnown: { names in
                if !header { Output.line(names.map(csv).joined(separator: ",")); header = true }
            }
        case .text:
            var rows: [[String]] = []
            var names: [String] = []
            outcome = try SnapshotQuery.run(sql, snapshots: snapshots, revisions: revisions, deployments: deployments, limits: limits) { cells in
                rows.append(cells.map(\.display))
            } columnsKnown: { names = $0 }
            Output.line("\(environments.joined(separator: ", ")) at \(Output.describe(revision)): \(rows.count) row(s)")
            Output.table(names.map { $0.uppercased() }, rows, style: global.style)
        }
        if outcome.truncated {
            Output.error("fnreg: the output stopped at \(outcome.rows) rows (--limit \(limit)); raise --limit, or 0 for none.")
        }
    }

    /// One row as a JSON object: column name to value (integers exact), keys in RFC 8785 order.
    static func jsonRow(_ cells: [SnapshotQuery.Cell], columns: [String]) -> String {
        var seen = Set<String>()
        let ordered = zip(columns, cells).filter { seen.insert($0.0).inserted }.sorted { keyLess($0.0, $1.0) }
        return "{" + ordered.map { JSONWriter.canonical(.string($0.0)) + ": " + $0.1.json }.joined(separator: ", ") + "}"
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
    @Flag(help: "Print a starting allow-list permitting every difference found now (review it, write the reasons, commit it as terraform/environments/parity.json).")
    var suggest = false

    func run() throws {
        let registry = try global.registry()
        let envs = environments.isEmpty ? try registry.environments(at: at) : environments
        let root = registry.workspace?.root ?? FileManager.default.currentDirectoryPath
        if let allow, !FileManager.default.fileExists(atPath: allow) {
            throw RegistryError.usage("There is no allow-list at \(allow).")
        }
        let path = allow ?? (root as NSString).appendingPathComponent(RepositoryLayout.parityPath.description)
        let rules = try ParityRules(file: path)
        for rule in rules.rules {
            for e in rule.environments ?? [] where !envs.contains(e) {
                Output.error("fnreg: warning: \(path) names the environment \"\(e)\", which does not exist here (environments: \(envs.joined(separator: ", "))).")
            }
        }
        if suggest {
            // One rule per pointer (array positions as '*'), limited to the environments where it differs.
            var seen: [String: (environments: Set<String>, functions: Set<String>)] = [:]
            _ = try registry.parity(environments: envs, at: at, rules: ParityRules()) { d in
                let pointer = JSONPointer(d.operation.path.tokens.map { Int($0) != nil ? "*" : $0 }).description
                seen[pointer, default: ([], [])].environments.formUnion([d.left, d.right])
                seen[pointer, default: ([], [])].functions.insert(d.function)
            }
            let rules: [JSONValue] = seen.keys.sorted(by: codePointLess).map { pointer in
                let s = seen[pointer]!
                return ["pointer": .string(pointer), "environments": .array(s.environments.sorted(by: codePointLess).map { .string($0) }),
                        "reason": .string("differs in \(s.functions.count) function(s); say why, or remove this rule and make the environments agree")]
            }
            Output.write(JSONWriter.pretty(["allow": .array(rules)]))
            return
        }
        // Streamed: nothing the size of every difference is held.
        var first = true
        if output.format == .json { Output.write("{\n  \"differences\": [") }
        let counts = try registry.parity(environments: envs, at: at, rules: rules) { d in
            if output.format == .json {
                let object: JSONValue = ["left": .string(d.left), "right": .string(d.right), "function": .string(d.function),
                                         "pointer": .string(d.operation.path.description), "op": .string(d.operation.op.rawValue),
                                         "allowed": .bool(d.allowedBy != nil), "reason": d.allowedBy?.reason.map { .string($0) } ?? .null]
                Output.write((first ? "\n    " : ",\n    ") + JSONWriter.canonical(object))
                first = false
            } else if verbose || d.allowedBy == nil {
                let mark = d.allowedBy == nil ? global.style.red("not allowed") : global.style.dim("allowed")
                Output.line("\(d.left)↔\(d.right)  \(Output.field(d.function))  \(Output.field(d.operation.path.display))  \(mark)")
            }
        }
        let revision = counts.revision
        if output.format == .json {
            Output.write((first ? "]" : "\n  ]") + ",\n  \"environments\": " + JSONWriter.canonical(.array(envs.map { .string($0) }))
                + ",\n  \"format_version\": \(Output.formatVersion),\n  \"not_allowed\": \(counts.violations)"
                + ",\n  \"revision\": " + (revision.isPreview ? "null" : String(revision.number)) + "\n}\n")
        } else {
            Output.line("\(counts.violations) difference(s) not allowed, \(counts.differences - counts.violations) allowed, across \(envs.joined(separator: ", ")) at \(Output.describe(revision)).")
            if counts.violations > 0 && rules.rules.isEmpty {
                Output.line("There is no allow-list (\(path)); write one with the differences you intend, e.g. {\"allow\": [\"/environment_variables/STAGE\", \"/memory_size\"]}.")
            }
        }
        if counts.violations > 0 { throw ExitCode(1) }
    }
}
