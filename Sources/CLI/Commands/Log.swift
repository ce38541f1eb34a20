import ArgumentParser
import Foundation
import Registry

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revisions, newest first, with what each changed.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only revisions that changed this function.") var function: String?
    @Option(help: "Changes of effective configurations in this environment.") var env: String?
    @Option(name: .shortAndLong, help: "At most this many revisions.") var limit: Int?
    @Option(help: "Only revisions from this point on.") var since: String?
    @Option(help: "Only revisions up to this point.") var until: String?

    func run() throws {
        let registry = try global.registry()
        let from = try since.map { try registry.resolve($0, environment: env).number }
        let to = try until.map { try registry.resolve($0, environment: env).number }
                let lower = from ?? 1, upper = to ?? Int.max
        guard lower <= upper else { throw RegistryError.usage("--since \(since ?? "") comes after --until \(until ?? "").") }
        let entries = try registry.log(function: function, environment: env, limit: limit, range: lower...upper)
        if global.format == .json {
            Output.json(.array(entries.map(\.json)))
            return
        }
        let style = global.style
        for entry in entries {
            let r = entry.revision
            var head = style.yellow("revision \(r.number)")
            if let c = r.commit { head += " " + style.dim(String(c.prefix(12))) }
            if r.skipped { head += " " + style.red("(skipped: invalid)") }
            Output.line(head)
            Output.line("  \(r.authorName ?? "-")  \(ISOTime.format(r.committedAt))  \(r.subject)")
            for c in entry.changes {
                Output.line("  \(c.status.padding(toLength: 8, withPad: " ", startingAt: 0)) \(c.function)  \(style.dim(c.source))")
                if c.status == "modified" || c.status == "code" || c.status == "moved" {
                    for line in DiffPrinter.describe(c.operations).prefix(30) { Output.line("      " + line) }
                }
            }
            Output.line()
        }
    }
}
