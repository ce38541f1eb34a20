/// The storage seam: everything fnreg reads from and writes to a registry, and nothing more. The
/// query side (`Registry`, history, deployments, diffs) and the importer use only these two
/// protocols; `SQLiteStore` implements them with all of fnreg's SQL, and `StorageContractTests`
/// holds every behaviour a backend must have (a PostgreSQL backend plugs in here).
///
/// The split follows GRDB's readers and writers and litestream's replica clients: a reader answers
/// point-in-time questions (each call sees one consistent state), a writer commits one imported
/// revision per transaction, whole or not at all.
public protocol RegistryReader: AnyObject {
    /// Where the registry lives, for messages (a file path).
    var location: String { get }

    // MARK: Revisions

    /// The newest revision, nil before the first import.
    func latestRevision() throws -> Revision?
    /// Revision `number`, nil when there is none.
    func revision(_ number: Int) throws -> Revision?
    /// The newest revision recorded from `commit` (a branch reset backwards records a commit again).
    func revision(commit: String) throws -> Revision?
    /// The newest revision that names a commit.
    func latestCommittedRevision() throws -> Revision?
    /// Revisions in number order (newest first unless `newestFirst` is false), at most `limit`.
    func revisions(newestFirst: Bool, limit: Int?) throws -> [Revision]
    /// Revisions whose commit id starts with the lower-case hexadecimal `prefix`.
    func revisions(commitPrefix prefix: String) throws -> [Revision]
    /// The newest revision committed at or before `time` (seconds since 1970).
    func revision(committedAtOrBefore time: Int64) throws -> Revision?
    /// The earliest committer time of any revision.
    func earliestCommitTime() throws -> Int64?
    /// The numbers of revisions that changed `function`'s keys (with `environment`, also that
    /// environment's own keys), and of every skipped revision.
    func revisionsTouching(function: String, environment: String?) throws -> Set<Int>
    /// Whether files with `digest` (`SourceTree.digest`) are known to give revision `number`'s state.
    func hasTreeDigest(_ digest: String, revision number: Int) throws -> Bool
    /// What the registry records (nil before the first import).
    func binding() throws -> Binding?

    // MARK: State at a revision

    /// The hash of every key's document at `revision` (deleted keys omitted).
    func stateHashes(at revision: Int) throws -> [StateKey: DocumentHash]
    /// The documents of the keys visible to `environment` (every key with nil) plus the
    /// function-level keys at `revision`.
    func state(at revision: Int, environment: String?) throws -> [StateKey: String]
    /// The documents of one function's keys and its environment's keys at `revision`.
    func state(at revision: Int, environment: String, function: String) throws -> [StateKey: String]
    /// One kind of key's documents in one environment ("" for function-level keys) at `revision`, in
    /// function (code point) order.
    func keyStream(_ kind: StateKey.Kind, environment: String, revision: Int) throws -> any KeyDocumentStream
    /// Environments that exist at `revision`, sorted.
    func environments(at revision: Int) throws -> [String]
    /// Function names at `revision`, sorted.
    func functionNames(at revision: Int) throws -> [String]
    /// Every name a key of `kind` ever had (functions for `.base`, environments for `.environment`).
    func namesEver(_ kind: StateKey.Kind) throws -> [String]
    /// The first revision after `revision` at which `function` exists, when it does not exist at or
    /// before `revision`.
    func revisionAdding(function: String, after revision: Int) throws -> Int?
    /// The last revision at or before `revision` that removed `function`.
    func revisionRemoving(function: String, atOrBefore revision: Int) throws -> Int?

    // MARK: Changes and history

    /// The keys changed at `revision` with their new documents (nil: deleted), in key order.
    func changes(at revision: Int) throws -> [(StateKey, String?)]
    /// (kind, function) of every key of `environment` or of no environment changed in `(low, high]`.
    func changedKeys(environment: String, after low: Int, through high: Int) throws -> [(StateKey.Kind, String)]
    /// Every version of one key, oldest first: (revision, document or nil).
    func history(of key: StateKey) throws -> [(Int, String?)]
    /// The document `key` held just before `revision` (nil: none or deleted).
    func document(_ key: StateKey, before revision: Int) throws -> String?

    // MARK: Deployments

    /// Deployment `number`.
    func deployment(_ number: Int) throws -> Deployment?
    /// Deployments newest first, of one environment or all.
    func deployments(environment: String?) throws -> [Deployment]

    // MARK: What imports learned

    /// The stored documents of git blobs seen before, by blob id.
    func documents(blobs: [String]) throws -> [String: Document]
    /// The code hashes of file listings seen before, by listing.
    func codeHashes(listings: [String]) throws -> [String: String]
    /// Every (blob id, document hash) the importer learned, in blob order.
    func blobCacheRows() throws -> [(blob: String, document: DocumentHash)]

    // MARK: Maintenance

    /// What is wrong with the stored data (empty: nothing): integrity, documents against their
    /// hashes, revision digests, deployments, migrations.
    func verify() throws -> [String]
    /// Writes a consistent copy to `path` while others may be writing.
    func backup(to path: String) throws
    /// Whether the registry could only be opened as an immutable read (read-only media, a full disk).
    var isImmutableRead: Bool { get }
}

/// Rows (function, document) of one kind of key in function order, read one ahead for merge joins.
public protocol KeyDocumentStream: AnyObject {
    /// The next row, nil at the end.
    func next() throws -> (String, [UInt8])?
    /// The document of `function`'s row, skipping rows of functions ordered before it; nil when it has none.
    func take(_ function: String) throws -> [UInt8]?
}

/// Writing a registry: one imported revision per transaction, a binding, a deployment.
public protocol RegistryWriter: RegistryReader {
    /// Writes `revision` whole or not at all, in one transaction: the revision, its versions, the
    /// binding (the first time), what the importer learned about blobs and listings, and the tree
    /// digest.
    func commit(_ revision: ImportedRevision) throws -> CommitOutcome
    /// Stores the binding unless one exists (the first import of an empty history).
    func bindIfUnbound(_ binding: Binding) throws
    /// Records a deployment durably and returns it; `created` is false when the environment's latest
    /// deployment has the same snapshot already (nothing is written then).
    func recordDeployment(_ deployment: NewDeployment) throws -> (Deployment, created: Bool)
    /// Lets the write-ahead log fold into the database file when nobody reads (after an import).
    func checkpointWhenIdle()
}

/// Everything one imported revision writes.
public struct ImportedRevision {
    /// What the revision records about its source.
    public struct Meta: Sendable {
        /// The commit, nil for a plain directory.
        public var commit: String?
        /// The commit's author.
        public var authorName: String?
        /// The author's email.
        public var authorEmail: String?
        /// The committer time (seconds since 1970).
        public var committedAt: Int64
        /// The commit message.
        public var message: String
        /// `commit` (history, `--commit`) or `worktree`.
        public var source: String
        /// The revision a rewrite of the branch replaces (`--accept-rewrite`).
        public var rewriteOf: Int?
        /// The rules and allow-list the state was validated under.
        public var validation: String?

        /// What a revision records about its source.
        public init(commit: String?, authorName: String?, authorEmail: String?, committedAt: Int64, message: String, source: String,
                    rewriteOf: Int? = nil, validation: String? = nil) {
            self.commit = commit
            self.authorName = authorName
            self.authorEmail = authorEmail
            self.committedAt = committedAt
            self.message = message
            self.source = source
            self.rewriteOf = rewriteOf
            self.validation = validation
        }
    }

    /// The source of the revision.
    public var meta: Meta
    /// The complete state of the new revision.
    public var entries: [StateKey: Document]
    /// The only keys that can differ from the basis (nil: any key).
    public var candidates: Set<StateKey>?
    /// What the importer believes the latest revision holds: its number, hashes and digest. The
    /// writer checks the number and, when another process wrote meanwhile, diffs against what is
    /// stored instead.
    public var basisRevision: Int
    /// The hashes of the latest revision's keys, as the importer read them.
    public var basisHashes: [StateKey: DocumentHash]
    var basisDigest: StateDigest
    /// Warnings of the revision (stored with it).
    public var warnings: [Diagnostic]
    /// The source the registry must be bound to.
    public var binding: Binding
    /// The commit the latest revision must name for this one to follow it (git), nil otherwise.
    public var expectedLatestCommit: String?
    /// Blob ids and listings the importer learned (saved with the revision).
    public var learnedBlobs: [String: DocumentHash] = [:]
    /// Listings of code files the importer hashed, with their code_hash.
    public var learnedListings: [String: String] = [:]
    /// The digest of the files this revision was read from.
    public var treeDigest: String?
    /// Write nothing when the state equals the latest (only note the tree digest).
    public var onlyIfChanged = false
    /// Record a skipped revision whose state is the previous one's.
    public var skipReason: String?

    /// The changes against `hashes`, in key order: only `keys` can differ (nil: any key).
    public func changes(against hashes: [StateKey: DocumentHash], keys: Set<StateKey>?) -> [(StateKey, Document?)] {
        let all = keys ?? Set(entries.keys).union(hashes.keys)
        return all.filter { entries[$0]?.hash != hashes[$0] }.sorted().map { ($0, entries[$0]) }
    }

    /// Whether `current` (the stored binding) is the source this revision comes from.
    public func sameSource(as current: Binding) -> Bool {
        current == binding || (current.kind == binding.kind && current.rootCommit == binding.rootCommit
                               && current.branch == binding.branch && current.prefix == binding.prefix)
    }

    /// The warnings as stored (canonical JSON), nil without any.
    public var warningsText: String? { warnings.isEmpty ? nil : JSONWriter.canonical(.array(warnings.map(\.json))) }
}

/// What committing an imported revision did.
public enum CommitOutcome {
    /// The revision was written with these changes; `rebased`: another process had written since
    /// the basis, so they were computed against the stored state.
    case written(Revision, changes: [(StateKey, Document?)], rebased: Bool)
    /// Another import recorded this commit already, or (with `onlyIfChanged`) the state was the latest.
    case unchanged
    /// The branch moved under the import: the latest revision no longer names the commit the plan
    /// followed. Plan again.
    case replan
}

/// A deployment to record.
public struct NewDeployment: Sendable {
    /// The environment deployed.
    public var environment: String
    /// The revision it runs.
    public var revision: Int
    /// The snapshot's hash.
    public var snapshotHash: String
    /// Seconds since 1970.
    public var deployedAt: Int64
    /// Who deployed.
    public var deployedBy: String
    /// A note.
    public var note: String?
    /// The deployment a rollback restores (nil: a deploy).
    public var restores: Int?

    /// A deployment to record.
    public init(environment: String, revision: Int, snapshotHash: String, deployedAt: Int64, deployedBy: String, note: String?, restores: Int?) {
        self.environment = environment
        self.revision = revision
        self.snapshotHash = snapshotHash
        self.deployedAt = deployedAt
        self.deployedBy = deployedBy
        self.note = note
        self.restores = restores
    }
}

/// The kinds of storage failure fnreg tells apart, mapped once from each backend's own codes.
public enum StorageFailureKind: Sendable, Equatable {
    /// Another writer held the registry longer than the busy timeout.
    case busy
    /// The registry cannot be written (file mode, read-only media).
    case readOnly
    /// The disk is full.
    case full
    /// The file is not a registry database.
    case notADatabase
    /// The data is damaged.
    case corrupt
    /// Anything else.
    case other
}

/// A storage backend's error, as fnreg's commands report it.
public protocol StorageFailure: Error, CustomStringConvertible {
    var kind: StorageFailureKind { get }
    var message: String { get }
}
