import ArgumentParser
import Foundation
import Registry

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export a snapshot as JSON or as Terraform inputs.",
                                                    subcommands: [ExportJSON.self, ExportTerraform.self])
}

struct ExportJSON: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "json", abstract: "Print the snapshot of an environment as JSON (always JSON).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The environment.", completion: Completions.environment) var env: String
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?

    func run() throws {
        let snapshot = try global.registry().snapshot(environment: env, at: at)
        snapshot.writeExport { Output.writeStandardOutput($0) }
    }
}

struct ExportTerraform: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "terraform", abstract: "Write functions.auto.tfvars.json for a snapshot.",
        discussion: "The file is written whole or not at all. The default directory, terraform/environments/ENV of the repository, is refused when a symbolic link would move it out.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The environment.", completion: Completions.environment) var env: String
    @Option(help: "The point in history (default: HEAD).") var at: String?
    @Option(help: "The directory to write into (default: terraform/environments/ENV).", completion: .directory) var out: String?
    @Flag(help: "Only compare with the file in the directory; exit 1 when it differs or is missing.") var check = false

    func run() throws {
        let registry = try global.registry()
        let snapshot = try registry.snapshot(environment: env, at: at)
        let root = registry.workspace?.root ?? FileManager.default.currentDirectoryPath
        let directory = out ?? (root as NSString).appendingPathComponent(RepositoryLayout.environmentDirectory(env).description)
        let result = try TerraformExport.write(snapshot, to: directory, check: check, confinedTo: out == nil ? root : nil)
        switch result {
        case .written(let path): Output.line("Wrote \(path) (\(env) at \(Output.describe(snapshot.revision)), \(snapshot.hash)).")
        case .unchanged(let path): Output.line("\(path) is up to date (\(env) at \(Output.describe(snapshot.revision))).")
        case .differs(let path):
            Output.error("\(path) differs from the export of \(env) at \(Output.describe(snapshot.revision)); run `fnreg export terraform --env \(env)` to rewrite it.")
            throw ExitCode(1)
        case .missing(let path):
            Output.error("\(path) does not exist; run `fnreg export terraform --env \(env)` to write it.")
            throw ExitCode(1)
        }
    }
}

struct Package: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a function's deployment package as a reproducible zip and print its code_hash.",
        discussion: """
            The zip holds exactly the files the function's code_hash covers: its directory's files other than function.json,
            symbolic links resolved within the repository, read from the recorded commit (default HEAD) or, with --at worktree,
            from the work tree. Entries are sorted, dated 1980-01-01, mode 0755, with no extra fields: the same files give the
            same bytes. The code_hash printed is the one export json shows at that point.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: FormatOption
    @Argument(help: "The function's name.", completion: Completions.function) var function: String
    @Option(help: "The point in history (default: HEAD; also worktree).") var at: String?
    @Option(help: "The zip file to write.", completion: .file(extensions: ["zip"])) var out: String

    func run() throws {
        let registry = try global.registry()
        let result = try registry.package(function: function, at: at, to: out)
        if output.format == .json { Output.json(result.json); return }
        Output.line(result.codeHash)
    }
}
