import ArgumentParser
import Foundation
import Registry

func defaultActor() -> String {
    let env = ProcessInfo.processInfo.environment
    return env["GITHUB_ACTOR"] ?? env["BUILD_USER_ID"] ?? env["GITLAB_USER_LOGIN"] ?? env["USER"] ?? "unknown"
}

struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record that an environment now runs a snapshot.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The environment.") var env: String
    @Option(help: "The point in history (default: HEAD).") var at: String?
    @Option(help: "Who deployed (default: the CI actor or $USER).") var by: String?
    @Option(help: "A note.") var note: String?
    @Flag(help: "Record even when the environment already runs this snapshot.") var force = false

    func run() throws {
        let store = try Store(path: global.databasePath())
        let registry = Registry(store: store)
        let (d, created) = try registry.deploy(environment: env, at: at, by: by ?? defaultActor(), note: note, force: force)
        if global.format == .json { Output.json(d.json); return }
        if created {
            Output.line("Recorded deployment \(d.number): \(env) runs revision \(d.revision) (\(d.snapshotHash)).")
        } else {
            Output.line("\(env) already runs this snapshot (deployment \(d.number)); nothing recorded (use --force to record anyway).")
        }
    }
}

struct Deployments: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deployment history, newest first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this environment.") var env: String?

    func run() throws {
        let registry = try global.registry()
        let all = try registry.deployments(environment: env)
        if global.format == .json { Output.json(.array(all.map(\.json))); return }
        var rows: [[String]] = []
        for (i, d) in all.enumerated() {
            let previous = all[(i + 1)...].first { $0.environment == d.environment }
            var summary = "first deployment"
            if let previous {
                let diff = SnapshotDiff(left: try registry.snapshot(environment: d.environment, revision: registry.store.revision(previous.revision)!),
                                        right: try registry.snapshot(environment: d.environment, revision: registry.store.revision(d.revision)!))
                let counts = Dictionary(grouping: diff.changes, by: \.status).mapValues(\.count)
                summary = diff.isEmpty ? "no change" : ["added", "removed", "modified"].compactMap { s in
                    counts[SnapshotDiff.Change.Status(rawValue: s)!].map { "\($0) \(s)" } }.joined(separator: ", ")
            }
            let commit = try registry.store.revision(d.revision)?.commit.map { String($0.prefix(8)) } ?? "-"
            rows.append(["\(d.number)", d.environment, "\(d.revision)", commit, d.kind + (d.restores.map { " of \($0)" } ?? ""),
                         d.deployedBy, ISOTime.format(d.deployedAt), summary])
        }
        Output.table(["#", "ENV", "REV", "COMMIT", "KIND", "BY", "WHEN", "CHANGES"], rows, style: global.style)
    }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Roll an environment back to a previous deployment's snapshot.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The environment.") var env: String
    @Option(help: "The deployment to restore, deploy:N (default: the latest earlier one that differs).") var to: String?
    @Flag(help: "Show what would change; write nothing.") var dryRun = false
    @Option(help: "Where to write the Terraform export (default: terraform/environments/ENV).") var out: String?
    @Option(help: "Who rolls back (default: the CI actor or $USER).") var by: String?
    @Option(help: "A note.") var note: String?

    func run() throws {
        let store = try Store(path: global.databasePath(), readOnly: dryRun)
        let registry = Registry(store: store)
        let plan = try registry.planRollback(environment: env, to: to)
        if global.format == .text {
            Output.line("Rolling \(env) back from deployment \(plan.current.number) (revision \(plan.current.revision)) to deployment \(plan.target.number) (revision \(plan.target.revision)):")
            DiffPrinter(style: global.style).print(plan.diff, stat: false)
        }
        if dryRun {
            if global.format == .json { Output.json(plan.diff.json) } else { Output.line("Dry run: nothing written.") }
            return
        }
        let directory = out ?? (global.repositoryRoot() as NSString).appendingPathComponent("terraform/environments/\(env)")
        _ = try TerraformExport.write(plan.targetSnapshot, to: directory, check: false)
        let d = try registry.recordRollback(plan, by: by ?? defaultActor(), note: note)
        if global.format == .json { Output.json(d.json); return }
        Output.line("Wrote \(directory)/\(TerraformExport.fileName) and recorded deployment \(d.number) (rollback to deployment \(plan.target.number)).")
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What is imported but not yet deployed, per environment.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this environment.") var env: String?
    @Flag(help: "Show field changes.") var verbose = false
    @Flag(help: "Exit 1 when something is pending.") var exitCode = false

    func run() throws {
        let statuses = try global.registry().status(environment: env)
        if global.format == .json {
            Output.json(.array(statuses.map { s in
                var o = JSONObject()
                o["environment"] = .string(s.environment)
                o["head_revision"] = .number(Double(s.head.number))
                o["deployment"] = s.deployment?.json ?? .null
                o["pending"] = .bool(s.isPending)
                o["changes"] = s.pending.map { d in .array(d.changes.map { ["function": .string($0.function), "status": .string($0.status.rawValue)] }) } ?? .null
                return .object(o)
            }))
        } else {
            let style = global.style
            for s in statuses {
                Output.line(style.bold(s.environment) + ": HEAD is revision \(s.head.number); " + (s.deployment.map {
                    "deployed: revision \($0.revision) (deployment \($0.number), \($0.kind), \(ISOTime.format($0.deployedAt)))" } ?? "never deployed"))
                guard let diff = s.pending else { Output.line("  \(s.headFunctionCount) function(s) pending"); continue }
                if diff.isEmpty { Output.line("  up to date") }
                for c in diff.changes {
                    Output.line("  \(c.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(c.function)")
                    if verbose && c.status == .modified { for l in DiffPrinter.describe(c.operations) { Output.line("      " + l) } }
                }
            }
        }
        if exitCode && statuses.contains(where: \.isPending) { throw ExitCode(1) }
    }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Verify the database: integrity, document hashes, revisions, migrations.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let path = global.databasePath()
        guard FileManager.default.fileExists(atPath: path) else { throw RegistryError.notADatabase(path, reason: "the file does not exist") }
        let store = try Store(path: path, readOnly: true)
        let problems = try store.doctor()
        if global.format == .json {
            Output.json(["ok": .bool(problems.isEmpty), "problems": .array(problems.map { .string($0) })])
        } else if problems.isEmpty {
            Output.line("\(path): no problems found.")
        } else {
            for p in problems { Output.line(p) }
        }
        if !problems.isEmpty {
            Output.error("fnreg: the database \(path) has \(problems.count) problem(s); restore it from a backup.")
            throw ExitCode(3)
        }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent copy of the database while others may be writing.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The new backup file.") var to: String

    func run() throws {
        let store = try Store(path: global.databasePath(), readOnly: true)
        try store.backup(to: to)
        Output.line("Backed up \(global.databasePath()) to \(to).")
    }
}
