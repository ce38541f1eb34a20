/// Every error fnreg's library reports; the CLI maps each to an exit code and one sentence.
public enum RegistryError: Error, CustomStringConvertible, Equatable {
    /// Invalid configuration: the diagnostics (errors first).
    case invalidConfiguration([Diagnostic])
    case notAConfigurationRepository(String)
    case unknownEnvironment(String, known: [String])
    case unknownFunction(String, known: [String])
    case unknownPoint(String, reason: String, candidates: [String])
    case noRevisions
    case newerSchema(String)
    case migrationChanged(String)
    case notADatabase(String, reason: String)
    case databaseBusy(String)
    case git(String)
    case io(String)
    case usage(String)
    case refused(String)
    case corrupt(String)
    /// No database at the path (read commands never create one).
    case noDatabase(String)
    /// Output that could not be written (a full disk, a closed stdout, a read-only destination).
    case output(String)

    /// 2 for usage errors, 3 for data errors, 4 when output could not be written.
    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        case .output: return 4
        default: return 3
        }
    }

    /// A stable name for the kind of error (the `code` of `--format json` errors).
    public var code: String {
        switch self {
        case .invalidConfiguration: return "invalid_configuration"
        case .notAConfigurationRepository: return "not_a_configuration_repository"
        case .unknownEnvironment: return "unknown_environment"
        case .unknownFunction: return "unknown_function"
        case .unknownPoint: return "unknown_point"
        case .noRevisions: return "no_revisions"
        case .newerSchema: return "newer_schema"
        case .migrationChanged: return "migration_changed"
        case .notADatabase: return "not_a_database"
        case .databaseBusy: return "database_busy"
        case .git: return "git"
        case .io: return "io"
        case .usage: return "usage"
        case .refused: return "refused"
        case .corrupt: return "corrupt"
        case .noDatabase: return "no_database"
        case .output: return "output"
        }
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let diagnostics):
            let errors = diagnostics.errors
            return errors.map(\.description).joined(separator: "\n")
        case .notAConfigurationRepository(let path):
            return "\(path) is not a configuration repository: it has no lambda_functions/ or terraform/environments/ directory; run fnreg in a configuration repository or pass its path."
        case .unknownEnvironment(let name, let known):
            let ordered = orderedByCloseness(name, known)
            let close = closestMatches(name, in: known, limit: 1).first.map { " Did you mean \"\($0)\"?" } ?? ""
            return "Unknown environment \"\(name)\";\(close) known environments: \(ordered.isEmpty ? "none" : ordered.joined(separator: ", "))."
        case .unknownFunction(let name, let known):
            let ordered = orderedByCloseness(name, known)
            let shown = ordered.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", … (\(known.count) in all)" : "")
            let close = closestMatches(name, in: known, limit: 1).first.map { " Did you mean \"\($0)\"?" } ?? ""
            return "Unknown function \"\(name)\";\(close) known functions: \(known.isEmpty ? "none" : shown)."
        case .unknownPoint(let point, let reason, let candidates):
            let shown = candidates.prefix(20).joined(separator: ", ") + (candidates.count > 20 ? ", …" : "")
            return "Unknown point \"\(point)\": \(reason)" + (candidates.isEmpty ? "." : "; candidates: \(shown).")
        case .noRevisions:
            return "The registry has no revisions yet; run `fnreg import` first."
        case .newerSchema(let identifier):
            return "This database was written by a newer fnreg (it knows migration \(identifier), this binary does not); upgrade fnreg."
        case .migrationChanged(let identifier):
            return "Migration \(identifier) applied to this database differs from the one in this binary; the database or the binary is not what it claims to be."
        case .notADatabase(let path, let reason):
            return "\(path) is not a usable fnreg database: \(reason)."
        case .databaseBusy(let path):
            return "The database \(path) stayed locked by another fnreg process past the busy timeout; retry when it has finished."
        case .noDatabase(let path):
            return "There is no registry database at \(path); run `fnreg import` to create it, or name another with --db or FNREG_DB."
        case .git(let message), .io(let message), .usage(let message), .refused(let message), .corrupt(let message), .output(let message):
            return message
        }
    }
}
