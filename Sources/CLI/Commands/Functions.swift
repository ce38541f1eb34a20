import ArgumentParser
import Foundation
import Registry

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List functions with their key settings.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Option(help: "Show effective settings in this environment (default: base configurations).", completion: Completions.environment) var env: String?
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?

    func run() throws {
        let registry = try global.registry()
        var rows: [(String, JSONValue)] = []
        let revision: Revision
        if let env {
            let snapshot = try registry.snapshot(environment: env, at: at)
            revision = snapshot.revision
            rows = snapshot.functions.map { ($0.key, $0.value) }
        } else {
            switch try registry.target(at) {
            case .revision(let r):
                revision = r
                rows = try registry.baseFunctions(at: r.number).map { ($0.name, $0.config) }
            case .worktree:
                revision = Revision.preview(at: Int64(Date().timeIntervalSince1970))
                rows = try registry.worktreeBaseFunctions().map { ($0.name, $0.config) }
            }
        }
        if output.format == .json {
            var o = JSONObject()
            o["revision"] = revision.isPreview ? .null : .number(Double(revision.number))
            o["commit"] = revision.commit.map { .string($0) } ?? .null
            o["environment"] = env.map { .string($0) } ?? .null
            o["functions"] = .object(JSONObject(rows))
            Output.json(.object(o))
            return
        }
        global.page()
        Output.line("\(env.map { "\($0) at " } ?? "Base configurations at ")\(Output.describe(revision)): \(rows.count) function(s)")
        Output.table(["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "API"], rows.map { name, c in
            [name, c["runtime"]?.stringValue ?? "", Output.brief(c["memory_size"]), Output.brief(c["timeout"]),
             c["api"]?.objectValue.map { o in "\((o["methods"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")) \(o["path"]?.stringValue ?? "")" } ?? "-"]
        }, style: global.style)
    }
}
