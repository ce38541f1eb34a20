import Foundation

/// The layout of a configuration repository: which path is a function's base configuration, an
/// environment's patch, an override, the secrets allow-list, code, or fnreg's own output; and back
/// from a stored key to the file it came from. The one place that knows the layout.
public enum RepositoryLayout {
    /// Where functions live: every `function.json` below it is one.
    public static let functionsRoot: RepoPath = "lambda_functions"
    /// Where environments live: each directory holding a file is one.
    public static let environmentsRoot: RepoPath = "terraform/environments"
    /// A function's base configuration.
    public static let functionFileName: RepoPath = "function.json"
    /// An environment's merge patch for every function.
    public static let environmentPatchName: RepoPath = "environment.json"
    /// An environment's per-function merge patches (`overrides/<function>.json`).
    public static let overridesDirectory: RepoPath = "overrides"
    /// What `fnreg export terraform` writes into an environment's directory: never part of the state.
    public static let exportFileName: RepoPath = "functions.auto.tfvars.json"
    /// Reviewed false positives of secret detection, per function and JSON Pointer:
    /// `{"secrets": [{"function": "f", "pointer": "/environment_variables/K", "reason": "…"}]}`.
    public static let allowedSecretsPath: RepoPath = "lambda_functions/allowed-secrets.json"
    /// The committed parity allow-list.
    public static let parityPath: RepoPath = "terraform/environments/parity.json"
    /// Larger JSON documents are refused before they are read whole.
    public static let maximumDocumentBytes = 1 << 20

    /// What a path is.
    public enum Kind: Equatable, Sendable {
        /// `lambda_functions/**/function.json`: the base configuration of the function in that directory.
        case functionJSON
        /// `terraform/environments/<env>/environment.json`.
        case environmentPatch(environment: String)
        /// `terraform/environments/<env>/overrides/<function>.json`.
        case override(environment: String, function: String)
        /// `lambda_functions/allowed-secrets.json`.
        case allowList
        /// `terraform/environments/<env>/functions.auto.tfvars.json`: fnreg's output, ignored.
        case export(environment: String)
        /// Any other file below `terraform/environments/<env>/`: makes the environment exist.
        case environmentFile(environment: String)
        /// Any other file below `lambda_functions/`: code, when it lies in a function's directory.
        case code
        /// Anything else: part of the state only when a function's package links to it.
        case other
    }

    /// What `path` is to fnreg (a byte-wise test; the hot path of every import).
    public static func classify(_ path: RepoPath) -> Kind {
        // On bytes, without splitting: this runs for every file of every tree.
        path.bytes.withUnsafeBufferPointer { b -> Kind in
            func starts(_ prefix: StaticString, at offset: Int = 0) -> Bool {
                let n = prefix.utf8CodeUnitCount
                guard b.count - offset >= n else { return false }
                return memcmp(b.baseAddress! + offset, prefix.utf8Start, n) == 0
            }
            func equals(_ literal: StaticString, from offset: Int) -> Bool {
                b.count - offset == literal.utf8CodeUnitCount && starts(literal, at: offset)
            }
            let slash = UInt8(ascii: "/")
            if starts("lambda_functions") && (b.count == 16 || b[16] == slash) {
                if equals("lambda_functions/allowed-secrets.json", from: 0) { return .allowList }
                if b.count >= 30 && equals("/function.json", from: b.count - 14) { return .functionJSON }
                return .code
            }
            let root = 23  // "terraform/environments/"
            guard b.count > root, starts("terraform/environments/") else { return .other }
            guard let end = (root..<b.count).first(where: { b[$0] == slash }), end > root else { return .other }
            let env = String(decoding: UnsafeBufferPointer(rebasing: b[root..<end]), as: UTF8.self)
            let rest = end + 1
            if equals("environment.json", from: rest) { return .environmentPatch(environment: env) }
            if equals("functions.auto.tfvars.json", from: rest) { return .export(environment: env) }
            if starts("overrides/", at: rest) {
                let file = rest + 10
                if b.count - file > 5, !(file..<b.count).contains(where: { b[$0] == slash }), equals(".json", from: b.count - 5) {
                    return .override(environment: env, function: String(decoding: UnsafeBufferPointer(rebasing: b[file..<(b.count - 5)]), as: UTF8.self))
                }
            }
            return .environmentFile(environment: env)
        }
    }

    /// Whether the path is a configuration document (parsed as JSON, must be a regular file).
    public static func isDocument(_ path: RepoPath) -> Bool {
        switch classify(path) {
        case .functionJSON, .environmentPatch, .override, .allowList: return true
        default: return false
        }
    }

    /// The environment a file below `terraform/environments/<env>/` makes exist (fnreg's export excluded).
    public static func environment(of path: RepoPath) -> String? {
        switch classify(path) {
        case .environmentPatch(let e), .override(let e, _), .environmentFile(let e): return e
        default: return nil
        }
    }

    /// Whether the path is part of a source state by itself (below the two roots, fnreg's own output excluded).
    public static func isInRoots(_ path: RepoPath) -> Bool {
        if case .export = classify(path) { return false }
        return path.isWithin(functionsRoot) || (path.isWithin(environmentsRoot) && path != environmentsRoot)
    }

    /// An environment's directory.
    public static func environmentDirectory(_ environment: String) -> RepoPath { environmentsRoot.appending(environment) }

    /// The file a stored key came from, given the function's directory for base and code keys.
    public static func path(for key: StateKey, functionDirectory: String? = nil) -> String {
        switch key.kind {
        case .base: return (functionDirectory ?? "lambda_functions/\(key.function)") + "/function.json"
        case .path, .code: return functionDirectory ?? "lambda_functions/\(key.function)"
        case .environment: return "terraform/environments/\(key.environment)/"
        case .envpatch: return "terraform/environments/\(key.environment)/environment.json"
        case .override: return "terraform/environments/\(key.environment)/overrides/\(key.function).json"
        }
    }

    /// A key as `log` names it beside its function: `function.json`, `dev/environment.json`,
    /// `dev/overrides/f.json`, `code`, `directory`, `environment dev`.
    public static func label(for key: StateKey) -> String {
        switch key.kind {
        case .base: return functionFileName.description
        case .path: return "directory"
        case .code: return "code"
        case .environment: return "environment \(key.environment)"
        case .envpatch: return "\(key.environment)/\(environmentPatchName)"
        case .override: return "\(key.environment)/\(overridesDirectory)/\(key.function).json"
        }
    }

    /// `terraform/environments/dev/...` shown as `dev/...` (other paths as they are).
    public static func shortPath(_ path: String) -> String {
        let prefix = environmentsRoot.description + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Environment names as the spec allows them: `[A-Za-z0-9][A-Za-z0-9_.-]*`.
    public static func isValidEnvironmentName(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard let first = b.first, isAlnum(first) else { return false }
        return b.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }
}
