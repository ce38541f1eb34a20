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
        let builder = StateBuilder(validator: validator(request), cache: BlobCache(store: store))
        let written = try WrittenState(store: store)
        builder.trust(written)
        let tree = try git.tree(id)
        try builder.update(to: tree, source: git)
        let day = request.today ?? ISOTime.day(info.committedAt)
        let diagnostics = builder.diagnostics(lifecycleDay: day, pending: changedSince(written, builder), existing: written.functions)
        if !diagnostics.errors.isEmpty { throw RegistryError.invalidConfiguration(diagnostics) }
        var report = ImportReport()
        report.warnings = diagnostics.warnings
        if let revision = try write(builder.entries, candidates: nil, warnings: diagnostics.warnings, meta: Meta(info: info, source: source),
                                    onlyIfChanged: false, written: written, cache: builder.cache, treeDigest: tree.digest) {
            report.imported.append(revision)
        } else {
            report.noOp = "Commit \(id.prefix(12)) is already imported; nothing to do."
        }
        return report
    }

    /// The pairs whose effective configuration differs from the stored state (lifecycle rules apply to them).
    private func changedSince(_ written: WrittenState, _ builder: StateBuilder) -> Set<FunctionInEnvironment> {
        _ = builder.takeChangedPairs()
        let previous = written.layerHashes()
        var out = Set<FunctionInEnvironment>()
        for pair in builder.allPairs where previous[pair] != builder.layerHashes(pair) { out.insert(pair) }
        for name in builder.functionNames where previous[FunctionInEnvironment(function: name, environment: "")] != builder.layerHashes(FunctionInEnvironment(function: name, environment: "")) {
            out.insert(FunctionInEnvironment(function: name, environment: ""))
        }
        return out
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
            if let existing = try store.revision(commit: head) {
                return ImportReport(noOp: "The work tree is commit \(head.prefix(12)), already imported as revision \(existing.number); nothing to do.")
            }
            return try importCommit(git, head, request, source: "worktree")
        }
        let source = WorkTreeSource(root: root)
        let tree = try source.scan()
        let digest = tree.digest
        // The same files as the latest revision (by path, kind and blob id): the same state.
        if let latest = try store.latestRevision(), try store.hasTreeDigest(digest, revision: latest.number) {
            return ImportReport(noOp: "The work tree equals revision \(latest.number); nothing to do.")
        }
        let builder = StateBuilder(validator: validator(request), cache: BlobCache(store: store))
        let written = try WrittenState(store: store)
        builder.trust(written)
        try builder.update(to: tree, source: source)
        let day = request.today ?? ISOTime.day(Int64(Date().timeIntervalSince1970))
        let diagnostics = builder.diagnostics(lifecycleDay: day, pending: changedSince(written, builder), existing: written.functions)
        if !diagnostics.errors.isEmpty { throw RegistryError.invalidConfiguration(diagnostics) }
        var report = ImportReport()
        report.warnings = diagnostics.warnings
        let meta = Meta(commit: nil, authorName: ProcessInfo.processInfo.environment["USER"], authorEmail: nil,
                        committedAt: Int64(Date().timeIntervalSince1970), message: "work tree \(root)", source: "worktree")
        if let revision = try write(builder.entries, candidates: nil, warnings: diagnostics.warnings, meta: meta, onlyIfChanged: true, written: written,
                                    cache: builder.cache, treeDigest: digest) {
            report.imported.append(revision)
        } else {
            report.noOp = "The work tree equals revision \(written.revision); nothing to do."
        }
        return report
    }

    // MARK: - History

    private func importHistory(_ git: GitRepository, _ request: ImportRequest) throws -> ImportReport {
        // A shallow clone lacks the early commits: revision N would not be the Nth commit.
        if git.isShallow {
            throw RegistryError.git("\(request.path) is a shallow clone; run `git fetch --unshallow` before `fnreg import --history` (importing one commit or the work tree works as it is).")
        }
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
        let builder = StateBuilder(validator: validator(request), cache: BlobCache(store: store))
        var stream: [GitRepository.StreamedCommit] = []
        if first + 1 < commits.count {
            stream = try git.firstParentChanges("\(commits[first])..\(tip)")
            if stream.map(\.info.id) != Array(commits[(first + 1)...]) { stream = [] }  // fall back to whole trees
        }
        let written = try WrittenState(store: store)
        builder.trust(written)
        var touched = Set<StateKey>()
        var pending = Set<FunctionInEnvironment>()
        var done = 0
        for index in first..<commits.count {
            let id = commits[index]
            let info: GitRepository.CommitInfo
            if index == first {
                info = try git.commitInfo(id)
                touched.formUnion(try builder.update(to: try git.tree(id), source: git))
                // The builder starts empty: a key stored in the database but absent from this commit
                // (a deleted override, say) is in no change list, so diff every stored key too.
                touched.formUnion(written.hashes.keys)
                pending = changedSince(written, builder)
            } else if !stream.isEmpty {
                info = stream[index - first - 1].info
                touched.formUnion(try builder.apply(stream[index - first - 1].changes, source: git))
            } else {
                info = try git.commitInfo(id)
                touched.formUnion(try builder.update(to: try git.tree(id), source: git))
            }
            pending.formUnion(builder.takeChangedPairs())
            if imported.contains(id) { continue }
            let day = request.today ?? ISOTime.day(info.committedAt)
            let diagnostics = builder.diagnostics(lifecycleDay: day, pending: pending, existing: written.functions)
            if !diagnostics.errors.isEmpty {
                guard request.skipInvalid else {
                    throw HistoryError(commit: id, subject: info.message.split(separator: "\n").first.map(String.init) ?? "",
                                       diagnostics: diagnostics, importedBefore: report.imported.count)
                }
                let reason = diagnostics.errors.first.map(\.description) ?? "invalid"
                let revision = try store.db.transaction(.immediate) { () -> Revision in
                    if let existing = try store.revision(commit: id) { return existing }
                    let number = try store.insertRevision(commit: id, authorName: info.authorName, authorEmail: info.authorEmail,
                                                          committedAt: info.committedAt, message: info.message, source: "commit",
                                                          skipped: true, skipReason: reason)
                    return try store.revision(number)!
                }
                report.skipped.append(revision)
                written.revision = revision.number
            } else {
                report.warnings += diagnostics.warnings
                // The digest of the files is recorded for the last commit only (it costs a pass over the tree).
                if let revision = try write(builder.entries, candidates: touched, warnings: diagnostics.warnings,
                                            meta: Meta(info: info, source: "commit"), onlyIfChanged: false, written: written, cache: builder.cache,
                                            treeDigest: index == commits.count - 1 ? builder.tree.digest : nil) {
                    report.imported.append(revision)
                }
                touched.removeAll()
                pending.removeAll()
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

    /// Writes `entries` as the next revision in one immediate transaction; returns nil for a no-op (its
    /// commit is already imported, or `onlyIfChanged` and nothing changed). Only `candidates` can have
    /// changed since `written` (nil: any key); `written` follows what was stored.
    private func write(_ entries: [StateKey: Document], candidates: Set<StateKey>?, warnings: [Diagnostic], meta: Meta,
                       onlyIfChanged: Bool, written: WrittenState, cache: BlobCache? = nil, treeDigest: String? = nil) throws -> Revision? {
        do {
            return try store.db.transaction(.immediate) { () -> Revision? in
                if let commit = meta.commit, try store.revision(commit: commit) != nil { return nil }
                let latest = try store.latestRevision()
                // Another process may have written since `written` was read: then diff against all of it again.
                var keys = candidates
                if (latest?.number ?? 0) != written.revision {
                    try written.reload(store: store)
                    keys = nil
                }
                let allKeys = keys ?? Set(entries.keys).union(written.hashes.keys)
                var changes: [(StateKey, Document?)] = []
                for key in allKeys where entries[key]?.hash != written.hashes[key] { changes.append((key, entries[key])) }
                if onlyIfChanged && changes.isEmpty, let latest, meta.commit == nil || meta.commit == latest.commit {
                    // These files give the latest state: the next import of them can stop at the digest.
                    if let treeDigest { try store.recordTreeDigest(treeDigest, revision: latest.number) }
                    return nil
                }
                let warningsJSON = warnings.isEmpty ? nil : JSONWriter.canonical(.array(warnings.map(\.json)))
                let number = try store.insertRevision(commit: meta.commit, authorName: meta.authorName, authorEmail: meta.authorEmail,
                                                      committedAt: meta.committedAt, message: meta.message, source: meta.source, warnings: warningsJSON)
                for (key, document) in changes.sorted(by: { $0.0 < $1.0 }) {
                    try store.insertVersion(key, revision: number, document: document)
                }
                try cache?.save()
                if let treeDigest { try store.recordTreeDigest(treeDigest, revision: number) }
                written.apply(changes, revision: number)
                return try store.revision(number)
            }
        } catch {
            store.resetCaches()
            try? written.reload(store: store)
            if let e = error as? SQLiteError, e.isBusy { throw RegistryError.databaseBusy(store.db.path) }
            throw error
        }
    }
}

/// What the store holds at its latest revision, kept in step with the importer's writes.
final class WrittenState {
    var revision = 0
    var hashes: [StateKey: DocumentHash] = [:]
    var functions: Set<String> = []

    init(store: Store) throws { try reload(store: store) }

    func reload(store: Store) throws {
        guard let latest = try store.latestRevision() else { revision = 0; hashes = [:]; functions = []; return }
        revision = latest.number
        hashes = try store.stateHashes(at: latest.number)
        functions = Set(hashes.keys.filter { $0.kind == .base }.map(\.function))
    }

    func apply(_ changes: [(StateKey, Document?)], revision: Int) {
        self.revision = revision
        for (key, document) in changes {
            hashes[key] = document?.hash
            if key.kind == .base { if document == nil { functions.remove(key.function) } else { functions.insert(key.function) } }
        }
    }

    /// The layers of every (function, environment) stored, and (function, "") for every function.
    func layerHashes() -> [FunctionInEnvironment: LayerHashes] {
        var out: [FunctionInEnvironment: LayerHashes] = [:]
        let environments = hashes.keys.filter { $0.kind == .environment }.map(\.environment)
        for (key, base) in hashes where key.kind == .base {
            out[FunctionInEnvironment(function: key.function, environment: "")] = LayerHashes(base: base, environment: nil, override: nil)
            for env in environments {
                out[FunctionInEnvironment(function: key.function, environment: env)] = LayerHashes(
                    base: base, environment: hashes[StateKey(.envpatch, environment: env)],
                    override: hashes[StateKey(.override, environment: env, function: key.function)])
            }
        }
        return out
    }
}

/// The documents layered, without file locations: equal exactly when the effective configuration is.
struct LayerHashes: Hashable {
    var base: DocumentHash
    var environment: DocumentHash?
    var override: DocumentHash?
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
