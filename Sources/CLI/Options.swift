import ArgumentParser
import Foundation
import Registry

/// Options every data command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The registry database (default: $FNREG_DB, else .fnreg/registry.sqlite3 under the repository root).")
    var db: String?

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Never colour the output.")
    var noColor = false

    /// The database path: --db, $FNREG_DB, or `.fnreg/registry.sqlite3` under `root` (default: the git
    /// work tree containing the current directory, else the current directory).
    func databasePath(root: String? = nil) -> String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["FNREG_DB"], !env.isEmpty { return env }
        let base = root ?? repositoryRoot()
        return (base as NSString).appendingPathComponent(".fnreg/registry.sqlite3")
    }

    func repositoryRoot() -> String {
        let cwd = FileManager.default.currentDirectoryPath
        if let git = GitRepository.open(containing: cwd) {
            return git.prefix.isEmpty ? git.workTree : cwd
        }
        return cwd
    }

    var style: Style { Style(enabled: !noColor && isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil) }

    func registry() throws -> Registry { try Registry(databasePath: databasePath()) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--today` / FNREG_TODAY: the day runtime lifecycle rules are judged at.
func resolveToday(_ option: String?) throws -> String? {
    guard let text = option ?? ProcessInfo.processInfo.environment["FNREG_TODAY"], !text.isEmpty else { return nil }
    guard let t = ISOTime.parse(text) else { throw RegistryError.usage("--today needs a date such as 2026-11-26, not \"\(text)\".") }
    return ISOTime.day(t)
}

func currentDay() -> String { ISOTime.day(Int64(Date().timeIntervalSince1970)) }
