import Foundation

/// What to import.
public struct ImportRequest {
    public var path: String
    public var commit: String?
    public var history = false
    public var branch: String?
    public var skipInvalid = false
    /// Fixed day ("YYYY-MM-DD") for runtime lifecycle rules; nil: the commit's day (history) or today.
    public var today: String?
    /// Called after each commit of `--history` with (done, total).
    public var progress: ((Int, Int) -> Void)?

    public init(path: String) { self.path = path }
}

/// What an import did.
public struct ImportReport {
    public var imported: [Revision] = []
    public var skipped: [Revision] = []
    public var warnings: [Diagnostic] = []
    /// Set when nothing was written, saying why (already imported, unchanged, nothing new).
    public var noOp: String?
}

/// Imports source states into the store: each one validated first, then written as one transaction.
public final class Importer {
    let store: Store

    public init(store: Store) { self.store = store }

    public func run(_ request: ImportRequest) throws -> ImportReport {
        let root = request.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RegistryError.notAConfigurationRepository(root)
        }
        if request.history {
            guard let git = GitRepository.open(containing: root) else {
                throw RegistryError.git("\(root) is not inside a git work tree; --history needs one.")
            }
            return try importHistory(git, request)
        }
        if let ref = request.commit {
            guard let git = GitRepository.open(containing: root) else {
                throw RegistryError.git("\(root) is not inside a git work tree; --commit needs one.")
            }
            guard let id = try git.resolve(ref) else {
                throw RegistryError.git("\(ref) does not name a commit of the repository at \(root).")
            }
            return try importCommit(git, id, request)
        }
        return try importWorkTree(request)
    }

    private func validator(_ request: ImportRequest) -> ConfigValidator {
        ConfigValidator(today: request.today ?? ISOTime.day(Int64(Date().timeIntervalSince1970)))
    }

    // MARK: - One commit

    private func importCommit(_ git: GitRepository, _ id: String, _ request: ImportRequest, source: String = "commit") throws -> ImportReport {
        if let existing = try store.revision(commit: id) {
            return ImportReport(noOp: "Commit \(id.prefix(12)) is already imported as revision \(existing.number); nothing to do.")
        }
        let info = try git.commitInfo(id)
        let tree = try git.tree(id)
        let builder = StateBuilder(validator: validator(request))
        let previous = try currentHashes()
        let day = request.today ?? ISOTime.day(info.committedAt)
        let state = try builder.build(tree, source: git, previous: LayerHashes.of(previous.hashes), lifecycleDay: day)
        if !state.diagnostics.errors.isEmpty { throw RegistryError.invalidConfiguration(state.diagnostics) }
        var report = ImportReport()
        report.warnings = state.diagnostics.warnings
        if let revision = try write(state, meta: Meta(info: info, source: source), onlyIfChanged: false) {
            report.imported.append(revision)
        } else {
            report.noOp = "Commit \(id.prefix(12)) is already imported; nothing to do."
        }
        return report
    }

    // MARK: - Work tree

    private func importWorkTree(_ request: ImportRequest) throws -> ImportReport {
        let root = request.path
        let fm = FileManager.default
        guard fm.fileExists(atPath: root + "/lambda_functions") || fm.fileExists(atPath: root + "/terraform/environments") else {
            throw RegistryError.notAConfigurationRepository(root)
        }
        // A clean git checkout is its HEAD commit: read it from git objects (ignored files excluded).
        if let git = GitRepository.open(containing: root), let head = try git.resolve("HEAD"), try git.configurationIsClean() {
            return try importCommit(git, head, request, source: "worktree")
        }
        let source = WorkTreeSource(root: root)
        let tree = try source.scan()
        let builder = StateBuilder(validator: validator(request))
        let previous = try currentHashes()
        let day = request.today ?? ISOTime.day(Int64(Date().timeIntervalSince1970))
        let state = try builder.build(tree, source: source, previous: LayerHashes.of(previous.hashes), lifecycleDay: day)
        if !state.diagnostics.errors.isEmpty { throw RegistryError.invalidConfiguration(state.diagnostics) }
        var report = ImportReport()
        report.warnings = state.diagnostics.warnings
        let now = Int64(Date().timeIntervalSince1970)
        let meta = Meta(commit: nil, authorName: ProcessInfo.processInfo.environment["USER"], authorEmail: nil, committedAt: now,
                        message: "work tree \(root)", source: "worktree")
        if let revision = try write(state, meta: meta, onlyIfChanged: true) {
            report.imported.append(revision)
        } else {
            let latest = try store.latestRevision()
            report.noOp = "The work tree equals revision \(latest?.number ?? 0); nothing to do."
        }
        return report
    }

    // MARK: - History

    private func importHistory(_ git: GitRepository, _ request: ImportRequest) throws -> ImportReport {
        let branch = request.branch ?? git.currentBranch ?? "HEAD"
        guard let tip = try git.resolve(branch) else {
            throw RegistryError.git("\(branch) does not name a commit; the repository may have no commits yet.")
        }
        let commits = try git.firstParentCommits(tip)
        let imported = try store.importedCommits()
        guard let first = commits.firstIndex(where: { !imported.contains($0) }) else {
            return ImportReport(noOp: "All \(commits.count) commits of \(branch) are already imported; nothing to do.")
        }
        let total = commits[first...].filter { !imported.contains($0) }.count
        var report = ImportReport()
        let builder = StateBuilder(validator: validator(request))
        var tree = try git.tree(commits[first])
        var stream: [GitRepository.StreamedCommit] = []
        if first + 1 < commits.count {
            stream = try git.firstParentChanges("\(commits[first])..\(tip)")
            if stream.map(\.info.id) != Array(commits[(first + 1)...]) { stream = [] }  // fall back to whole trees
        }
        var written = try currentHashes()
        var done = 0
        for index in first..<commits.count {
            let id = commits[index]
            let info: GitRepository.CommitInfo
            if index == first {
                info = try git.commitInfo(id)
            } else if !stream.isEmpty {
                let streamed = stream[index - first - 1]
                info = streamed.info
                for (path, ref) in streamed.changes { tree.files[path] = ref }
            } else {
                info = try git.commitInfo(id)
                tree = try git.tree(id)
            }
            if imported.contains(id) { continue }
            let day = request.today ?? ISOTime.day(info.committedAt)
            let state = try builder.build(tree, source: git, previous: LayerHashes.of(written.hashes), lifecycleDay: day)
            if !state.diagnostics.errors.isEmpty {
                guard request.skipInvalid else {
                    throw HistoryError(commit: id, subject: info.message.split(separator: "\n").first.map(String.init) ?? "",
                                       diagnostics: state.diagnostics, importedBefore: report.imported.count)
                }
                let reason = state.diagnostics.errors.first.map(\.description) ?? "invalid"
                let revision = try store.db.transaction(.immediate) { () -> Revision in
                    if let existing = try store.revision(commit: id) { return existing }
                    let number = try store.insertRevision(commit: id, authorName: info.authorName, authorEmail: info.authorEmail,
                                                          committedAt: info.committedAt, message: info.message, source: "commit",
                                                          skipped: true, skipReason: reason)
                    return try store.revision(number)!
                }
                report.skipped.append(revision)
                written = try currentHashes()
            } else {
                report.warnings += state.diagnostics.warnings
                if let revision = try write(state, meta: Meta(info: info, source: "commit"), onlyIfChanged: false, known: written) {
                    report.imported.append(revision)
                    written = (revision.number, state.entries.mapValues(\.hash))
                }
            }
            done += 1
            request.progress?(done, total)
        }
        return report
    }

    // MARK: - Writing

    struct Meta {
        var commit: String?
        var authorName: String?
        var authorEmail: String?
        var committedAt: Int64
        var message: String
        var source: String

        init(commit: String?, authorName: String?, authorEmail: String?, committedAt: Int64, message: String, source: String) {
            self.commit = commit
            self.authorName = authorName
            self.authorEmail = authorEmail
            self.committedAt = committedAt
            self.message = message
            self.source = source
        }

        init(info: GitRepository.CommitInfo, source: String) {
            self.init(commit: info.id, authorName: info.authorName, authorEmail: info.authorEmail, committedAt: info.committedAt,
                      message: info.message, source: source)
        }
    }

    /// The latest revision and the hash of every key's document there.
    private func currentHashes() throws -> (revision: Int, hashes: [StateKey: DocumentHash]) {
        guard let latest = try store.latestRevision() else { return (0, [:]) }
        return (latest.number, try store.stateHashes(at: latest.number))
    }

    /// Writes `state` as the next revision in one immediate transaction; returns nil for a no-op
    /// (its commit is already imported, or `onlyIfChanged` and nothing changed).
    private func write(_ state: BuiltState, meta: Meta, onlyIfChanged: Bool, known: (revision: Int, hashes: [StateKey: DocumentHash])? = nil) throws -> Revision? {
        do {
            return try store.db.transaction(.immediate) { () -> Revision? in
                if let commit = meta.commit, try store.revision(commit: commit) != nil { return nil }
                let latest = try store.latestRevision()
                // Diff against the latest revision as it is now (another process may have written since).
                let previous: [StateKey: DocumentHash]
                if let known, known.revision == (latest?.number ?? 0) { previous = known.hashes }
                else { previous = try latest.map { try store.stateHashes(at: $0.number) } ?? [:] }
                var changes: [(StateKey, Document?)] = []
                for (key, document) in state.entries where previous[key] != document.hash { changes.append((key, document)) }
                for key in previous.keys where state.entries[key] == nil { changes.append((key, nil)) }
                if onlyIfChanged && changes.isEmpty && latest != nil && (meta.commit == nil || meta.commit == latest?.commit) { return nil }
                let warnings = state.diagnostics.warnings.isEmpty ? nil
                    : JSONWriter.canonical(.array(state.diagnostics.warnings.map(\.json)))
                let number = try store.insertRevision(commit: meta.commit, authorName: meta.authorName, authorEmail: meta.authorEmail,
                                                      committedAt: meta.committedAt, message: meta.message, source: meta.source, warnings: warnings)
                for (key, document) in changes.sorted(by: { $0.0 < $1.0 }) {
                    try store.insertVersion(key, revision: number, document: document)
                }
                return try store.revision(number)
            }
        } catch {
            store.resetCaches()
            if let e = error as? SQLiteError, e.isBusy { throw RegistryError.databaseBusy(store.db.path) }
            throw error
        }
    }
}

/// `import --history` stopped at an invalid commit (the commits before it stay imported).
public struct HistoryError: Error, CustomStringConvertible {
    public let commit: String
    public let subject: String
    public let diagnostics: [Diagnostic]
    public let importedBefore: Int

    public var description: String {
        "Commit \(commit.prefix(12)) (\"\(subject.prefix(60))\") is invalid and was not imported (\(importedBefore) earlier commits were); fix it or rerun with --skip-invalid:\n"
            + diagnostics.errors.map(\.description).joined(separator: "\n")
    }
}
