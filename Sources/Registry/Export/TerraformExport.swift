import Foundation

/// SPEC §6: `functions.auto.tfvars.json` — the snapshot as the variable `functions`, plus
/// `registry_snapshot` metadata; byte-for-byte deterministic, written atomically.
public enum TerraformExport {
    public static let fileName = "functions.auto.tfvars.json"

    public enum Result: Equatable { case written(String), unchanged(String), differs(String) }

    /// The file's exact bytes for `snapshot`.
    public static func render(_ snapshot: Snapshot) -> String {
        var meta = JSONObject()
        meta["environment"] = .string(snapshot.environment)
        meta["revision"] = .number(Double(snapshot.revision.number))
        meta["commit"] = snapshot.revision.commit.map { .string($0) } ?? .null
        meta["snapshot_hash"] = .string(snapshot.hash)
        var w = JSONWriter(capacity: snapshot.canonicalFunctions.count + 512)
        w.append("{\"functions\":")
        w.append(contentsOf: snapshot.canonicalFunctions)
        w.append(",\"registry_snapshot\":")
        w.writeCanonical(.object(meta))
        w.append("}")
        return String(decoding: JSONWriter.prettyFromCanonical(w.bytes), as: UTF8.self)
    }

    /// Writes (or with `check`, compares) the export in `directory`, never outside it.
    public static func write(_ snapshot: Snapshot, to directory: String, check: Bool) throws -> Result {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let bytes = Data(render(snapshot).utf8)
        let existing = FileManager.default.contents(atPath: path)
        if check { return existing == bytes ? .unchanged(path) : .differs(path) }
        if existing == bytes { return .unchanged(path) }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            throw RegistryError.refused("\(path) is a symbolic link; fnreg will not write through it.")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = (directory as NSString).appendingPathComponent(".\(fileName).\(getpid()).tmp")
            guard FileManager.default.createFile(atPath: temporary, contents: bytes) else {
                throw RegistryError.io("Cannot write into \(directory); check that it exists and is writable.")
            }
            guard rename(temporary, path) == 0 else {
                unlink(temporary)
                throw RegistryError.io("Cannot replace \(path); check its permissions.")
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.io("Cannot write \(path): \(error.localizedDescription).")
        }
        return .written(path)
    }
}
