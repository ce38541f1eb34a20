import ArgumentParser
import Foundation
import Registry

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compare two snapshots, each ENV[@POINT].",
        discussion: """
            Examples: fnreg diff staging prod; fnreg diff prod@2026-11-01 prod; fnreg diff prod@deploy:7 prod@HEAD;
            fnreg diff prod prod@worktree (what the change in the work tree would do to prod, nothing written).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(name: .long, help: "Output format: text, json, or markdown (a summary for a pull-request comment).") var format: DiffFormat = .text
    @Argument(help: "The left side, ENV[@POINT].", completion: Completions.reference) var left: String
    @Argument(help: "The right side, ENV[@POINT].", completion: Completions.reference) var right: String
    @Option(name: .customLong("function"), help: "Only this function (repeatable).", completion: Completions.function) var functions: [String] = []
    @Option(help: "Ignore changes at this JSON Pointer; '*' matches one segment (repeatable).") var ignore: [String] = []
    @Flag(help: "Counts per function only, with a totals line.") var stat = false
    @Flag(help: "Exit 1 when the snapshots differ.") var exitCode = false

    enum DiffFormat: String, ExpressibleByArgument { case text, json, markdown }

    func validate() throws {
        if stat && format != .text { throw ValidationError("--stat is a text summary; --format \(format.rawValue) lists every change already.") }
    }

    func run() throws {
        for pattern in ignore where JSONPointer(parsing: pattern) == nil {
            throw RegistryError.usage("--ignore needs a JSON Pointer starting with '/', not \"\(pattern)\".")
        }
        let registry = try global.registry()
        let l = SnapshotReference(parsing: left), r = SnapshotReference(parsing: right)
        let leftSnapshot: Snapshot, rightSnapshot: Snapshot
        if l.point == r.point || (l.point ?? "HEAD") == (r.point ?? "HEAD") {
            let both = try registry.snapshots(environments: [l.environment, r.environment], at: l.point)
            (leftSnapshot, rightSnapshot) = (both[0], both[1])
        } else {
            leftSnapshot = try registry.snapshot(environment: l.environment, at: l.point)
            rightSnapshot = try registry.snapshot(environment: r.environment, at: r.point)
        }
        let known = Set(leftSnapshot.functionNames).union(rightSnapshot.functionNames)
        for f in functions where !known.contains(f) { throw RegistryError.unknownFunction(f, known: known.sorted()) }
        let diff = SnapshotDiff(left: leftSnapshot, right: rightSnapshot, functions: functions, ignore: ignore)
        switch format {
        case .json: diff.jsonBytes().withUnsafeBufferPointer { Output.writeStandardOutput($0) }
        case .markdown: DiffPrinter.markdown(diff)
        case .text:
            global.page()
            DiffPrinter(style: global.style).print(diff, stat: stat)
        }
        if exitCode && !diff.isEmpty { throw ExitCode(1) }
    }
}

struct DiffPrinter {
    var style: Style

    static func side(_ s: Snapshot) -> String {
        s.revision.isPreview ? "\(s.environment)@worktree" : "\(s.environment)@rev:\(s.revision.number)"
    }

    func print(_ diff: SnapshotDiff, stat: Bool) {
        let side = Self.side
        if diff.isEmpty {
            Output.line("No differences between \(side(diff.left)) and \(side(diff.right)).")
            return
        }
        Output.line(style.bold("\(side(diff.left)) → \(side(diff.right)): \(diff.changes.count) function(s) differ"))
        var counts: [SnapshotDiff.Change.Status: Int] = [:]
        var operations = 0
        for change in diff.changes {
            let mark: String
            switch change.status {
            case .added: mark = style.green("+ \(change.function)")
            case .removed: mark = style.red("- \(change.function)")
            case .modified: mark = style.yellow("~ \(change.function)")
            }
            counts[change.status, default: 0] += 1
            operations += change.operations.count
            if stat {
                Output.line("\(mark)  \(change.status.rawValue), \(change.operations.count) change(s)")
                continue
            }
            Output.line("\(mark)  (\(change.status.rawValue))")
            if change.status == .modified { printFields(change, of: diff, indent: "    ") }
        }
        if stat {
            Output.line("\(diff.changes.count) function(s) changed: \(counts[.added] ?? 0) added, \(counts[.removed] ?? 0) removed, \(counts[.modified] ?? 0) modified; \(operations) field change(s)")
        }
    }

    /// The Lambda-aware field lines of one modified function (the same in `diff` and `status --verbose`).
    func printFields(_ change: SnapshotDiff.Change, of diff: SnapshotDiff, indent: String) {
        let kept = diff.fieldLines(change)
        let width = kept.map { $0.pointer.display.count }.max() ?? 0
        for line in kept {
            let pointer = line.pointer.display.padding(toLength: width, withPad: " ", startingAt: 0)
            let text: String
            switch line.kind {
            case .added: text = style.green(Output.field(line.text))
            case .removed: text = style.red(Output.field(line.text))
            case .reordered: text = style.dim(Output.field(line.text))
            case .changed: text = Output.field(line.text)
            }
            Output.line("\(indent)\(Output.field(pointer))  \(text)")
        }
    }

    /// A short Markdown summary (a pull-request comment): a table of changed functions and fields.
    static func markdown(_ diff: SnapshotDiff) {
        func cell(_ s: String) -> String { Output.field(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "`", with: "'") }
        Output.line("### fnreg: \(side(diff.left)) → \(side(diff.right))")
        Output.line()
        if diff.isEmpty { Output.line("No differences."); return }
        Output.line("\(diff.changes.count) function(s) differ.")
        Output.line()
        Output.line("| function | change | fields |")
        Output.line("|---|---|---|")
        for change in diff.changes {
            let fields = change.operations.prefix(8).map { "`\(cell($0.path.display))`" }.joined(separator: ", ")
                + (change.operations.count > 8 ? ", … (\(change.operations.count))" : "")
            Output.line("| `\(cell(change.function))` | \(change.status.rawValue) | \(fields) |")
        }
    }

    /// One line per operation: `/timeout: 30 → 60`, `/environment_variables/LOG_LEVEL: added "DEBUG"`.
    static func describe(_ operations: [PatchOperation]) -> [String] {
        operations.map { op in
            switch op.op {
            case .add: return "\(op.path.display): added \(Output.brief(op.value))"
            case .remove: return "\(op.path.display): removed (was \(Output.brief(op.old)))"
            case .replace: return "\(op.path.display): \(Output.brief(op.old)) → \(Output.brief(op.value))"
            }
        }
    }
}
