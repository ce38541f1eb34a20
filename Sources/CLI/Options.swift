import ArgumentParser
import Foundation
import Registry

/// Options every command that uses the registry shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The registry database (default: $FNREG_DB, else the repository's own: .git/fnreg/registry.sqlite3).",
                                            valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Never colour the output (colour is only ever used on a terminal, and never with NO_COLOR set).")
    var noColor = false

    @Flag(name: .long, help: "Write long output directly, not through a pager ($FNREG_PAGER, $PAGER or less) on a terminal.")
    var noPager = false

    var style: Style {
        let enabled = !noColor && (isatty(1) != 0 || Output.paged) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        Output.colour = enabled
        return Style(enabled: enabled)
    }

    /// Sends the rest of the text output through the pager (on a terminal only).
    func page() {
        if !Output.paged && isatty(1) != 0 { Output.paged = Pager.start(disabled: noPager) && !noPager }
    }

    /// The workspace of the current directory (the git top level containing it, or the directory).
    func workspace() throws -> Workspace {
        try Workspace.discover(from: FileManager.default.currentDirectoryPath)
    }

    /// The database path: --db, $FNREG_DB, or the workspace's default location (never inside the checkout).
    func databasePath(_ workspace: Workspace) throws -> (path: String, isDefault: Bool) {
        if let db { return (db, false) }
        if let env = ProcessInfo.processInfo.environment["FNREG_DB"] { return (env, false) }
        let path = try workspace.defaultDatabasePath()
        if !FileManager.default.fileExists(atPath: path), workspace.hasOwnLegacyDatabase {
            throw RegistryError.refused("fnreg no longer reads a database inside the checkout (\(workspace.legacyDatabasePath): a commit could replace it). "
                + "If that file is yours, check it with `fnreg --db \(workspace.legacyDatabasePath) doctor`, then move it: "
                + "`mkdir -p \((path as NSString).deletingLastPathComponent) && mv \(workspace.legacyDatabasePath) \(path)`; or rebuild the record with `fnreg import --history`.")
        }
        return (path, true)
    }

    /// The registry for reading (never creates a database).
    func registry(today: String? = nil) throws -> Registry {
        let workspace = try self.workspace()
        let registry = try Registry(databasePath: try databasePath(workspace).path, workspace: workspace)
        registry.today = try today ?? resolveToday(nil)
        return registry
    }

    /// The registry for writing: creates the database at the default location when needed.
    func writableRegistry(_ workspace: Workspace) throws -> Registry {
        let (path, isDefault) = try databasePath(workspace)
        return try Registry.open(databasePath: path, mode: .write(createDirectory: isDefault), workspace: workspace)
    }
}

/// `--format text|json`, for commands whose output is data.
struct FormatOption: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text
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

/// Who did something: the CI's actor, $USER, the user's git `user.name`, the login name.
func defaultActor() -> String {
    let env = ProcessInfo.processInfo.environment
    for name in ["GITHUB_ACTOR", "BUILD_USER_ID", "GITLAB_USER_LOGIN", "USER", "LOGNAME"] {
        if let value = env[name], !value.isEmpty { return value }
    }
    if let name = Workspace.gitUserName() { return name }
    if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return "uid \(getuid())"
}

/// Dynamic completion: names the registry of the current directory knows.
enum Completions {
    static func environments() -> [String] {
        guard let registry = try? GlobalOptions.parse([]).registry(), let head = try? registry.latestRevision() else { return [] }
        return (try? registry.environments(at: head.number)) ?? []
    }

    static func functions() -> [String] {
        guard let registry = try? GlobalOptions.parse([]).registry(), let head = try? registry.latestRevision() else { return [] }
        return (try? registry.functionNames(at: head.number)) ?? []
    }

    static let environment = CompletionKind.custom { _, _, _ in environments() }
    static let function = CompletionKind.custom { _, _, _ in functions() }
    /// `ENV[@POINT]`.
    static let reference = CompletionKind.custom { _, _, prefix in
        environments().flatMap { [$0, "\($0)@worktree", "\($0)@HEAD~1"] }.filter { $0.hasPrefix(prefix) }
    }
}
