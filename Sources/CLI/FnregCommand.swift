import ArgumentParser
import Foundation
import Registry

@main
struct FnregCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fnreg",
        abstract: "The system of record for AWS Lambda configurations, with history.",
        discussion: "Global options (--db, --format, --no-color) may come before or after the command. Reference: docs/reference.md.",
        version: FnregVersion.description,
        subcommands: [Validate.self, Import.self, Log.self, Functions.self, Show.self, Diff.self, Export.self, Parity.self, Query.self,
                      Deploy.self, Deployments.self, Rollback.self, Package.self, Status.self, Doctor.self, Backup.self, Convert.self])

    static var commandNames: [String] { configuration.subcommands.map { $0._commandName } }

    /// Global options written before the command go after it, where each command declares them.
    static func normalise(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var rest: [String] = []
        var i = 0
        var seenCommand = false
        while i < arguments.count {
            let a = arguments[i]
            if !seenCommand && a == "--" { rest += arguments[i...]; break }
            if !seenCommand, a == "--db" || a == "--format", i + 1 < arguments.count {
                moved += [a, arguments[i + 1]]
                i += 2
                continue
            }
            if !seenCommand, a.hasPrefix("--db=") || a.hasPrefix("--format=") || a == "--no-color" {
                moved.append(a)
                i += 1
                continue
            }
            if !a.hasPrefix("-") { seenCommand = true }
            rest.append(a)
            i += 1
        }
        guard !moved.isEmpty else { return arguments }
        if let end = rest.firstIndex(of: "--") { rest.insert(contentsOf: moved, at: end) } else { rest += moved }
        return rest
    }

    /// Runs the command; errors become one sentence on stderr (and a JSON object with --format
    /// json), with the exit codes of the reference: 2 usage, 3 data, 4 output not written.
    static func main() {
        let arguments = normalise(Array(CommandLine.arguments.dropFirst()))
        let jsonErrors = zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" } || arguments.contains("--format=json")
        func fail(_ message: String, code: String, exit status: Int32) -> Never {
            Pager.finish()
            Output.error("fnreg: " + message)
            if jsonErrors {
                let object: JSONValue = ["error": ["code": .string(code), "message": .string(message), "exit_code": .number(Double(status))]]
                Output.writeStandardError(JSONWriter.canonical(object) + "\n")
            }
            Foundation.exit(status)
        }
        if let command = arguments.first, !command.hasPrefix("-"), !commandNames.contains(command) && command != "help" {
            let hint = closestMatches(command, in: commandNames, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            fail("'\(command)' is not a fnreg command\(hint) (fnreg --help lists them).", code: "usage", exit: 2)
        }
        if arguments.first == "help", arguments.count > 1, !commandNames.contains(arguments[1]) {
            let hint = closestMatches(arguments[1], in: commandNames, limit: 1).first.map { "; did you mean '\($0)'?" } ?? ""
            fail("'\(arguments[1])' is not a fnreg command\(hint).", code: "usage", exit: 2)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Pager.finish()
            if let failure = Output.failure {
                fail("could not write the output: \(String(cString: strerror(failure))); it is incomplete.", code: "output", exit: 4)
            }
        } catch let error as RegistryError {
            if case .invalidConfiguration(let diagnostics) = error {
                for d in diagnostics.errors { Output.error(d.description) }
                let count = diagnostics.errors.count
                fail("\(count) error\(count == 1 ? "" : "s") in the configuration; nothing was written.", code: error.code, exit: error.exitCode)
            }
            fail(error.description, code: error.code, exit: error.exitCode)
        } catch let error as HistoryError {
            fail(error.description, code: "invalid_commit", exit: 3)
        } catch let error as ExitCode {
            Pager.finish()
            if let failure = Output.failure {
                fail("could not write the output: \(String(cString: strerror(failure))); it is incomplete.", code: "output", exit: 4)
            }
            Foundation.exit(error.rawValue)
        } catch let error as any StorageFailure {
            switch error.kind {
            case .readOnly: fail("the database is read-only (\(error.message)); check the file's permissions and attributes, or use --db for a writable copy.", code: "read_only", exit: 3)
            case .full: fail("the disk is full (\(error.message)); the transaction under way was not written; free space and retry.", code: "disk_full", exit: 3)
            case .busy: fail("the database stayed locked by another fnreg past the busy timeout; retry when it has finished.", code: "database_busy", exit: 3)
            case .notADatabase, .corrupt, .other: fail("the database failed: \(error.message); the transaction under way was not written.", code: "database", exit: 3)
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Output.write(fullMessage(for: error) + "\n")
                Foundation.exit(0)
            }
            var message = fullMessage(for: error)
            if message.contains("Unknown option '--env'"), arguments.first == "diff" {
                message += "\nfnreg diff compares two ENV[@POINT] arguments: fnreg diff staging prod, fnreg diff prod@2026-11-01 prod."
            }
            Output.error(message)
            if jsonErrors {
                let object: JSONValue = ["error": ["code": "usage", "message": .string(message), "exit_code": 2]]
                Output.writeStandardError(JSONWriter.canonical(object) + "\n")
            }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
