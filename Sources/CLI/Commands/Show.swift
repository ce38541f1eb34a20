import ArgumentParser
import Foundation
import Registry

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a function's effective configuration in an environment.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The function's name.") var function: String
    @Option(help: "The environment.") var env: String
    @Option(help: "The point in history (default: HEAD).") var at: String?
    @Flag(help: "Tell for each field which layer set it and when it last changed.") var origin = false

    func run() throws {
        let registry = try global.registry()
        let revision = try registry.resolve(at, environment: env)
        guard let config = try registry.effectiveConfiguration(function: function, environment: env, revision: revision) else {
            throw RegistryError.unknownFunction(function, known: try registry.functionNames(at: revision.number))
        }
        guard origin else {
            if global.format == .json { Output.json(config) } else { Output.write(JSONWriter.pretty(config)) }
            return
        }
        let origins = try registry.origins(function: function, environment: env, revision: revision)
        if global.format == .json {
            var o = JSONObject()
            o["function"] = .string(function)
            o["environment"] = .string(env)
            o["revision"] = .number(Double(revision.number))
            o["fields"] = .array(origins.map(\.json))
            Output.json(.object(o))
            return
        }
        Output.line(global.style.bold("\(function) in \(env) at revision \(revision.number)") + (revision.commit.map { " (\($0.prefix(12)))" } ?? ""))
        Output.table(["FIELD", "VALUE", "LAYER", "FILE", "SINCE"], origins.map { o in
            [o.pointer.description, Output.brief(o.value), o.layer.rawValue, o.file ?? "-",
             o.revision.map { "rev \($0.number) \($0.commit.map { String($0.prefix(8)) } ?? "") \($0.authorName ?? "") \(ISOTime.format($0.committedAt))" } ?? "-"]
        }, style: global.style)
    }
}
