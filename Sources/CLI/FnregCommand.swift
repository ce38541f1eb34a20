import ArgumentParser
import Foundation
import Registry

@main
struct FnregCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fnreg",
        abstract: "The system of record for AWS Lambda configurations, with history.",
        subcommands: [Validate.self, Import.self, Log.self, Functions.self, Show.self, Diff.self, Export.self, Parity.self, Query.self,
                      Deploy.self, Deployments.self, Rollback.self, Status.self, Doctor.self, Backup.self])

    /// Runs the command; errors become one sentence on stderr and SPEC §5's exit codes.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as RegistryError {
            Output.error("fnreg: " + error.description)
            Foundation.exit(error.exitCode)
        } catch let error as HistoryError {
            Output.error("fnreg: " + error.description)
            Foundation.exit(3)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch let error as SQLiteError {
            switch error.code & 0xff {
            case 8: Output.error("fnreg: the database is read-only (\(error.message)); check the file's permissions and attributes, or use --db for a writable copy.")
            case 13: Output.error("fnreg: the disk is full (\(error.message)); nothing was written; free space and retry.")
            case 5, 6: Output.error("fnreg: the database stayed locked by another fnreg past the busy timeout; retry when it has finished.")
            default: Output.error("fnreg: the database failed: \(error.message); nothing was written.")
            }
            Foundation.exit(3)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Output.write(fullMessage(for: error) + "\n")
                Foundation.exit(0)
            }
            Output.error(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}
