import ArgumentParser
import Foundation
import Registry

struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record that an environment now runs the snapshot that was applied.",
        discussion: """
            Reads registry_snapshot from the applied functions.auto.tfvars.json (default: terraform/environments/ENV of the
            repository; --from another file or directory), re-hashes its functions (a hand-edited file is refused) and checks
            that the registry holds that snapshot; or takes --at POINT. With neither file nor --at it records nothing: it never
            assumes HEAD. A file written by `fnreg rollback` records a deployment of kind rollback. Recording the snapshot the
            environment already runs records nothing and says so.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "The environment.", completion: Completions.environment) var env: String
    @Option(help: "The applied functions.auto.tfvars.json, or a directory holding it.", completion: .file(extensions: ["json"])) var from: String?
    @Option(help: "The snapshot's point in history, instead of (or checked against) the file.") var at: String?
    @Option(help: "Refuse any snapshot whose hash is not this one.") var expectHash: String?
    @Option(help: "Who deployed (default: the CI actor, $USER, or the login name).") var by: String?
    @Option(help: "A note (a build URL, a ticket).") var note: String?

    func run() throws {
        let workspace = try global.workspace()
        let (path, _) = try global.databasePath(workspace)
        let registry = try Registry.open(databasePath: path, mode: .writeExisting, workspace: workspace)
        var file = from
        if file == nil && at == nil {
            let standard = (workspace.root as NSString).appendingPathComponent(RepositoryLayout.environmentDirectory(env).appending(RepositoryLayout.exportFileName).description)
            if FileManager.default.fileExists(atPath: standard) { file = standard }
        }
        let result = try registry.deploy(environment: env, file: file, point: at, expectHash: expectHash, by: by ?? defaultActor(), note: note)
        let d = result.deployment
        if output.format == .json {
            guard case .object(var o) = d.json else { return }
            o["recorded"] = .bool(result.recorded)
            o["commit"] = try registry.revision(d.revision)?.commit.map { JSONValue.string($0) } ?? .null
            Output.json(.object(o))
            return
        }
        if result.recorded {
            Output.line("Recorded deployment \(d.number) (\(d.kind)\(d.restores.map { " of deployment \($0)" } ?? "")): \(env) runs revision \(d.revision) (\(d.snapshotHash)).")
        } else {
            Output.line("\(env) already runs this snapshot (deployment \(d.number), revision \(d.revision)); nothing recorded.")
        }
    }
}

struct Deployments: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deployment history, newest first.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Only this environment.", completion: Completions.environment) var env: String?
    @Option(name: [.customShort("n"), .long], help: "At most this many deployments.") var limit: Int?

    func run() throws {
        let registry = try global.registry()
        let summaries = try registry.deploymentSummaries(environment: env, limit: limit)
        if output.format == .json {
            Output.json(["deployments": .array(summaries.map { s in
                guard case .object(var o) = s.deployment.json else { return .null }
                o["commit"] = s.commit.map { .string($0) } ?? .null
                o["changes"] = s.changes.map { c in ["added": .number(Double(c.added)), "removed": .number(Double(c.removed)), "modified": .number(Double(c.modified))] } ?? .null
                return .object(o)
            })])
            return
        }
        global.page()
        Output.table(["#", "ENV", "REV", "COMMIT", "KIND", "BY", "WHEN", "CHANGES"], summaries.map { s in
            let d = s.deployment
            let summary = s.changes.map { c in
                c.isEmpty ? "no change" : [(c.added, "added"), (c.removed, "removed"), (c.modified, "modified")].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
            } ?? "first deployment"
            return ["\(d.number)", d.environment, "\(d.revision)", s.commit.map { String($0.prefix(8)) } ?? "-", d.kind + (d.restores.map { " of \($0)" } ?? ""),
                    d.deployedBy, ISOTime.format(d.deployedAt), summary]
        }, style: global.style)
    }
}

struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an earlier deployment's snapshot as the Terraform inputs, and show what changes; records nothing.",
        discussion: """
            Default target: the latest deployment before the current one (before the one it restored, when the current one is a
            rollback) whose snapshot differs. The file is marked with the deployment it restores. Apply it with Terraform, then
            run `fnreg deploy --env ENV`, which records a deployment of kind rollback. Until then the registry says the
            environment runs what it ran.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "The environment.", completion: Completions.environment) var env: String
    @Option(help: "The deployment to restore, deploy:N (default: the latest earlier one that differs).") var to: String?
    @Flag(help: "Show what would change; write nothing.") var dryRun = false
    @Option(help: "Where to write the Terraform inputs (default: terraform/environments/ENV).", completion: .directory) var out: String?

    func run() throws {
        let registry = try global.registry()
        let plan = try registry.planRollback(environment: env, to: to)
        var written: String?
        if !dryRun {
            let root = registry.workspace?.root ?? FileManager.default.currentDirectoryPath
            let directory = out ?? (root as NSString).appendingPathComponent(RepositoryLayout.environmentDirectory(env).description)
            let result = try TerraformExport.write(plan.targetSnapshot, to: directory, check: false, restores: plan.target.number,
                                                   confinedTo: out == nil ? root : nil)
            switch result {
            case .written(let p), .unchanged(let p), .differs(let p), .missing(let p): written = p
            }
        }
        if output.format == .json {
            Output.json(["environment": .string(env), "current": plan.current.json, "target": plan.target.json,
                         "snapshot_hash": .string(plan.targetSnapshot.hash), "written": written.map { .string($0) } ?? .null,
                         "recorded": false, "changes": .array(plan.diff.changes.map { ["function": .string($0.function), "status": .string($0.status.rawValue)] })])
            return
        }
        Output.line("Rolling \(env) back from deployment \(plan.current.number) (revision \(plan.current.revision)) to deployment \(plan.target.number) (revision \(plan.target.revision)):")
        DiffPrinter(style: global.style).print(plan.diff, stat: false)
        if let written {
            Output.line("Wrote \(written) with deployment \(plan.target.number)'s snapshot (\(plan.targetSnapshot.hash)). Nothing is recorded yet:"
                + " apply it (terraform -chdir=\((written as NSString).deletingLastPathComponent) apply), then run `fnreg deploy --env \(env)` to record the rollback.")
        } else {
            Output.line("Dry run: nothing written, nothing recorded.")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What the registry records, whether it is behind its branch, and what is imported but not deployed.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Only this environment.", completion: Completions.environment) var env: String?
    @Flag(help: "Show field changes.") var verbose = false
    @Flag(help: "Exit 1 when something is pending.") var exitCode = false

    func run() throws {
        let registry = try global.registry()
        let record = try registry.recordStatus()
        let statuses = try registry.status(environment: env)
        if output.format == .json {
            Output.json(["binding": record.binding?.json ?? .null, "head_revision": record.head.map { .number(Double($0.number)) } ?? .null,
                         "branch_tip": record.tip.map { .string($0) } ?? .null,
                         "commits_behind": record.commitsBehind.map { .number(Double($0)) } ?? .null, "branch_rewritten": .bool(record.rewritten),
                         "environments": .array(statuses.map { s in
                var o = JSONObject()
                o["environment"] = .string(s.environment)
                o["head_revision"] = .number(Double(s.head.number))
                o["deployment"] = s.deployment?.json ?? .null
                o["pending"] = .bool(s.isPending)
                o["changes"] = s.pending.map { d in .array(d.changes.map { ["function": .string($0.function), "status": .string($0.status.rawValue)] }) } ?? .null
                return .object(o)
            })])
        } else {
            let style = global.style
            if let binding = record.binding { Output.line("Records \(binding.description).") }
            if let head = record.head, let branch = record.binding?.branch {
                if record.rewritten {
                    Output.line(style.red("\(branch) was rewritten: revision \(head.number)'s commit is no longer on it; run fnreg import --accept-rewrite to record it as it is."))
                } else if let behind = record.commitsBehind {
                    Output.line(behind == 0 ? "\(branch) is at revision \(head.number): up to date."
                                : style.yellow("\(branch) is \(behind) commit\(behind == 1 ? "" : "s") ahead of revision \(head.number): run fnreg import."))
                }
            }
            for s in statuses {
                Output.line(style.bold(s.environment) + ": HEAD is revision \(s.head.number); " + (s.deployment.map {
                    "deployed: revision \($0.revision) (deployment \($0.number), \($0.kind), \(ISOTime.format($0.deployedAt)))" } ?? "never deployed"))
                guard let diff = s.pending else { Output.line("  \(s.headFunctionCount) function(s) pending"); continue }
                if diff.isEmpty { Output.line("  up to date") }
                for c in diff.changes {
                    Output.line("  \(c.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(c.function)")
                    if verbose && c.status == .modified { DiffPrinter(style: style).printFields(c, of: diff, indent: "      ") }
                }
            }
        }
        if exitCode && statuses.contains(where: \.isPending) { throw ExitCode(1) }
    }
}

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Verify the database: integrity, documents against their hashes, revisions, deployments, migrations.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    func run() throws {
        let workspace = try global.workspace()
        let (path, _) = try global.databasePath(workspace)
        let registry = try Registry.open(databasePath: path, workspace: workspace)
        let problems = try registry.doctor()
        let binding = try registry.binding()
        if output.format == .json {
            Output.json(["database": .string(path), "binding": binding?.json ?? .null, "ok": .bool(problems.isEmpty), "problems": .array(problems.map { JSONValue.string($0) })])
        } else {
            Output.line("\(path) records \(binding?.description ?? "nothing yet (no import bound it)").")
            if problems.isEmpty { Output.line("\(path): no problems found.") } else { for p in problems { Output.line(Output.field(p)) } }
        }
        if !problems.isEmpty {
            Output.error("fnreg: the database \(path) has \(problems.count) problem(s); restore it from a backup, or rebuild the record with fnreg import --history into a new database.")
            throw ExitCode(3)
        }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a consistent copy of the database while others may be writing.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The new backup file.", completion: .file()) var to: String

    func run() throws {
        let workspace = try global.workspace()
        let (path, _) = try global.databasePath(workspace)
        try Registry.open(databasePath: path).backup(to: to)
        Output.line("Backed up \(path) to \(to).")
    }
}
