import Foundation

/// `fnreg validate`: every rule on a work tree, without a database or git.
public enum WorkTreeValidation {
    public static func validate(path: String, today: String) throws -> [Diagnostic] {
        let fm = FileManager.default
        guard fm.fileExists(atPath: path + "/lambda_functions") || fm.fileExists(atPath: path + "/terraform/environments") else {
            throw RegistryError.notAConfigurationRepository(path)
        }
        let source = WorkTreeSource(root: path)
        let tree = try source.scan()
        let builder = StateBuilder(validator: ConfigValidator(today: today))
        try builder.update(to: tree, source: source)
        // No history: every function counts as new for runtime lifecycle rules (SPEC §3).
        return builder.diagnostics(lifecycleDay: today, pending: builder.allPairs, existing: nil)
    }
}
