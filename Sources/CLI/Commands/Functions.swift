import ArgumentParser
import Foundation
import Registry

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List functions with their key settings.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Show effective settings in this environment (default: base configurations).") var env: String?
    @Option(help: "The point in history (default: HEAD).") var at: String?

    func run() throws {
        let registry = try global.registry()
        var rows: [(String, JSONValue)] = []
        let revision: Revision
        if let env {
            let snapshot = try registry.snapshot(environment: env, at: at)
            revision = snapshot.revision
            rows = snapshot.functions.map { ($0.key, $0.value) }
        } else {
            revision = try registry.resolve(at)
            rows = try registry.baseFunctions(at: revision.number).map { ($0.name, $0.config) }
        }
        if global.format == .json {
            var o = JSONObject()
            o["revision"] = .number(Double(revision.number))
            o["environment"] = env.map { .string($0) } ?? .null
            o["functions"] = .object(JSONObject(rows))
            Output.json(.object(o))
            return
        }
        Output.table(["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "API"], rows.map { name, c in
            [name, c["runtime"]?.stringValue ?? "", Output.brief(c["memory_size"]), Output.brief(c["timeout"]),
             c["api"]?.objectValue.map { o in "\((o["methods"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")) \(o["path"]?.stringValue ?? "")" } ?? "-"]
        }, style: global.style)
    }
}
