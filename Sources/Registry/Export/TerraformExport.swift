import Foundation

/// `functions.auto.tfvars.json`: the snapshot as the variable `functions`, plus `registry_snapshot`
/// (environment, revision, commit, snapshot_hash, and for a rollback the deployment it restores);
/// byte-for-byte deterministic, written whole or not at all.
public enum TerraformExport {
    /// The file `fnreg export terraform` writes into the environment's directory.
    public static let fileName = RepositoryLayout.exportFileName.description

    /// What an export did: wrote the file, found it unchanged, (with `--check`) found it different or missing.
    public enum Result: Equatable { case written(String), unchanged(String), differs(String), missing(String) }

    /// The file's exact bytes for `snapshot`; `restores` marks a rollback's target deployment.
    public static func render(_ snapshot: Snapshot, restores: Int? = nil) -> String {
        var meta = JSONObject()
        meta["environment"] = .string(snapshot.environment)
        meta["revision"] = .number(Double(snapshot.revision.number))
        meta["commit"] = snapshot.revision.commit.map { .string($0) } ?? .null
        meta["snapshot_hash"] = .string(snapshot.hash)
        if let restores { meta["restores"] = .number(Double(restores)) }
        var w = JSONWriter(capacity: snapshot.canonicalFunctions.count + 512)
        w.append("{\"functions\":")
        w.append(contentsOf: snapshot.canonicalFunctions)
        w.append(",\"registry_snapshot\":")
        w.writeCanonical(.object(meta))
        w.append("}")
        return String(decoding: JSONWriter.prettyFromCanonical(w.bytes), as: UTF8.self)
    }

    /// Writes (or with `check`, compares) the export in `directory`. With `confinedTo`, the path is
    /// refused when a symbolic link inside that root would move it (a default location in the
    /// repository); an explicit `--out` is the caller's choice.
    public static func write(_ snapshot: Snapshot, to directory: String, check: Bool, restores: Int? = nil,
                             confinedTo root: String? = nil) throws -> Result {
        guard !snapshot.revision.isPreview else {
            throw RegistryError.usage("Terraform inputs are exported from a recorded revision, not from the work tree: commit and import the change first (preview it with fnreg diff ENV ENV@worktree).")
        }
        let path = (directory as NSString).appendingPathComponent(fileName)
        let bytes = Array(render(snapshot, restores: restores).utf8)
        if let root { try AtomicFile.checkConfined(path, to: root) }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw RegistryError.refused("\(path) is a symbolic link; fnreg will not write through it.")
        }
        let existing = FileManager.default.contents(atPath: path).map { Array($0) }
        if check {
            guard let existing else { return .missing(path) }
            return existing == bytes ? .unchanged(path) : .differs(path)
        }
        if existing == bytes { return .unchanged(path) }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RegistryError.output("Cannot create the directory \(directory): \(error.localizedDescription).")
        }
        try AtomicFile.write(bytes, to: path)
        return .written(path)
    }
}
