import ArgumentParser
import Foundation
import Registry

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a function's effective configuration in an environment.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The function's name.", completion: Completions.function) var function: String
    @Option(help: "The environment.", completion: Completions.environment) var env: String
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?
    @Flag(help: "Tell for each field which layer set it and in which revision it last changed.") var origin = false

    func run() throws {
        let registry = try global.registry()
        // One function: a few index seeks at a revision (the work tree is read whole).
        let revision: Revision
        switch try registry.target(at, environment: env) {
        case .revision(let r): revision = r
        case .worktree: revision = try registry.snapshot(environment: env, at: "worktree").revision
        }
        guard let config = try registry.effectiveConfiguration(function: function, environment: env, revision: revision) else {
            throw try registry.missingFunction(function, environment: env, revision: revision)
        }
        guard origin else {
            if output.format == .json {
                Output.json(["function": .string(function), "environment": .string(env), "revision": revision.isPreview ? .null : .number(Double(revision.number)),
                             "commit": revision.commit.map { .string($0) } ?? .null, "configuration": config])
            } else {
                Output.line("# \(function) in \(env) at \(Output.describe(revision))")
                Output.write(JSONWriter.pretty(config))
            }
            return
        }
        guard !revision.isPreview else { throw RegistryError.usage("--origin tells the revisions a field changed in; the work tree has none (show it without --origin).") }
        let origins = try registry.origins(function: function, environment: env, revision: revision)
        if output.format == .json {
            var o = JSONObject()
            o["function"] = .string(function)
            o["environment"] = .string(env)
            o["revision"] = .number(Double(revision.number))
            o["commit"] = revision.commit.map { .string($0) } ?? .null
            o["fields"] = .array(origins.map(\.json))
            Output.json(.object(o))
            return
        }
        global.page()
        Output.line(global.style.bold("\(function) in \(env) at \(Output.describe(revision))"))
        let width = Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 100
        let valueWidth = max(20, min(60, width - 70))
        Output.table(["FIELD", "VALUE", "LAYER", "FILE", "SINCE"], origins.map { o in
            let value = Output.brief(o.value)
            return [o.pointer.description, value.count > valueWidth ? String(value.prefix(valueWidth - 1)) + "…" : value, o.layer.rawValue,
                    o.file.map(Self.shortFile) ?? "-",
                    o.revision.map { "rev \($0.number) \($0.commit.map { String($0.prefix(8)) } ?? "") \(ISOTime.day($0.committedAt))" } ?? "-"]
        }, style: global.style)
    }

    /// `terraform/environments/prod/overrides/x.json` → `prod/overrides/x.json` (the table stays narrow).
    static func shortFile(_ path: String) -> String {
        RepositoryLayout.shortPath(path)
    }
}
