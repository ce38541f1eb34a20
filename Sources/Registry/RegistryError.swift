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

    /// 2 for usage errors, 3 for data errors (SPEC §5).
    public var exitCode: Int32 {
        switch self {
        case .usage: return 2
        default: return 3
        }
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let diagnostics):
            let errors = diagnostics.errors
            return errors.map(\.description).joined(separator: "\n")
        case .notAConfigurationRepository(let path):
            return "\(path) is not a configuration repository: it has no lambda_functions/ or terraform/environments/ directory; run fnreg in a repository laid out as SPEC §3 describes or pass its path."
        case .unknownEnvironment(let name, let known):
            return "Unknown environment \"\(name)\"; known environments: \(known.isEmpty ? "none" : known.joined(separator: ", "))."
        case .unknownFunction(let name, let known):
            let shown = known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", … (\(known.count) in all)" : "")
            return "Unknown function \"\(name)\"; known functions: \(known.isEmpty ? "none" : shown)."
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
        case .git(let message), .io(let message), .usage(let message), .refused(let message), .corrupt(let message):
            return message
        }
    }
}
