import ArgumentParser
import Foundation
import Registry

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the record forward along its branch: to the work tree's commit, to --commit REF, or to the branch's tip.",
        discussion: """
            A registry records one branch of one repository (bound at the first import), or one plain directory. Every import
            only moves the record forward: a commit already recorded, or older, is a no-op; commits missed before are recorded
            too, oldest first; a commit on another branch is refused, and so is a rewritten branch unless --accept-rewrite.
            A work tree must be a clean checkout of its commit (preview changes with fnreg diff ENV ENV@worktree).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption

    @Argument(help: "The configuration repository (default: the current directory).", completion: .directory)
    var path: String = "."

    @Option(help: "Move the record forward to this commit (a commit of the tracked branch).")
    var commit: String?

    @Flag(help: "Move the record forward to the tracked branch's tip (on a new registry: its whole first-parent history).")
    var history = false

    @Option(help: "On the first import: the branch to record (default: the current branch, or main when HEAD is detached).")
    var branch: String?

    @Flag(help: "With --history: record invalid commits as skipped revisions and go on.")
    var skipInvalid = false

    @Flag(help: "Record the branch as it is after a rewrite (force-push, reset, rebase) instead of refusing.")
    var acceptRewrite = false

    @Option(help: "Judge runtime lifecycle dates at this day (default: $FNREG_TODAY, else the commit's day).")
    var today: String?

    func validate() throws {
        if history && commit != nil { throw ValidationError("--history and --commit cannot be combined.") }
        if skipInvalid && !history { throw ValidationError("--skip-invalid needs --history.") }
    }

    func run() throws {
        let root = (path as NSString).standardizingPath
        var request = ImportRequest(path: root)
        request.commit = commit
        request.history = history
        request.branch = branch
        request.skipInvalid = skipInvalid
        request.acceptRewrite = acceptRewrite
        request.today = try resolveToday(today)
        let showProgress = isatty(2) != 0 && output.format == .text
        if showProgress {
            request.progress = { done, total in
                if total > 1 { Output.writeStandardError("\r\u{1B}[Krecording commits: \(done)/\(total)") }
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RegistryError.notAConfigurationRepository(root)
        }
        let workspace = try Workspace.at(root)
        let registry = try global.writableRegistry(workspace)
        let report: ImportReport
        do {
            report = try registry.importChanges(request)
        } catch {
            if showProgress { Output.writeStandardError("\r\u{1B}[K") }
            throw error
        }
        if showProgress { Output.writeStandardError("\r\u{1B}[K") }
        for w in report.warnings.uniqued() { Output.error(w.description) }
        if output.format == .json {
            var o = JSONObject()
            o["imported"] = .array(report.imported.map(\.json))
            o["skipped"] = .array(report.skipped.map(\.json))
            o["warnings"] = .array(report.warnings.uniqued().map(\.json))
            o["message"] = report.noOp.map { .string($0) } ?? .null
            o["binding"] = report.binding?.json ?? .null
            o["recorded"] = .bool(!report.imported.isEmpty || !report.skipped.isEmpty)
            Output.json(.object(o))
            return
        }
        if let noOp = report.noOp { Output.line(noOp); return }
        for r in report.skipped {
            Output.line("Skipped invalid commit \(r.commit?.prefix(12) ?? "") as revision \(r.number): \(Output.field(r.skipReason ?? ""))")
        }
        let all = (report.imported + report.skipped).sorted { $0.number < $1.number }
        if let rewrite = all.first(where: { $0.rewriteOf != nil }) {
            Output.line("Recorded after a rewrite of the branch: revision \(rewrite.number) follows revision \(rewrite.rewriteOf!), which is no longer on it.")
        }
        if report.imported.count == 1, let r = report.imported.first {
            Output.line("Recorded revision \(r.number)" + (r.commit.map { " from commit \($0.prefix(12))" } ?? " from the directory") + ".")
        } else if let first = report.imported.first, let last = report.imported.last {
            Output.line("Recorded \(report.imported.count) revisions (\(first.number)–\(last.number)).")
        }
    }
}

extension Array where Element == Diagnostic {
    func uniqued() -> [Diagnostic] {
        var seen = Set<String>()
        return filter { seen.insert($0.description).inserted }
    }
}
