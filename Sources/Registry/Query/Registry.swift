import Foundation

/// The query side of fnreg: points in history, snapshots, functions and environments at a revision.
public final class Registry {
    /// Where the record is kept (the storage seam: only `RegistryReader` and `RegistryWriter`).
    let storage: any RegistryWriter
    /// The repository the registry records, when it is at hand: git revisions as points, and the
    /// work tree as the `worktree` point.
    public let workspace: Workspace?
    /// The day runtime lifecycle rules are judged at for the work tree (default: today).
    public var today: String?

    init(storage: any RegistryWriter, workspace: Workspace? = nil) {
        self.storage = storage
        self.workspace = workspace
    }

    /// How a command opens the registry.
    public enum OpenMode: Sendable {
        /// Read only: nothing is created; a missing database is an error that names the path.
        case read
        /// Read and write, creating the database (in an existing directory, or in a new one of mode
        /// 0700 with `createDirectory`) at the first import.
        case write(createDirectory: Bool)
        /// Read and write an existing database (deployments: never a new, empty record).
        case writeExisting
    }

    /// Opens the registry kept in the SQLite file at `databasePath`.
    public static func open(databasePath: String, mode: OpenMode = .read, workspace: Workspace? = nil) throws -> Registry {
        let store: SQLiteStore
        switch mode {
        case .read: store = try SQLiteStore(path: databasePath, readOnly: true)
        case .write(let createDirectory): store = try SQLiteStore(path: databasePath, createDirectory: createDirectory)
        case .writeExisting: store = try SQLiteStore(path: databasePath, mustExist: true)
        }
        return Registry(storage: store, workspace: workspace)
    }

    /// Opens the database for reading; a missing database is an error that names the path.
    public convenience init(databasePath: String, workspace: Workspace? = nil) throws {
        self.init(storage: try SQLiteStore(path: databasePath, readOnly: true), workspace: workspace)
    }

    /// Where the registry is kept (a file path), for messages.
    public var location: String { storage.location }

    /// The newest revision, nil before the first import.
    public func latestRevision() throws -> Revision? { try storage.latestRevision() }

    /// Revision `number`, nil when there is none.
    public func revision(_ number: Int) throws -> Revision? { try storage.revision(number) }

    /// What the registry records (nil before the first import).
    public func binding() throws -> Binding? { try storage.binding() }

    /// Revisions in number order (newest first unless `newestFirst` is false), at most `limit`.
    public func revisions(newestFirst: Bool = true, limit: Int? = nil) throws -> [Revision] {
        try storage.revisions(newestFirst: newestFirst, limit: limit)
    }

    /// Whether the registry could only be opened as an immutable read (read-only media, a full disk).
    public var isImmutableRead: Bool { storage.isImmutableRead }

    /// Writes a consistent copy of the registry to `path` (a new file) while others may be writing.
    public func backup(to path: String) throws { try storage.backup(to: path) }

    /// Moves the record forward as `request` says (see `ImportRequest`).
    public func importChanges(_ request: ImportRequest) throws -> ImportReport {
        try Importer(storage: storage).run(request)
    }

    // MARK: - Points

    /// What a point names: a recorded revision, or the work tree.
    public enum Target {
        case revision(Revision)
        case worktree
    }

    /// The revision `point` names (the work tree is refused: use `target`); `environment` is needed
    /// for `deployed:T` and checks `deploy:N`.
    public func resolve(_ pointText: String?, environment: String? = nil) throws -> Revision {
        switch try target(pointText, environment: environment) {
        case .revision(let r): return r
        case .worktree:
            throw RegistryError.usage("worktree is a preview of the files, not a recorded revision; this command needs a revision (HEAD, rev:N, a commit, a date, deploy:N).")
        }
    }

    /// What `point` names; `environment` is needed for `deployed:T` and checks `deploy:N`.
    public func target(_ pointText: String?, environment: String? = nil) throws -> Target {
        let point = try Point.parse(pointText)
        let text = pointText ?? "HEAD"
        if point == .worktree { return .worktree }
        guard let latest = try storage.latestRevision() else { throw RegistryError.noRevisions }
        func unknown(_ reason: String, _ candidates: [String]) -> RegistryError { .unknownPoint(text, reason: reason, candidates: candidates) }
        switch point {
        case .worktree:
            return .worktree
        case .head(let back):
            guard back < latest.number, let r = try storage.revision(latest.number - back) else {
                throw unknown("there are only \(latest.number) revisions", ["HEAD~0 … HEAD~\(latest.number - 1)"])
            }
            return .revision(r)
        case .revision(let n):
            guard let r = try storage.revision(n) else { throw unknown("no revision \(n)", ["rev:1 … rev:\(latest.number)"]) }
            return .revision(r)
        case .commit(let prefix):
            // A commit recorded twice (a branch reset backwards) names its newest revision.
            var byCommit: [String: Revision] = [:]
            for r in try storage.revisions(commitPrefix: prefix) { byCommit[r.commit!] = r }
            if byCommit.count == 1 { return .revision(byCommit.first!.value) }
            if byCommit.isEmpty {
                if let git = workspace?.git, let id = try git.resolve(prefix), id.hasPrefix(prefix) {
                    throw unknown("commit \(id.prefix(12)) is not recorded: \(try whyUnrecorded(id, git: git))", [])
                }
                let recent = try storage.revisions(newestFirst: true, limit: 10).compactMap { r in r.commit.map { "\($0.prefix(12)) (rev \(r.number))" } }
                throw unknown("no recorded commit starts with \(prefix)", recent)
            }
            throw unknown("\(byCommit.count) recorded commits start with \(prefix)",
                          byCommit.values.sorted { $0.number < $1.number }.map { "\($0.commit!.prefix(16)) (rev \($0.number))" })
        case .time(let t):
            guard let r = try storage.revision(committedAtOrBefore: t) else {
                let first = try storage.earliestCommitTime()
                throw unknown("no revision was committed at or before \(ISOTime.format(t))", first.map { ["time:\(ISOTime.format($0)) (the earliest)"] } ?? [])
            }
            return .revision(r)
        case .deployment(let n):
            guard let d = try storage.deployment(n) else {
                let all = try deployments(environment: environment).prefix(10).map { "deploy:\($0.number) (\($0.environment))" }
                throw unknown("no deployment \(n)", Array(all))
            }
            if let environment, d.environment != environment {
                let own = try deployments(environment: environment).prefix(10).map { "deploy:\($0.number)" }
                throw unknown("deployment \(n) was a deployment of \(d.environment), not of \(environment)", own)
            }
            return .revision(try storage.revision(d.revision)!)
        case .deployed(let t):
            guard let environment else { throw unknown("deployed:T needs an environment (ENV@deployed:T or --env)", []) }
            guard let d = try deployments(environment: environment).first(where: { $0.deployedAt <= t }) else {
                let all = try deployments(environment: environment).prefix(10).map { "deployed:\(ISOTime.format($0.deployedAt))" }
                throw unknown("nothing was deployed to \(environment) at or before \(ISOTime.format(t))", Array(all))
            }
            return .revision(try storage.revision(d.revision)!)
        case .git(let ref):
            guard let git = workspace?.git else {
                throw unknown("not a point in history (HEAD, HEAD~N, rev:N, N, commit:SHA, a date, time:T, deploy:N, deployed:T, worktree), and there is no git repository here to resolve it in", [])
            }
            guard let id = try git.resolve(ref) else {
                let branches = closestMatches(ref, in: try git.localAndRemoteBranches())
                throw unknown("it is neither a point in history nor a git revision of the repository", branches)
            }
            if let r = try storage.revision(commit: id) { return .revision(r) }
            throw unknown("\(ref) is commit \(id.prefix(12)), which is not recorded: \(try whyUnrecorded(id, git: git))", [])
        }
    }

    /// Why a commit of the repository has no revision: not imported yet, or not on the branch.
    func whyUnrecorded(_ commit: String, git: GitRepository) throws -> String {
        guard let binding = try storage.binding(), binding.kind == .git, let branch = binding.branch,
              let tip = try git.branchTip(branch) else { return "not imported yet: run fnreg import" }
        if try git.isOnFirstParentHistory(commit, of: tip) { return "not imported yet: run fnreg import" }
        return try Importer(storage: storage).explainOffBranch(commit, branch: branch, tip: tip, git: git)
    }

    /// The work tree's state (read and validated once per registry object).
    private var worktreeState: WorkTreeState?

    func workTree() throws -> WorkTreeState {
        if let worktreeState { return worktreeState }
        guard let root = workspace?.root else {
            throw RegistryError.usage("worktree needs a configuration repository here; run fnreg inside one.")
        }
        let existing = try storage.latestRevision().map { Set(try functionNames(at: $0.number)) }
        let state = try WorkTreeState.read(root: root, today: today ?? ISOTime.day(Int64(Date().timeIntervalSince1970)), existing: existing)
        if !state.diagnostics.errors.isEmpty { throw RegistryError.invalidConfiguration(state.diagnostics) }
        worktreeState = state
        return state
    }

    // MARK: - Snapshots

    /// Environments that exist at `revision`.
    public func environments(at revision: Int) throws -> [String] {
        try storage.environments(at: revision)
    }

    /// The snapshot of `environment` at `point` (a revision, or the work tree).
    public func snapshot(environment: String, at point: String?) throws -> Snapshot {
        try snapshots(environments: [environment], at: point)[0]
    }

    /// Snapshots of several environments at one point (a revision, or the work tree).
    public func snapshots(environments: [String], at point: String?) throws -> [Snapshot] {
        switch try target(point, environment: environments.count == 1 ? environments[0] : nil) {
        case .revision(let r): return try snapshots(environments: environments, revision: r)
        case .worktree: return try worktreeSnapshots(environments: environments)
        }
    }

    /// Environments that exist at `point`.
    public func environments(at point: String?) throws -> [String] {
        switch try target(point) {
        case .revision(let r): return try environments(at: r.number)
        case .worktree: return try workTree().entries.keys.filter { $0.kind == .environment }.map(\.environment).sorted(by: codePointLess)
        }
    }

    /// Snapshots of the work tree, never stored: the same layering over the documents it holds.
    func worktreeSnapshots(environments: [String]) throws -> [Snapshot] {
        let revision = Revision.preview(at: Int64(Date().timeIntervalSince1970))
        var members = Array(repeating: [(name: String, canonical: [UInt8])](), count: environments.count)
        try forEachWorktreeFunction(environments: environments) { function, canonicals in
            for i in environments.indices { members[i].append((function, canonicals[i])) }
        }
        return environments.indices.map { Snapshot(environment: environments[$0], revision: revision, canonicalMembers: members[$0]) }
    }

    private func forEachWorktreeFunction(environments: [String], _ body: (String, [[UInt8]]) throws -> Void) throws {
        let entries = try workTree().entries
        let known = entries.keys.filter { $0.kind == .environment }.map(\.environment).sorted(by: codePointLess)
        var patches: [PreparedPatch?] = []
        for environment in environments {
            guard entries[StateKey(.environment, environment: environment)] != nil else {
                throw RegistryError.unknownEnvironment(environment, known: known)
            }
            patches.append(try Self.patch(entries[StateKey(.envpatch, environment: environment)].map { Array($0.body.utf8) }).map(PreparedPatch.init))
        }
        let bases = entries.filter { $0.key.kind == .base }.sorted { codePointLess($0.key.function, $1.key.function) }
        for (key, base) in bases {
            let code = try entries[StateKey(.code, function: key.function)].map { try JSONParser.parse($0.body).stringValue } ?? nil
            let bytes = Array(base.body.utf8)
            let scanned = CanonicalSplice.memberRanges(bytes)
            let canonicals = try environments.indices.map { i in
                let override = try Self.patch(entries[StateKey(.override, environment: environments[i], function: key.function)].map { Array($0.body.utf8) })
                    .map(PreparedPatch.init)
                return try CanonicalSplice.effective(base: bytes, members: scanned, environmentPatch: patches[i], override: override, codeHash: code)
            }
            try body(key.function, canonicals)
        }
    }

    /// The snapshot of `environment` at a revision.
    public func snapshot(environment: String, revision: Revision) throws -> Snapshot {
        try snapshots(environments: [environment], revision: revision)[0]
    }

    /// Snapshots of several environments at one revision, sharing one read of the base documents
    /// (what `diff staging prod`, `parity` and `query` need).
    public func snapshots(environments: [String], revision: Revision) throws -> [Snapshot] {
        var members = Array(repeating: [(name: String, canonical: [UInt8])](), count: environments.count)
        try forEachFunction(environments: environments, revision: revision) { function, canonicals in
            for i in environments.indices { members[i].append((function, canonicals[i])) }
        }
        return environments.indices.map { Snapshot(environment: environments[$0], revision: revision, canonicalMembers: members[$0]) }
    }

    /// Each function's effective configuration (canonical JSON, with `code_hash`) in every one of
    /// `environments` at `revision`, function by function in name order: memory for one function at
    /// a time, whatever the number of environments (what `parity` over many environments needs).
    public func forEachFunction(environments: [String], revision: Revision, _ body: (String, [[UInt8]]) throws -> Void) throws {
        if revision.isPreview { return try forEachWorktreeFunction(environments: environments, body) }
        var patches: [PreparedPatch?] = []
        for environment in environments {
            let env = try storage.state(at: revision.number, environment: environment, function: "")
            guard env[StateKey(.environment, environment: environment)] != nil else {
                throw RegistryError.unknownEnvironment(environment, known: try self.environments(at: revision.number))
            }
            patches.append(try Self.patch(env[StateKey(.envpatch, environment: environment)].map { Array($0.utf8) }).map(PreparedPatch.init))
        }
        // Every function's base and code hash, and each environment's overrides: one stream per kind of
        // key, each in function (code point) order, merge-joined here.
        func stream(_ kind: StateKey.Kind, _ environment: String) throws -> any KeyDocumentStream {
            try storage.keyStream(kind, environment: environment, revision: revision.number)
        }
        let bases = try stream(.base, ""), codes = try stream(.code, "")
        let overrides = try environments.map { try stream(.override, $0) }
        var canonicals = [[UInt8]](repeating: [], count: environments.count)
        while let (function, base) = try bases.next() {
            let code = try codes.take(function).map { try JSONParser.parse($0).stringValue } ?? nil
            let scanned = CanonicalSplice.memberRanges(base)
            for i in environments.indices {
                let override = try Self.patch(try overrides[i].take(function)).map(PreparedPatch.init)
                canonicals[i] = try CanonicalSplice.effective(base: base, members: scanned, environmentPatch: patches[i], override: override, codeHash: code)
            }
            try body(function, canonicals)
        }
    }

    private static func patch(_ bytes: [UInt8]?) throws -> JSONObject? {
        guard let bytes else { return nil }
        return LayerStack.patchObject(try JSONParser.parse(bytes))
    }

    /// One function's effective configuration (with `code_hash`) in `environment` at `revision`, or nil
    /// when the function does not exist there; throws when the environment does not exist.
    public func effectiveConfiguration(function: String, environment: String, revision: Revision) throws -> JSONValue? {
        if revision.isPreview { return try worktreeSnapshots(environments: [environment])[0].value(of: function) }
        let state = try storage.state(at: revision.number, environment: environment, function: function)
        guard state[StateKey(.environment, environment: environment)] != nil else {
            throw RegistryError.unknownEnvironment(environment, known: try environments(at: revision.number))
        }
        guard let body = state[StateKey(.base, function: function)] else { return nil }
        let envPatch = try state[StateKey(.envpatch, environment: environment)].map { try JSONParser.parse($0) }
        let override = try state[StateKey(.override, environment: environment, function: function)].map { try JSONParser.parse($0) }
        var effective = LayerStack(base: try JSONParser.parse(body), environmentPatch: envPatch, override: override).effective().objectValue ?? JSONObject()
        if let code = state[StateKey(.code, function: function)] { effective["code_hash"] = try JSONParser.parse(code) }
        return .object(effective)
    }

    /// Function names at `revision`.
    public func functionNames(at revision: Int) throws -> [String] {
        try storage.functionNames(at: revision)
    }

    /// Base configurations (function.json as imported) at `revision`, with their directories.
    public func baseFunctions(at revision: Int) throws -> [(name: String, path: String, config: JSONValue, codeHash: String?)] {
        let state = try storage.state(at: revision, environment: "")
        return try state.filter { $0.key.kind == .base }.map { key, body in
            (key.function,
             (try? JSONParser.parse(state[StateKey(.path, function: key.function)] ?? "\"\"").stringValue ?? "") ?? "",
             FunctionSchema.fillDefaults(FunctionSchema.normalizedBase(try JSONParser.parse(body))),
             try? JSONParser.parse(state[StateKey(.code, function: key.function)] ?? "null").stringValue)
        }.sorted { codePointLess($0.name, $1.name) }
    }

    // MARK: - Deployments

    /// Deployments newest first, of one environment or all.
    public func deployments(environment: String? = nil) throws -> [Deployment] {
        try storage.deployments(environment: environment)
    }
}

extension Registry {
    /// Base configurations of the work tree (defaults filled), with their directories.
    public func worktreeBaseFunctions() throws -> [(name: String, path: String, config: JSONValue)] {
        let entries = try workTree().entries
        return try entries.filter { $0.key.kind == .base }.map { key, document in
            (key.function, ((try? entries[StateKey(.path, function: key.function)].map { try JSONParser.parse($0.body).stringValue ?? "" }) ?? nil) ?? "",
             FunctionSchema.fillDefaults(FunctionSchema.normalizedBase(try document.value())))
        }.sorted { codePointLess($0.name, $1.name) }
    }

    /// The error for a function that is not in a snapshot: when it exists at another revision, say
    /// when it was added or removed; otherwise list the closest known names.
    public func missingFunction(_ name: String, environment: String?, revision: Revision) throws -> RegistryError {
        if !revision.isPreview {
            let where_ = environment.map { " in \($0)" } ?? ""
            if let added = try storage.revisionAdding(function: name, after: revision.number) {
                return .refused("Function \"\(name)\" does not exist\(where_) at revision \(revision.number): it was added in revision \(added).")
            }
            if let removed = try storage.revisionRemoving(function: name, atOrBefore: revision.number) {
                return .refused("Function \"\(name)\" does not exist\(where_) at revision \(revision.number): it was removed in revision \(removed).")
            }
            return .unknownFunction(name, known: try functionNames(at: revision.number))
        }
        return .unknownFunction(name, known: try worktreeBaseFunctions().map(\.name))
    }
}
