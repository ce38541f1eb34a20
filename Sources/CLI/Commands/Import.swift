import ArgumentParser
import Foundation
import Registry

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import the work tree, one commit, or a branch's whole first-parent history.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The configuration repository (default: the current directory).")
    var path: String = "."

    @Option(help: "Import this commit, read from git objects.")
    var commit: String?

    @Flag(help: "Import every not-yet-imported first-parent commit, oldest first.")
    var history = false

    @Option(help: "The branch for --history (default: the current branch).")
    var branch: String?

    @Flag(help: "With --history: record invalid commits as skipped and go on.")
    var skipInvalid = false

    @Option(help: "Judge runtime lifecycle dates at this day (default: $FNREG_TODAY, else the commit's day).")
    var today: String?

    func validate() throws {
        if history && commit != nil { throw ValidationError("--history and --commit cannot be combined.") }
        if branch != nil && !history { throw ValidationError("--branch needs --history.") }
        if skipInvalid && !history { throw ValidationError("--skip-invalid needs --history.") }
    }

    func run() throws {
        let root = (path as NSString).standardizingPath
        var request = ImportRequest(path: root)
        request.commit = commit
        request.history = history
        request.branch = branch
        request.skipInvalid = skipInvalid
        request.today = try resolveToday(today)
        let showProgress = isatty(2) != 0
        if history && showProgress {
            request.progress = { done, total in
                Output.writeStandardError("\r\u{1B}[Kimporting commits: \(done)/\(total)")
            }
        }
        let store = try Store(path: global.databasePath(root: defaultRoot(root)))
        let report: ImportReport
        do {
            report = try Importer(store: store).run(request)
        } catch {
            if history && showProgress { Output.writeStandardError("\r\u{1B}[K") }
            throw error
        }
        if history && showProgress { Output.writeStandardError("\r\u{1B}[K") }
        for w in report.warnings.uniqued() { Output.error(w.description) }
        if global.format == .json {
            var o = JSONObject()
            o["imported"] = .array(report.imported.map(\.json))
            o["skipped"] = .array(report.skipped.map(\.json))
            o["warnings"] = .array(report.warnings.uniqued().map(\.json))
            o["message"] = report.noOp.map { .string($0) } ?? .null
            Output.json(.object(o))
            return
        }
        if let noOp = report.noOp { Output.line(noOp); return }
        for r in report.skipped {
            Output.line("Skipped invalid commit \(r.commit?.prefix(12) ?? "") as revision \(r.number): \(r.skipReason ?? "")")
        }
        if report.imported.count == 1, let r = report.imported.first {
            Output.line("Imported revision \(r.number)" + (r.commit.map { " from commit \($0.prefix(12))" } ?? " from the work tree") + ".")
        } else if let first = report.imported.first, let last = report.imported.last {
            Output.line("Imported \(report.imported.count) revisions (\(first.number)–\(last.number)).")
        } else if report.skipped.isEmpty {
            Output.line("Nothing to import.")
        }
    }

    /// The database lives under the configuration repository being imported (its git top level when it is one).
    func defaultRoot(_ root: String) -> String {
        if let git = GitRepository.open(containing: root), git.prefix.isEmpty { return git.workTree }
        return root
    }
}

extension Array where Element == Diagnostic {
    func uniqued() -> [Diagnostic] {
        var seen = Set<String>()
        return filter { seen.insert($0.description).inserted }
    }
}
