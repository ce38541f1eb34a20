import ArgumentParser
import Foundation
import Registry

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revisions, newest first, with what each changed.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only revisions that changed this function.") var function: String?
    @Option(help: "Changes of effective configurations in this environment.") var env: String?
    @Option(name: .shortAndLong, help: "At most this many revisions.") var limit: Int?

    func run() throws {
        let entries = try global.registry().log(function: function, environment: env, limit: limit)
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
                    for line in DiffPrinter.describe(c.operations).prefix(20) { Output.line("      " + line) }
                }
            }
            Output.line()
        }
    }
}
