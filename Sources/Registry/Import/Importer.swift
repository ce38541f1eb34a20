import Foundation

/// What to import.
public struct ImportRequest {
    /// The configuration repository (a git work tree or a plain directory).
    public var path: String
    /// Move the record forward to this commit (`--commit REF`).
    public var commit: String?
    /// Move the record forward to the tracked branch's tip (`--history`).
    public var history = false
    /// The branch to track, on the first import only (default: the current branch, or `main`).
    public var branch: String?
    /// Record invalid commits as skipped revisions and go on (else stop at the first).
    public var skipInvalid = false
    /// Record the branch as it is after a rewrite (force-push, reset, rebase), instead of refusing.
    public var acceptRewrite = false
    /// Fixed day ("YYYY-MM-DD") for runtime lifecycle rules; nil: the commit's day (or today for a plain directory).
    public var today: String?
    /// Called after each recorded commit with (done, total).
    public var progress: ((Int, Int) -> Void)?

    /// A request to record the work tree's commit (or the plain directory) at `path`.
    public init(path: String) { self.path = path }
}

/// What an import did.
public struct ImportReport {
    /// The revisions recorded.
    public var imported: [Revision] = []
    /// The revisions recorded as skipped (`--skip-invalid`).
    public var skipped: [Revision] = []
    /// Warnings of the recorded revisions (errors refuse a revision).
    public var warnings: [Diagnostic] = []
    /// Set when nothing was written, saying why (already recorded, older, unchanged).
    public var noOp: String?
    /// What the registry records, after the import.
    public var binding: Binding?
}

/// Imports source states into a registry. A git-bound registry only ever moves forward along its
/// branch: the commits to record are planned from the branch's first-parent history, then each is
/// built, validated and committed (`RegistryWriter.commit`, one transaction each), by one pipeline
/// for every mode.
final class Importer {
    let storage: any RegistryWriter

    init(storage: any RegistryWriter) { self.storage = storage }

    /// Another import wrote between the plan and the write: plan again.
    private struct Replan: Error {}

    func run(_ request: ImportRequest) throws -> ImportReport {
        let root = request.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RegistryError.notAConfigurationRepository(root)
        }
        let fm = FileManager.default
        if !request.history && request.commit == nil,
           !fm.fileExists(atPath: root + "/lambda_functions") && !fm.fileExists(atPath: root + "/terraform/environments") {
            throw RegistryError.notAConfigurationRepository(root)
        }
        // Whatever was written is copied into the database file when the import ends (best effort:
        // readers may hold the log; the next write's checkpoint does it then).
        defer { storage.checkpointWhenIdle() }
        for attempt in 1...5 {
            do {
                if let git = try GitRepository.open(containing: root) {
                    return try importGit(git, request)
                }
                if request.history || request.commit != nil {
                    throw RegistryError.usage("\(root) is not inside a git work tree; --\(request.history ? "history" : "commit") needs one.")
                }
                return try importDirectory(request)
            } catch is Replan where attempt < 5 {
                continue
            }
        }
        throw RegistryError.databaseBusy(storage.location)
    }

    private func validator(_ request: ImportRequest) -> ConfigValidator {
        ConfigValidator(today: request.today ?? ISOTime.day(Int64(Date().timeIntervalSince1970)))
    }

    // MARK: - Git: the plan

    private func importGit(_ git: GitRepository, _ request: ImportRequest) throws -> ImportReport {
        var binding = try storage.binding()
        let latestCommitted = try storage.latestCommittedRevision()
        let hasRevisions = try storage.latestRevision() != nil
        if binding?.kind == .directory || (binding == nil && latestCommitted == nil && hasRevisions) {
            let recorded = binding?.description ?? "a plain directory (its revisions name no commit)"
            throw RegistryError.refused("This registry records \(recorded); \(git.root) is a git work tree. Use a registry of its own for it (--db).")
        }
        // The branch and its tip.
        let branch: String
        if let bound = binding?.branch {
            if let asked = request.branch, asked != bound {
                throw RegistryError.refused("This registry records branch \(bound); --branch \(asked) is refused (--branch only chooses the branch on the first import).")
            }
            branch = bound
        } else if let asked = request.branch {
            branch = asked
        } else if let current = git.currentBranch {
            branch = current
        } else if try git.branchTip("main") != nil {
            branch = "main"
        } else {
            throw RegistryError.usage("HEAD is detached and there is no branch main; name the branch to record with --branch.")
        }
        guard let tip = try git.branchTip(branch) else {
            if try git.resolve("HEAD") == nil {
                throw RegistryError.refused("The repository at \(git.root) has no commits yet; commit first, then import.")
            }
            let known = try git.localAndRemoteBranches()
            let hint = closestMatches(branch, in: known).first.map { "; did you mean \($0)?" } ?? (known.isEmpty ? "" : "; branches: \(known.prefix(10).joined(separator: ", "))")
            throw RegistryError.refused("There is no branch \(branch) in the repository at \(git.root)\(hint)")
        }
        // The repository: identified by the root of the branch's first-parent history.
        guard let rootCommit = try git.rootCommit(tip) else { throw RegistryError.git("git found no root commit for \(branch).") }
        if let binding {
            // A shallow clone's history stops before its root: it is the same repository when it
            // has the latest recorded commit (commit ids name their whole history).
            let sameHistory = try binding.rootCommit == rootCommit
                || (git.isShallow && latestCommitted.map { try git.hasCommit($0.commit!) } ?? false)
            guard sameHistory, binding.prefix == git.prefix else {
                throw RegistryError.refused("This registry records \(binding.description); \(git.root) is another repository"
                    + " (its \(branch) starts at \(rootCommit.prefix(12))\(binding.prefix == git.prefix ? "" : ", configuration in \(git.prefix.isEmpty ? "its top level" : git.prefix)")); use a registry of its own for it (--db).")
            }
        }
        // The target.
        let workTree = !request.history && request.commit == nil
        let target: String
        if request.history {
            target = tip
        } else if let ref = request.commit {
            guard let id = try git.resolve(ref) else { throw RegistryError.refused("\(ref) does not name a commit of the repository at \(git.root).") }
            target = id
        } else {
            guard let head = try git.resolve("HEAD") else { throw RegistryError.refused("The repository at \(git.root) has no commits yet; commit first, then import.") }
            target = head
        }
        let lastAvailable = try latestCommitted.map { try git.hasCommit($0.commit!) } ?? false
        if git.isShallow, !lastAvailable {
            throw RegistryError.refused("\(git.root) is a shallow clone: the registry needs \(branch)'s history back to \(latestCommitted == nil ? "its first commit" : "revision \(latestCommitted!.number)"); run `git fetch --unshallow` (in CI: fetch-depth: 0).")
        }
        if binding == nil {
            binding = Binding(kind: .git, rootCommit: rootCommit, branch: branch, prefix: git.prefix, sourcePath: git.root,
                              boundAt: Int64(Date().timeIntervalSince1970))
            if let latestCommitted, !(try git.hasCommit(latestCommitted.commit!)) {
                throw RegistryError.refused("This registry's revisions come from another repository (commit \(latestCommitted.commit!.prefix(12)) of revision \(latestCommitted.number) is not in \(git.root)); use a registry of its own for it (--db).")
            }
        }
        var report = ImportReport()
        report.binding = binding

        // 1. The target must be on the branch.
        let onBranch = try git.isOnFirstParentHistory(target, of: tip)
        let recordedTarget = try storage.revision(commit: target)
        let mergedRecorded = try recordedTarget != nil && git.isAncestor(target, of: tip)
        if !onBranch && !mergedRecorded {
            throw RegistryError.refused("Commit \(target.prefix(12)) is not recorded: \(try explainOffBranch(target, branch: branch, tip: tip, git: git))."
                + " A registry records \(branch) only; to see what a change would do, run `fnreg diff ENV ENV@worktree`.")
        }
        // 2. A work tree must be a clean checkout of its commit.
        if workTree {
            let dirty = try WorkTreeState.changes(git: git, head: target)
            if !dirty.isEmpty {
                let shown = dirty.prefix(10).map(\.description).joined(separator: ", ") + (dirty.count > 10 ? ", … (\(dirty.count) in all)" : "")
                throw RegistryError.refused("The work tree differs from commit \(target.prefix(12)) (\(shown)); the registry records commits only."
                    + " Check the change with `fnreg validate` and `fnreg diff ENV ENV@worktree`, and import it once it is committed to \(branch).")
            }
        }
        // 3-6. What to record.
        var plan: [String] = []
        var rewriteOf: Int?
        if let latest = latestCommitted, let last = latest.commit {
            if !(try git.isAncestor(last, of: tip)) {
                guard let base = try git.mergeBase(last, target) else {
                    throw RegistryError.refused("Revision \(latest.number) (commit \(last.prefix(12))) shares no history with \(branch); use a registry of its own (--db).")
                }
                guard request.acceptRewrite else {
                    throw RegistryError.refused("\(branch) was rewritten: revision \(latest.number) (commit \(last.prefix(12))) is no longer on it;"
                        + " the tip is \(tip.prefix(12)) and their merge base is \(base.prefix(12)). Nothing was written;"
                        + " rerun with --accept-rewrite to record \(branch) as it is now (earlier revisions stay as they were).")
                }
                plan = base == target ? [target] : try git.firstParentCommitsSince(base, to: target)
                rewriteOf = latest.number
                if plan.isEmpty {
                    report.noOp = "Commit \(target.prefix(12)) is older than the merge base \(base.prefix(12)) of the rewrite; nothing to import."
                    try bindIfNeeded(binding!)
                    return report
                }
            } else if target == last {
                report.noOp = "Commit \(target.prefix(12)) is already recorded as revision \(latest.number); nothing to import."
            } else if try git.isAncestor(target, of: last) {
                report.noOp = recordedTarget.map { "Commit \(target.prefix(12)) is already recorded as revision \($0.number) (the latest is \(latest.number)); nothing to import." }
                    ?? "Commit \(target.prefix(12)) is older than revision \(latest.number); nothing to import."
            } else if try git.isAncestor(last, of: target) {
                plan = try git.firstParentDescendants(of: last, to: target)
            } else {
                throw RegistryError.refused("Commit \(target.prefix(12)) is on \(branch) but does not descend from revision \(latest.number) (commit \(last.prefix(12))): a merge brought that commit into \(branch) later; import \(branch)'s tip with `fnreg import --history`.")
            }
        } else {
            plan = try git.firstParentCommits(target)
        }
        if plan.isEmpty {
            try bindIfNeeded(binding!)
            if report.noOp == nil { report.noOp = "Nothing to import." }
            return report
        }
        return try record(plan, git: git, request: request, binding: binding!, previous: latestCommitted?.commit, rewriteOf: rewriteOf, report: report)
    }

    private func bindIfNeeded(_ binding: Binding) throws {
        if try storage.binding() == nil { try storage.bindIfUnbound(binding) }
    }

    /// Why a commit that is not on the branch's first-parent history is not recorded.
    func explainOffBranch(_ commit: String, branch: String, tip: String, git: GitRepository) throws -> String {
        if try git.isAncestor(commit, of: tip) {
            if let merge = try git.firstParentMerge(bringing: commit, into: tip) {
                if let revision = try storage.revision(commit: merge) {
                    return "it is not on \(branch)'s first-parent history; it was merged into \(branch) by revision \(revision.number) (commit \(merge.prefix(12)))"
                }
                return "it is not on \(branch)'s first-parent history; it was merged into \(branch) by commit \(merge.prefix(12)) (not imported yet: run fnreg import)"
            }
        }
        let others = try git.branches(containing: commit).filter { $0 != branch && $0 != "origin/\(branch)" }
        if let first = others.first { return "it is on branch \(first), not on \(branch)" }
        return "it is on no branch of the repository, not on \(branch)"
    }

    // MARK: - The pipeline

    /// Records `commits` (consecutive first-parent commits, oldest first) after the latest revision,
    /// each in its own transaction. `previous`: the commit of the latest revision the plan follows.
    private func record(_ commits: [String], git: GitRepository, request: ImportRequest, binding: Binding, previous: String?,
                        rewriteOf: Int?, report: ImportReport) throws -> ImportReport {
        var report = report
        let builder = StateBuilder(validator: validator(request), cache: BlobCache(reader: storage))
        let written = try WrittenState(reader: storage)
        builder.trust(written, validation: try storage.latestRevision()?.validation)
        // The first commit is read whole; the rest as one stream of first-parent changes.
        var stream: [GitRepository.StreamedCommit] = []
        if commits.count > 1 {
            stream = try git.firstParentChanges("\(commits[0])..\(commits[commits.count - 1])")
            if stream.map(\.info.id) != Array(commits.dropFirst()) { stream = [] }  // fall back to whole trees
        }
        var touched = Set<StateKey>()
        var expected = previous
        do {
        for (index, id) in commits.enumerated() {
            let info: GitRepository.CommitInfo
            if index == 0 {
                info = try git.commitInfo(id)
                touched.formUnion(try builder.update(to: try git.tree(id), source: git))
                // The builder starts empty: a key stored but absent from this commit (a deleted
                // override, say) is in no change list, so diff every stored key too.
                touched.formUnion(written.hashes.keys)
            } else if !stream.isEmpty {
                info = stream[index - 1].info
                touched.formUnion(try builder.apply(stream[index - 1].changes, source: git))
            } else {
                info = try git.commitInfo(id)
                touched.formUnion(try builder.update(to: try git.tree(id), source: git))
            }
            _ = builder.takeChangedPairs()
            // Validation is a function of the tree: every rule over every configuration (runtime
            // lifecycle at the commit's time); from history only which functions are new.
            let day = request.today ?? ISOTime.day(info.committedAt)
            let diagnostics = builder.diagnostics(lifecycleDay: day, pending: builder.allPairs, existing: written.functions)
            let meta = Meta(info: info, source: request.history || request.commit != nil ? "commit" : "worktree",
                            rewriteOf: index == 0 ? rewriteOf : nil, validation: builder.validationMarker)
            if !diagnostics.errors.isEmpty {
                guard request.skipInvalid else {
                    // One commit asked for: its findings, as a work tree's would be.
                    if !request.history && commits.count == 1 { throw RegistryError.invalidConfiguration(diagnostics) }
                    throw HistoryError(commit: id, subject: info.message.split(separator: "\n").first.map(String.init) ?? "",
                                       diagnostics: diagnostics, importedBefore: report.imported.count + report.skipped.count)
                }
                let reason = diagnostics.errors.first.map(\.description) ?? "invalid"
                if let revision = try write([:], candidates: [], warnings: [], meta: meta, expected: expected, written: written,
                                            binding: binding, skipReason: reason) {
                    report.skipped.append(revision)
                }
            } else {
                report.warnings += diagnostics.warnings
                if let revision = try write(builder.entries, candidates: touched, warnings: diagnostics.warnings, meta: meta,
                                            expected: expected, written: written, binding: binding, cache: builder.cache) {
                    report.imported.append(revision)
                }
                touched.removeAll()
            }
            expected = id
            request.progress?(index + 1, commits.count)
        }
        } catch let error where !(error is Replan) && !(error is HistoryError) && !(report.imported.isEmpty && report.skipped.isEmpty) {
            // Say what was and was not written: the commits before the failure stay recorded.
            let recorded = (report.imported + report.skipped).map(\.number).sorted()
            let what: String
            if let e = error as? any StorageFailure {
                what = e.kind == .full ? "the disk is full" : e.kind == .readOnly ? "the database is read-only" : "the database failed (\(e.message))"
            } else {
                what = "\(error)"
            }
            throw RegistryError.io("The import stopped: \(what). \(recorded.count) revision(s) were recorded before it (\(recorded.first!)–\(recorded.last!)); the commits after them were not. Fix the cause and run fnreg import again: it goes on from there.")
        }
        if report.imported.isEmpty && report.skipped.isEmpty { report.noOp = "Nothing to import: another import recorded these commits." }
        return report
    }

    // MARK: - A plain directory

    private func importDirectory(_ request: ImportRequest) throws -> ImportReport {
        let root = request.path
        let fm = FileManager.default
        guard fm.fileExists(atPath: root + "/lambda_functions") || fm.fileExists(atPath: root + "/terraform/environments") else {
            throw RegistryError.notAConfigurationRepository(root)
        }
        var binding = try storage.binding()
        let hasCommits = try storage.latestCommittedRevision() != nil
        if binding?.kind == .git || (binding == nil && hasCommits) {
            throw RegistryError.refused("This registry records \(binding?.description ?? "git commits"); \(root) is a plain directory, not a git work tree. Use a registry of its own for it (--db).")
        }
        if binding == nil {
            binding = Binding(kind: .directory, sourcePath: realPath(root) ?? root, boundAt: Int64(Date().timeIntervalSince1970))
        }
        var report = ImportReport()
        report.binding = binding
        let source = WorkTreeSource(root: root)
        let tree = try source.scan()
        let digest = tree.digest
        // The same files as the latest revision (by path, kind and blob id): the same state.
        if let latest = try storage.latestRevision(), try storage.hasTreeDigest(digest, revision: latest.number) {
            report.noOp = "The directory equals revision \(latest.number); nothing to import."
            try bindIfNeeded(binding!)
            return report
        }
        let builder = StateBuilder(validator: validator(request), cache: BlobCache(reader: storage))
        let written = try WrittenState(reader: storage)
        builder.trust(written, validation: try storage.latestRevision()?.validation)
        try builder.update(to: tree, source: source)
        let now = Int64(Date().timeIntervalSince1970)
        let diagnostics = builder.diagnostics(lifecycleDay: request.today ?? ISOTime.day(now), pending: builder.allPairs, existing: written.functions)
        if !diagnostics.errors.isEmpty { throw RegistryError.invalidConfiguration(diagnostics) }
        report.warnings = diagnostics.warnings
        let meta = Meta(commit: nil, authorName: ProcessInfo.processInfo.environment["USER"], authorEmail: nil, committedAt: now,
                        message: "directory \(realPath(root) ?? root)", source: "worktree", validation: builder.validationMarker)
        if let revision = try write(builder.entries, candidates: nil, warnings: diagnostics.warnings, meta: meta, expected: nil, written: written,
                                    binding: binding!, cache: builder.cache, treeDigest: digest, onlyIfChanged: true) {
            report.imported.append(revision)
        } else {
            report.noOp = "The directory equals revision \(written.revision); nothing to import."
        }
        return report
    }

    // MARK: - Writing

    typealias Meta = ImportedRevision.Meta

    /// Commits `entries` as the next revision (with the binding, the first time); nil when another
    /// import already recorded this commit, or (`onlyIfChanged`) the state is the latest. `expected`:
    /// the commit the latest revision must name for this commit to follow it (git); only
    /// `candidates` can have changed since `written` (nil: any key). With `skipReason`, a skipped
    /// revision whose state is the previous one's.
    private func write(_ entries: [StateKey: Document], candidates: Set<StateKey>?, warnings: [Diagnostic], meta: Meta,
                       expected: String?, written: WrittenState, binding: Binding, cache: BlobCache? = nil, treeDigest: String? = nil,
                       onlyIfChanged: Bool = false, skipReason: String? = nil) throws -> Revision? {
        var imported = ImportedRevision(meta: meta, entries: entries, candidates: candidates, basisRevision: written.revision,
                                        basisHashes: written.hashes, basisDigest: written.digest, warnings: warnings, binding: binding,
                                        expectedLatestCommit: expected)
        imported.learnedBlobs = cache?.learnedDocuments ?? [:]
        imported.learnedListings = cache?.learnedListings ?? [:]
        imported.treeDigest = treeDigest
        imported.onlyIfChanged = onlyIfChanged
        imported.skipReason = skipReason
        let outcome: CommitOutcome
        do {
            outcome = try storage.commit(imported)
        } catch {
            try? written.reload(reader: storage)
            throw error
        }
        switch outcome {
        case .replan:
            try written.reload(reader: storage)
            throw Replan()
        case .unchanged:
            return nil
        case .written(let revision, let changes, let rebased):
            cache?.clearLearned()
            if rebased { try written.reload(reader: storage) } else { written.apply(changes, revision: revision.number) }
            return revision
        }
    }
}

/// What the registry holds at its latest revision, kept in step with the importer's writes.
final class WrittenState {
    var revision = 0
    var hashes: [StateKey: DocumentHash] = [:]
    var functions: Set<String> = []
    /// The digest of `hashes` (what the next revision's digest starts from).
    var digest = StateDigest()

    init(reader: any RegistryReader) throws { try reload(reader: reader) }

    func reload(reader: any RegistryReader) throws {
        guard let latest = try reader.latestRevision() else { revision = 0; hashes = [:]; functions = []; digest = StateDigest(); return }
        revision = latest.number
        hashes = try reader.stateHashes(at: latest.number)
        functions = Set(hashes.keys.filter { $0.kind == .base }.map(\.function))
        digest = StateDigest(hashes)
    }

    func apply(_ changes: [(StateKey, Document?)], revision: Int) {
        self.revision = revision
        for (key, document) in changes {
            digest.change(key, from: hashes[key], to: document?.hash)
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

/// An import stopped at an invalid commit (the commits before it stay recorded).
public struct HistoryError: Error, CustomStringConvertible {
    /// The invalid commit.
    public let commit: String
    /// Its subject line.
    public let subject: String
    /// What is wrong with it.
    public let diagnostics: [Diagnostic]
    /// How many commits before it were recorded.
    public let importedBefore: Int

    public var description: String {
        "Commit \(commit.prefix(12)) (\"\(subject.prefix(60))\") is invalid and was not recorded (\(importedBefore) earlier commits were); fix it, or record it as skipped with fnreg import --history --skip-invalid:\n"
            + diagnostics.errors.map(\.description).joined(separator: "\n")
    }
}

extension ImportedRevision.Meta {
    init(info: GitRepository.CommitInfo, source: String, rewriteOf: Int?, validation: String) {
        self.init(commit: info.id, authorName: info.authorName, authorEmail: info.authorEmail, committedAt: info.committedAt,
                  message: info.message, source: source, rewriteOf: rewriteOf, validation: validation)
    }
}
