import ArgumentParser
import Foundation
import Registry

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export a snapshot as JSON or as Terraform inputs.",
                                                    subcommands: [ExportJSON.self, ExportTerraform.self])
}

struct ExportJSON: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "json", abstract: "Print the snapshot of an environment as JSON.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The environment.") var env: String
    @Option(help: "The point in history (default: HEAD).") var at: String?

    func run() throws {
        let snapshot = try global.registry().snapshot(environment: env, at: at)
        snapshot.writeExport { Output.writeStandardOutput($0) }
    }
}

struct ExportTerraform: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "terraform", abstract: "Write functions.auto.tfvars.json for a snapshot.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The environment.") var env: String
    @Option(help: "The point in history (default: HEAD).") var at: String?
    @Option(help: "The directory to write into (default: terraform/environments/ENV).") var out: String?
    @Flag(help: "Only compare with what is in the directory; exit 1 on a difference.") var check = false

    func run() throws {
        let snapshot = try global.registry().snapshot(environment: env, at: at)
        let directory = out ?? (global.repositoryRoot() as NSString).appendingPathComponent("terraform/environments/\(env)")
        let result = try TerraformExport.write(snapshot, to: directory, check: check)
        switch result {
        case .written(let path): Output.line("Wrote \(path) (revision \(snapshot.revision.number), \(snapshot.hash)).")
        case .unchanged(let path): Output.line("\(path) is up to date (revision \(snapshot.revision.number)).")
        case .differs(let path):
            Output.error("\(path) differs from the export of \(env) at revision \(snapshot.revision.number); run `fnreg export terraform --env \(env)` to rewrite it.")
            throw ExitCode(1)
        }
    }
}
