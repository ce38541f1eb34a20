import Foundation
import Testing
@testable import Registry

/// Every behaviour a storage backend must have, written against `RegistryWriter` only: a backend
/// (today SQLiteStore; a PostgreSQL one next) passes when it is added to `backends`.
@Suite("Storage contract")
struct StorageContractTests {
    struct Backend: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable (String) throws -> any RegistryWriter
        var testDescription: String { name }
    }

    static let backends: [Backend] = [
        Backend(name: "SQLite file", make: { directory in try SQLiteStore(path: directory + "/registry.sqlite3") }),
    ]

    /// A fresh backend in a scratch directory (removed by the caller).
    func open(_ backend: Backend) throws -> (any RegistryWriter, String) {
        let directory = NSTemporaryDirectory() + "fnreg-contract-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try backend.make(directory), directory)
    }

    static let binding = Binding(kind: .git, rootCommit: String(repeating: "a", count: 40), branch: "main", boundAt: 1_760_000_000)
    static func commitID(_ n: Int) -> String { String(format: "%02x", n) + String(repeating: "c", count: 38) }

    func revision(_ storage: any RegistryWriter, commit n: Int?, at time: Int64, entries: [StateKey: Document], basis: WrittenState,
                  candidates: Set<StateKey>? = nil, expected: String?? = .none, binding: Binding = StorageContractTests.binding) -> ImportedRevision {
        let meta = ImportedRevision.Meta(commit: n.map(Self.commitID), authorName: "A", authorEmail: "a@example.com", committedAt: time,
                                         message: "commit \(n ?? 0)", source: "commit", validation: "rules test")
        let previous = (try? storage.latestCommittedRevision())??.commit
        return ImportedRevision(meta: meta, entries: entries, candidates: candidates, basisRevision: basis.revision, basisHashes: basis.hashes,
                                basisDigest: basis.digest, warnings: [], binding: binding,
                                expectedLatestCommit: expected ?? previous)
    }

    func written(_ outcome: CommitOutcome) -> Revision? {
        if case .written(let r, _, _) = outcome { return r }
        return nil
    }

    static let base = StateKey(.base, function: "f"), other = StateKey(.base, function: "g"), code = StateKey(.code, function: "f")
    static let env = StateKey(.environment, environment: "dev"), patch = StateKey(.envpatch, environment: "dev")
    static let override = StateKey(.override, environment: "dev", function: "f")
    static func doc(_ v: JSONValue) -> Document { Document(v) }

    @Test(arguments: backends)
    func anEmptyRegistry(_ backend: Backend) throws {
        let (storage, directory) = try open(backend)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try storage.latestRevision() == nil)
        #expect(try storage.binding() == nil)
        #expect(try storage.revisions(newestFirst: true, limit: nil).isEmpty)
        #expect(try storage.stateHashes(at: 0).isEmpty)
        #expect(try storage.deployments(environment: nil).isEmpty)
        #expect(try storage.verify().isEmpty)
        #expect(try storage.earliestCommitTime() == nil)
    }

    @Test(arguments: backends)
    func revisionsAndStateAtEveryRevision(_ backend: Backend) throws {
        let (storage, directory) = try open(backend)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let basis = try WrittenState(reader: storage)
        let first: [StateKey: Document] = [Self.base: Self.doc(["name": "f", "timeout": 3]), Self.other: Self.doc(["name": "g"]),
                                           Self.code: Self.doc("sha256:1"), Self.env: Self.doc(true), Self.patch: Self.doc(["timeout": 9])]
        let r1 = try #require(written(try storage.commit(revision(storage, commit: 1, at: 100, entries: first, basis: basis))))
        #expect(r1.number == 1 && r1.commit == Self.commitID(1) && r1.validation == "rules test")
        #expect(try storage.binding() == Self.binding)
        try basis.reload(reader: storage)
        var second = first
        second[Self.other] = nil
        second[Self.base] = Self.doc(["name": "f", "timeout": 5])
        second[Self.override] = Self.doc(["memory_size": 256])
        let r2 = try #require(written(try storage.commit(revision(storage, commit: 2, at: 200, entries: second, basis: basis))))
        #expect(r2.number == 2)
        // The state at each revision, whole and per function.
        #expect(try storage.stateHashes(at: 1) == first.mapValues(\.hash))
        #expect(try storage.stateHashes(at: 2) == second.mapValues(\.hash))
        #expect(try storage.state(at: 1, environment: "dev")[Self.other] == Self.doc(["name": "g"]).body)
        #expect(try storage.state(at: 2, environment: "dev", function: "f")[Self.override] == Self.doc(["memory_size": 256]).body)
        #expect(try storage.functionNames(at: 1) == ["f", "g"] && storage.functionNames(at: 2) == ["f"])
        #expect(try storage.environments(at: 2) == ["dev"] && storage.namesEver(.base) == ["f", "g"] && storage.namesEver(.environment) == ["dev"])
        // Streams in function order; take skips what is not asked for.
        let stream = try storage.keyStream(.base, environment: "", revision: 1)
        #expect(try stream.next()?.0 == "f")
        #expect(try stream.take("g").map { String(decoding: $0, as: UTF8.self) } == Self.doc(["name": "g"]).body)
        #expect(try stream.next() == nil)
        // Changes and history.
        #expect(try storage.changes(at: 2).map(\.0) == [Self.base, Self.other, Self.override].sorted())
        #expect(try storage.changes(at: 2).first { $0.0 == Self.other }?.1 == nil, "a deletion")
        #expect(try storage.history(of: Self.base).map(\.0) == [1, 2])
        #expect(try storage.document(Self.base, before: 2) == Self.doc(["name": "f", "timeout": 3]).body)
        #expect(try storage.revisionRemoving(function: "g", atOrBefore: 2) == 2)
        #expect(try storage.revisionAdding(function: "g", after: 0) == 1)
        #expect(try storage.revisionAdding(function: "f", after: 1) == nil)
        #expect(try Set(storage.changedKeys(environment: "dev", after: 1, through: 2).map(\.1)) == ["f", "g"])
        #expect(try storage.revisionsTouching(function: "g", environment: nil) == [1, 2])
        // Lookups by commit, prefix and time.
        #expect(try storage.revision(commit: Self.commitID(1))?.number == 1)
        #expect(try storage.revisions(commitPrefix: "02").map(\.number) == [2])
        #expect(try storage.revision(committedAtOrBefore: 150)?.number == 1)
        #expect(try storage.revision(committedAtOrBefore: 99) == nil)
        #expect(try storage.earliestCommitTime() == 100)
        #expect(try storage.latestCommittedRevision()?.number == 2)
        #expect(try storage.revisions(newestFirst: false, limit: 1).map(\.number) == [1])
        #expect(try storage.verify().isEmpty)
    }

    @Test(arguments: backends)
    func commitsFollowTheBranchAndNeverLie(_ backend: Backend) throws {
        let (storage, directory) = try open(backend)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let basis = try WrittenState(reader: storage)
        let state: [StateKey: Document] = [Self.base: Self.doc(["name": "f"])]
        _ = try storage.commit(revision(storage, commit: 1, at: 100, entries: state, basis: basis))
        // The same commit again is recorded already.
        let again = try storage.commit(revision(storage, commit: 1, at: 100, entries: state, basis: basis, expected: .some(nil)))
        guard case .unchanged = again else { Issue.record("recorded twice: \(again)"); return }
        // A commit planned after another one than the latest: plan again.
        let stale = try storage.commit(revision(storage, commit: 3, at: 300, entries: state, basis: basis, expected: .some(Self.commitID(7))))
        guard case .replan = stale else { Issue.record("not replanned: \(stale)"); return }
        // A basis older than the latest revision: the changes are computed against what is stored.
        let next: [StateKey: Document] = [Self.base: Self.doc(["name": "f", "timeout": 7])]
        let outcome = try storage.commit(revision(storage, commit: 2, at: 200, entries: next, basis: basis, candidates: []))
        guard case .written(let r, let changes, let rebased) = outcome else { Issue.record("not written"); return }
        #expect(r.number == 2 && rebased && changes.map(\.0) == [Self.base], "\(changes)")
        // Another source is refused and writes nothing.
        try basis.reload(reader: storage)
        let elsewhere = Binding(kind: .git, rootCommit: String(repeating: "b", count: 40), branch: "main", boundAt: 1)
        #expect(throws: RegistryError.self) { _ = try storage.commit(revision(storage, commit: 3, at: 300, entries: next, basis: basis, binding: elsewhere)) }
        #expect(try storage.latestRevision()?.number == 2)
    }

    @Test(arguments: backends)
    func skippedRevisionsDigestsAndWhatImportsLearned(_ backend: Backend) throws {
        let (storage, directory) = try open(backend)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let basis = try WrittenState(reader: storage)
        let state: [StateKey: Document] = [Self.base: Self.doc(["name": "f"])]
        var first = revision(storage, commit: 1, at: 100, entries: state, basis: basis)
        first.learnedBlobs = ["blob1": state[Self.base]!.hash, "blob-of-nothing": Self.doc(["other": 1]).hash]
        first.learnedListings = ["listing1": "sha256:code"]
        first.treeDigest = "digest1"
        _ = try storage.commit(first)
        #expect(try storage.documents(blobs: ["blob1", "blob-of-nothing", "unknown"]).mapValues(\.body) == ["blob1": state[Self.base]!.body],
                "only blobs of stored documents are remembered")
        #expect(try storage.codeHashes(listings: ["listing1", "x"]) == ["listing1": "sha256:code"])
        #expect(try storage.blobCacheRows().map(\.blob) == ["blob1"])
        #expect(try storage.hasTreeDigest("digest1", revision: 1))
        #expect(try !storage.hasTreeDigest("digest1", revision: 2))
        try basis.reload(reader: storage)
        // The same state with onlyIfChanged: nothing written, the digest noted.
        var same = revision(storage, commit: nil, at: 150, entries: state, basis: basis)
        same.onlyIfChanged = true
        same.treeDigest = "digest2"
        guard case .unchanged = try storage.commit(same) else { Issue.record("wrote an unchanged state"); return }
        #expect(try storage.hasTreeDigest("digest2", revision: 1))
        // A skipped revision keeps the state.
        var skipped = revision(storage, commit: 2, at: 200, entries: [:], basis: basis)
        skipped.skipReason = "FN-TIMEOUT-RANGE"
        let r = try #require(written(try storage.commit(skipped)))
        #expect(r.skipped && r.skipReason == "FN-TIMEOUT-RANGE")
        #expect(try storage.stateHashes(at: 2) == state.mapValues(\.hash))
        #expect(try storage.revisionsTouching(function: "nobody", environment: nil) == [2])
        #expect(try storage.verify().isEmpty)
    }

    @Test(arguments: backends)
    func deploymentsAndBackups(_ backend: Backend) throws {
        let (storage, directory) = try open(backend)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let basis = try WrittenState(reader: storage)
        _ = try storage.commit(revision(storage, commit: 1, at: 100, entries: [Self.base: Self.doc(["name": "f"])], basis: basis))
        let (d1, created) = try storage.recordDeployment(NewDeployment(environment: "dev", revision: 1, snapshotHash: "sha256:s1",
                                                                        deployedAt: 1000, deployedBy: "ci", note: "build 1", restores: nil))
        #expect(created && d1.number == 1 && d1.kind == "deploy" && d1.deployedAt == 1000)
        let (same, again) = try storage.recordDeployment(NewDeployment(environment: "dev", revision: 1, snapshotHash: "sha256:s1",
                                                                       deployedAt: 2000, deployedBy: "ci", note: nil, restores: nil))
        #expect(!again && same.number == 1, "the same snapshot is recorded once")
        let (rollback, _) = try storage.recordDeployment(NewDeployment(environment: "prod", revision: 1, snapshotHash: "sha256:s2",
                                                                       deployedAt: 3000, deployedBy: "ops", note: nil, restores: 1))
        #expect(rollback.kind == "rollback" && rollback.restores == 1)
        #expect(try storage.deployments(environment: "dev").map(\.number) == [1])
        #expect(try storage.deployments(environment: nil).map(\.number) == [2, 1])
        #expect(try storage.deployment(2)?.environment == "prod")
        try storage.backup(to: directory + "/copy.sqlite3")
        let restored = try SQLiteStore(path: directory + "/copy.sqlite3", readOnly: true)
        #expect(try restored.deployments(environment: nil).count == 2)
        #expect(try restored.latestRevision()?.number == 1)
    }

    @Test(arguments: backends)
    func failuresAreNamed(_ backend: Backend) throws {
        let (_, directory) = try open(backend)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/not-a-database.sqlite3"
        try Data("this is not a database file, it is text long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: RegistryError.self) { _ = try SQLiteStore(path: path) }
        #expect(SQLiteError(code: 5, message: "", sql: nil).kind == .busy && SQLiteError(code: 13, message: "", sql: nil).kind == .full)
        #expect(SQLiteError(code: 8, message: "", sql: nil).kind == .readOnly && SQLiteError(code: 26, message: "", sql: nil).kind == .notADatabase)
        #expect(SQLiteError(code: 11, message: "", sql: nil).kind == .corrupt && SQLiteError(code: 517, message: "", sql: nil).kind == .busy)
    }
}
