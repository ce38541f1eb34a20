import Foundation

/// The registry in one SQLite file: documents, revisions, the per-key version history, deployments
/// and what imports learned. All of fnreg's SQL is here (and in the files beside this one); the rest
/// of fnreg sees only `RegistryReader` and `RegistryWriter`.
final class SQLiteStore: RegistryWriter {
    let db: Database
    /// Row ids of documents and keys written by this connection (forgotten when a transaction rolls back).
    var documentIDs: [DocumentHash: Int64] = [:]
    var keyIDs: [StateKey: Int64] = [:]

    /// Opens the registry at `path`, creating and migrating it unless `readOnly`. A read-only open
    /// never creates anything: a missing file is `noDatabase`. A new database is created only in an
    /// existing directory (`createDirectory`: make it first, mode 0700), as a file of mode 0600.
    init(path: String, readOnly: Bool = false, createDirectory: Bool = false, mustExist: Bool = false) throws {
        guard !path.isEmpty else { throw RegistryError.usage("The database path is empty; set --db or FNREG_DB to a file name.") }
        guard path != ":memory:", !path.hasPrefix("file:") else {
            throw RegistryError.usage("\(path) is not a database file: a registry is kept in a file; give --db a file name.")
        }
        var info = stat()
        let exists = lstat(path, &info) == 0
        if exists && info.st_mode & S_IFMT == S_IFLNK {
            throw RegistryError.refused("\(path) is a symbolic link; fnreg opens only a database file itself (name the real file with --db).")
        }
        if exists && info.st_mode & S_IFMT == S_IFDIR {
            throw RegistryError.usage("\(path) is a directory; give --db the database file's name.")
        }
        if (readOnly || mustExist) && !exists { throw RegistryError.noDatabase(path) }
        if !readOnly && !exists {
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                var folderInfo = stat()
                if lstat(folder, &folderInfo) != 0 {
                    guard createDirectory else {
                        throw RegistryError.usage("The directory of \(path) does not exist; create it first (fnreg creates a database only in an existing directory).")
                    }
                    do {
                        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                    } catch {
                        throw RegistryError.output("Cannot create the directory \(folder) for the database: \(error.localizedDescription).")
                    }
                } else if folderInfo.st_mode & S_IFMT == S_IFLNK && createDirectory {
                    throw RegistryError.refused("\(folder) is a symbolic link; fnreg keeps its database only in a real directory.")
                }
            }
            try SQLiteStore.create(path)
        }
        do {
            db = try Database(path: path, readOnly: readOnly)
            // Reading the schema is where a file that is not SQLite fails.
            _ = try db.queryOne("SELECT count(*) FROM sqlite_master", []) { $0.int(0) }
            if readOnly {
                let problems = try Migrator.verify(db)
                if let newer = problems.lazy.compactMap(\.newerIdentifier).first { throw RegistryError.newerSchema(newer) }
                let hasRevisions = try db.queryOne("SELECT 1 FROM sqlite_master WHERE name = 'revisions'", []) { _ in true } != nil
                if !problems.isEmpty && !hasRevisions {
                    throw RegistryError.noRevisions
                }
            } else {
                try Migrator.migrate(db)
            }
        } catch let error as SQLiteError {
            switch error.kind {
            case .busy: throw RegistryError.databaseBusy(path)
            case .notADatabase: throw RegistryError.notADatabase(path, reason: "the file is not an SQLite database")
            case .readOnly: throw RegistryError.notADatabase(path, reason: "the file is read-only")
            default: throw RegistryError.notADatabase(path, reason: error.message)
            }
        }
    }

    /// Creates the database at `path` whole or not at all: migrated in a temporary file beside it
    /// (mode 0600 whatever the umask: it may hold text that must not be world-readable; SQLite gives
    /// its -wal and -shm files the same mode), then linked into place. Killed part-way, it leaves no
    /// database and a temporary file that the next creation removes; two processes creating it at
    /// once both end with the same database.
    static func create(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        AtomicFile.removeStaleTemporaries(directory: directory, name: (path as NSString).lastPathComponent)
        let temporary = directory + "/." + (path as NSString).lastPathComponent + ".fnreg-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw AtomicFile.outputError(path, errno) }
        fchmod(fd, 0o600)
        close(fd)
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }
        do {
            let db = try Database(path: temporary)
            try Migrator.migrate(db)
            try db.checkpoint()
        } catch let error as SQLiteError where error.kind == .full {
            throw RegistryError.output("Cannot create the database \(path): the disk is full; nothing was written.")
        }
        // link() fails when the name exists: whoever created it first wins, and both use that one.
        if link(temporary, path) != 0 && errno != EEXIST { throw AtomicFile.outputError(path, errno) }
    }

    /// Whether the connection could only read the file as immutable (read-only media, a full disk).
    var isImmutableRead: Bool { db.readMode == .immutable }

    var location: String { db.path }

    /// Forgets cached row ids (after a rolled-back transaction they may not exist).
    func resetCaches() {
        documentIDs.removeAll()
        keyIDs.removeAll()
    }
}
