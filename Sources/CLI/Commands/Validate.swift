import ArgumentParser
import Foundation
import Registry

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate a configuration repository's work tree (no database needed).")

    @Argument(help: "The configuration repository (default: the current directory).")
    var path: String = "."

    @Option(help: "Output format: text, json or sarif.")
    var format: ValidateFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Option(help: "Judge runtime lifecycle dates at this day (default: $FNREG_TODAY, else today).")
    var today: String?

    enum ValidateFormat: String, ExpressibleByArgument { case text, json, sarif }

    func run() throws {
        let day = try resolveToday(today) ?? currentDay()
        let diagnostics = try WorkTreeValidation.validate(path: path, today: day)
        switch format {
        case .text:
            for d in diagnostics { Output.line(d.description) }
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
                "message": ["text": .string("\(d.pointer.display): \(d.message)" + (d.fix.map { "; \($0)" } ?? ""))],
                "locations": [["physicalLocation": ["artifactLocation": ["uri": .string(d.file)], "region": .object(region)]]],
            ]
        }
        return [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "fnreg", "rules": .array(rules.map { ["id": .string($0)] })]],
                "results": .array(results),
            ]],
        ]
    }
}
