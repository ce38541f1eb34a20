import ArgumentParser
import Foundation
import Registry

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a configuration repository's work tree (no database needed).",
        discussion: "Exit 0 when clean, 1 when there are errors (or warnings with --strict). In a git checkout, files git ignores are left out, as an import would. With a registry at hand, functions it already records count as existing for runtime lifecycle rules; otherwise every function counts as new.")

    @Argument(help: "The configuration repository (default: the current directory).", completion: .directory)
    var path: String = "."

    @Option(help: "Output format: text, json or sarif.")
    var format: ValidateFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "Judge runtime lifecycle dates at this day (default: $FNREG_TODAY, else today).")
    var today: String?

    @Option(name: .long, help: ArgumentHelp("A registry whose latest revision says which functions exist (default: the repository's, when there is one).", valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Never colour the output.") var noColor = false

    enum ValidateFormat: String, ExpressibleByArgument { case text, json, sarif }

    func run() throws {
        let day = try resolveToday(today) ?? currentDay()
        // Which functions exist: from the registry's latest revision when one exists (never created here).
        var existing: Set<String>?
        if let workspace = try? Workspace.at(path) {
            let databasePath = db ?? ProcessInfo.processInfo.environment["FNREG_DB"] ?? (try? workspace.defaultDatabasePath())
            if let databasePath, FileManager.default.fileExists(atPath: databasePath),
               let registry = try? Registry(databasePath: databasePath), let head = try? registry.latestRevision() {
                existing = Set(try registry.functionNames(at: head.number))
            }
        }
        let diagnostics = try WorkTreeState.validate(path: path, today: day, existing: existing)
        switch format {
        case .text:
            for d in diagnostics { Output.line(Output.field(d.description)) }
            Output.line("\(diagnostics.errors.count) error(s), \(diagnostics.warnings.count) warning(s)")
        case .json:
            var o = JSONObject()
            o["errors"] = .number(Double(diagnostics.errors.count))
            o["warnings"] = .number(Double(diagnostics.warnings.count))
            o["diagnostics"] = .array(diagnostics.map(\.json))
            Output.json(.object(o))
        case .sarif:
            Output.json(Sarif.log(diagnostics))
        }
        if !diagnostics.errors.isEmpty || (strict && !diagnostics.warnings.isEmpty) { throw ExitCode(1) }
    }
}

/// SARIF 2.1.0, so CI code scanning annotates the right line.
enum Sarif {
    static func log(_ diagnostics: [Diagnostic]) -> JSONValue {
        let rules = Set(diagnostics.map(\.rule)).sorted()
        let results: [JSONValue] = diagnostics.map { d in
            var region = JSONObject()
            region["startLine"] = .number(Double(d.line ?? 1))
            region["startColumn"] = .number(Double(d.column ?? 1))
            return [
                "ruleId": .string(d.rule),
                "level": .string(d.severity == .error ? "error" : "warning"),
                "message": ["text": .string("\(d.shownPointer): \(d.message)" + (d.fix.map { "; \($0)" } ?? ""))],
                "locations": [["physicalLocation": ["artifactLocation": ["uri": .string(d.file)], "region": .object(region)]]],
            ]
        }
        return [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "fnreg", "version": .string(FnregVersion.version), "rules": .array(rules.map { ["id": .string($0)] })]],
                "results": .array(results),
            ]],
        ]
    }
}
