import ArgumentParser
import Foundation
import Registry

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Compare two snapshots, each ENV[@POINT].",
        discussion: "Examples: fnreg diff staging prod; fnreg diff prod@2026-11-01 prod; fnreg diff prod@deploy:7 prod@HEAD")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The left side, ENV[@POINT].") var left: String
    @Argument(help: "The right side, ENV[@POINT].") var right: String
    @Option(name: .customLong("function"), help: "Only this function (repeatable).") var functions: [String] = []
    @Option(help: "Ignore changes at this JSON Pointer; '*' matches one segment (repeatable).") var ignore: [String] = []
    @Flag(help: "Counts per function only.") var stat = false
    @Flag(help: "Exit 1 when the snapshots differ.") var exitCode = false

    func run() throws {
        for pattern in ignore where JSONPointer(parsing: pattern) == nil {
            throw RegistryError.usage("--ignore needs a JSON Pointer starting with '/', not \"\(pattern)\".")
        }
        let registry = try global.registry()
        let l = SnapshotReference(parsing: left), r = SnapshotReference(parsing: right)
        let leftRevision = try registry.resolve(l.point, environment: l.environment)
        let rightRevision = try registry.resolve(r.point, environment: r.environment)
        let leftSnapshot: Snapshot, rightSnapshot: Snapshot
        if leftRevision.number == rightRevision.number {
            let both = try registry.snapshots(environments: [l.environment, r.environment], revision: leftRevision)
            (leftSnapshot, rightSnapshot) = (both[0], both[1])
        } else {
            leftSnapshot = try registry.snapshot(environment: l.environment, revision: leftRevision)
            rightSnapshot = try registry.snapshot(environment: r.environment, revision: rightRevision)
        }
        let known = Set(leftSnapshot.functionNames).union(rightSnapshot.functionNames)
        for f in functions where !known.contains(f) { throw RegistryError.unknownFunction(f, known: known.sorted()) }
        let diff = SnapshotDiff(left: leftSnapshot, right: rightSnapshot, functions: functions, ignore: ignore)
        if global.format == .json {
            diff.jsonBytes().withUnsafeBufferPointer { Output.writeStandardOutput($0) }
        } else {
            DiffPrinter(style: global.style).print(diff, stat: stat)
        }
        if exitCode && !diff.isEmpty { throw ExitCode(1) }
    }
}

struct DiffPrinter {
    var style: Style

    func print(_ diff: SnapshotDiff, stat: Bool) {
        func side(_ s: Snapshot) -> String { "\(s.environment)@rev:\(s.revision.number)" }
        if diff.isEmpty {
            Output.line("No differences between \(side(diff.left)) and \(side(diff.right)).")
            return
        }
        Output.line(style.bold("\(side(diff.left)) → \(side(diff.right)): \(diff.changes.count) function(s) differ"))
        for change in diff.changes {
            let mark: String
            switch change.status {
            case .added: mark = style.green("+ \(change.function)")
            case .removed: mark = style.red("- \(change.function)")
            case .modified: mark = style.yellow("~ \(change.function)")
            }
            if stat {
                Output.line("\(mark)  \(change.status.rawValue), \(change.operations.count) change(s)")
                continue
            }
            Output.line("\(mark)  (\(change.status.rawValue))")
            guard change.status == .modified else { continue }
            let lines = FieldChanges.describe(diff.left.value(of: change.function), diff.right.value(of: change.function))
            let kept = lines.filter { line in change.operations.contains { $0.path.hasPrefix(line.pointer) || line.pointer.hasPrefix($0.path) } }
            let width = kept.map { $0.pointer.display.count }.max() ?? 0
            for line in kept {
                let pointer = line.pointer.display.padding(toLength: width, withPad: " ", startingAt: 0)
                let text: String
                switch line.kind {
                case .added: text = style.green(line.text)
                case .removed: text = style.red(line.text)
                case .reordered: text = style.dim(line.text)
                case .changed: text = line.text
                }
                Output.line("    \(pointer)  \(text)")
            }
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
