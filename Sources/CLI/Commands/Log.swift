import ArgumentParser
import Foundation
import Registry

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revisions, newest first, with what each changed.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "Only revisions that changed this function.", completion: Completions.function) var function: String?
    @Option(help: "Changes of effective configurations in this environment.", completion: Completions.environment) var env: String?
    @Option(name: [.customShort("n"), .customLong("max-count"), .long], help: "At most this many revisions.") var limit: Int?
    @Option(help: "Only revisions committed at or after this time (a date, a time, or 2.weeks.ago).") var since: String?
    @Option(help: "Only revisions committed at or before this time.") var until: String?

    func run() throws {
        func time(_ text: String?, _ option: String) throws -> Int64? {
            guard let text else { return nil }
            guard let t = ISOTime.parseOrNow(text) else {
                throw RegistryError.usage("--\(option) needs a date, a time or a relative time such as 2.weeks.ago, not \"\(text)\".")
            }
            return t
        }
        let from = try time(since, "since"), to = try time(until, "until")
        if let from, let to, from > to { throw RegistryError.usage("--since \(since!) comes after --until \(until!).") }
        let registry = try global.registry()
        let entries = try registry.log(function: function, environment: env, limit: limit, since: from, until: to)
        if output.format == .json {
            Output.json(["revisions": .array(entries.map(\.json))])
            return
        }
        global.page()
        let style = global.style
        for entry in entries {
            let r = entry.revision
            var head = style.yellow("revision \(r.number)")
            if let c = r.commit { head += " " + style.dim(String(c.prefix(12))) }
            if r.skipped { head += " " + style.red("(skipped: invalid)") }
            if let of = r.rewriteOf { head += " " + style.red("(after a rewrite: revision \(of) is no longer on the branch)") }
            Output.line(head)
            Output.line("  \(Output.field(r.authorName ?? "-"))  \(ISOTime.format(r.committedAt))  \(Output.field(r.subject))")
            for c in entry.changes {
                Output.line("  \(c.status.padding(toLength: 8, withPad: " ", startingAt: 0)) \(Output.field(c.function))  \(style.dim(Output.field(c.source)))")
                if c.status == "modified" || c.status == "code" || c.status == "moved" {
                    for line in DiffPrinter.describe(c.operations).prefix(30) { Output.line("      " + Output.field(line)) }
                }
            }
            Output.line()
        }
    }
}
