import Foundation

/// `RegistryWriter`: one imported revision per immediate transaction, deployments made durable in
/// the database file itself.
extension SQLiteStore {
    // MARK: - Committing an imported revision

    func commit(_ imported: ImportedRevision) throws -> CommitOutcome {
        do {
            return try db.transaction(.immediate) { () -> CommitOutcome in
                let latest = try latestRevision()
                if let commit = imported.meta.commit {
                    // The branch moves forward only: this commit follows the latest recorded commit.
                    let latestCommit = try latestCommittedRevision()?.commit
                    if latestCommit == commit && imported.meta.rewriteOf == nil { return .unchanged }
                    if latestCommit != imported.expectedLatestCommit { return .replan }
                }
                if let current = try binding() {
                    guard imported.sameSource(as: current) else {
                        throw RegistryError.refused("Another import bound this registry to \(current.description) meanwhile; nothing was written.")
                    }
                } else {
                    try bind(imported.binding)
                }
                // Another process may have written since the basis was read: then diff against all of it.
                var hashes = imported.basisHashes, keys = imported.candidates, digest = imported.basisDigest
                let rebased = (latest?.number ?? 0) != imported.basisRevision
                if rebased {
                    hashes = try latest.map { try stateHashes(at: $0.number) } ?? [:]
                    keys = nil
                    digest = StateDigest(hashes)
                }
                let meta = imported.meta
                if let skipReason = imported.skipReason {
                    let number = try insertRevision(meta, skipped: true, skipReason: skipReason, warnings: nil,
                                                    validation: latest?.validation, stateDigest: digest.hexString)
                    return .written(try revision(number)!, changes: [], rebased: rebased)
                }
                let changes = imported.changes(against: hashes, keys: keys)
                if imported.onlyIfChanged && changes.isEmpty, let latest {
                    // These files give the latest state: the next import of them can stop at the digest.
                    if let treeDigest = imported.treeDigest { try recordTreeDigest(treeDigest, revision: latest.number) }
                    return .unchanged
                }
                for (key, document) in changes { digest.change(key, from: hashes[key], to: document?.hash) }
                let number = try insertRevision(meta, skipped: false, skipReason: nil, warnings: imported.warningsText,
                                                validation: meta.validation, stateDigest: digest.hexString)
                for (key, document) in changes { try insertVersion(key, revision: number, document: document) }
                try saveLearned(blobs: imported.learnedBlobs, listings: imported.learnedListings)
                if let treeDigest = imported.treeDigest { try recordTreeDigest(treeDigest, revision: number) }
                return .written(try revision(number)!, changes: changes, rebased: rebased)
            }
        } catch {
            resetCaches()
            if let e = error as? SQLiteError, e.kind == .busy { throw RegistryError.databaseBusy(db.path) }
            throw error
        }
    }

    func bindIfUnbound(_ binding: Binding) throws {
        try db.transaction(.immediate) { if try self.binding() == nil { try bind(binding) } }
    }

    private func bind(_ binding: Binding) throws {
        try db.run("""
            INSERT INTO binding (id, kind, root_commit, branch, prefix, source_path, bound_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (id) DO NOTHING
            """, [.text(binding.kind.rawValue), SQLValue(binding.rootCommit), SQLValue(binding.branch), .text(binding.prefix),
                  SQLValue(binding.sourcePath), .integer(binding.boundAt)])
    }

    /// Inserts the next revision and returns its number.
    private func insertRevision(_ meta: ImportedRevision.Meta, skipped: Bool, skipReason: String?, warnings: String?,
                                validation: String?, stateDigest: String?) throws -> Int {
        let next = (try db.queryOne("SELECT coalesce(max(number), 0) + 1 FROM revisions", []) { $0.int(0) }) ?? 1
        try db.run("""
            INSERT INTO revisions (number, commit_id, author_name, author_email, committed_at, message, imported_at, source, skipped,
                                   skip_reason, warnings, rewrite_of, validation, state_digest)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
            """, [.integer(Int64(next)), SQLValue(meta.commit), SQLValue(meta.authorName), SQLValue(meta.authorEmail), .integer(meta.committedAt),
                  .text(meta.message), .integer(Int64(Date().timeIntervalSince1970)), .text(meta.source), .integer(skipped ? 1 : 0),
                  SQLValue(skipReason), SQLValue(warnings), SQLValue(meta.rewriteOf), SQLValue(validation), SQLValue(stateDigest)])
        return next
    }

    private func recordTreeDigest(_ digest: String, revision number: Int) throws {
        try db.run("INSERT OR IGNORE INTO tree_digests (revision, digest) VALUES (?1, ?2)", [.integer(Int64(number)), .text(digest)])
    }

    /// Stores `document` once (content-addressed) and returns its row id.
    private func documentID(_ document: Document) throws -> Int64 {
        if let id = documentIDs[document.hash] { return id }
        let hashBytes = SQLValue.blob(document.hash.bytes)
        if let id = try db.queryOne("SELECT id FROM documents WHERE hash = ?1", [hashBytes], { $0.int64(0) }) {
            documentIDs[document.hash] = id
            return id
        }
        try db.run("INSERT INTO documents (hash, body) VALUES (?1, ?2)", [hashBytes, .text(document.body)])
        let id = db.lastInsertRowID
        documentIDs[document.hash] = id
        return id
    }

    private func keyID(_ key: StateKey) throws -> Int64 {
        if let id = keyIDs[key] { return id }
        let args: [SQLValue] = [.text(key.kind.rawValue), .text(key.environment), .text(key.function)]
        if let id = try db.queryOne("SELECT id FROM keys WHERE kind = ?1 AND environment = ?2 AND function = ?3", args, { $0.int64(0) }) {
            keyIDs[key] = id
            return id
        }
        try db.run("INSERT INTO keys (kind, environment, function) VALUES (?1, ?2, ?3)", args)
        let id = db.lastInsertRowID
        keyIDs[key] = id
        return id
    }

    /// Records that `key` holds `document` (nil: deleted) from `revision` on.
    private func insertVersion(_ key: StateKey, revision: Int, document: Document?) throws {
        let keyID = try keyID(key)
        let documentID = try document.map { try self.documentID($0) }
        try db.run("INSERT INTO versions (key_id, revision, document_id) VALUES (?1, ?2, ?3)",
                   [.integer(keyID), .integer(Int64(revision)), documentID.map { .integer($0) } ?? .null])
    }

    /// What the importer learned; a blob whose document this transaction did not store (an invalid
    /// one) is simply not recorded.
    private func saveLearned(blobs: [String: DocumentHash], listings: [String: String]) throws {
        for (blob, hash) in blobs.sorted(by: { $0.key < $1.key }) {
            try db.run("INSERT OR IGNORE INTO blob_documents (blob, document_id) SELECT ?1, id FROM documents WHERE hash = ?2",
                       [.text(blob), .blob(hash.bytes)])
        }
        for (listing, codeHash) in listings.sorted(by: { $0.key < $1.key }) {
            try db.run("INSERT OR IGNORE INTO code_listings (listing, code_hash) VALUES (?1, ?2)", [.text(listing), .text(codeHash)])
        }
    }

    func checkpointWhenIdle() { db.checkpointPassive() }

    // MARK: - Deployments

    /// In one immediate transaction; the one record git cannot restore is made durable in the
    /// database file itself before this returns: synced, and the write-ahead log copied in (a copy
    /// of the file alone holds it).
    func recordDeployment(_ d: NewDeployment) throws -> (Deployment, created: Bool) {
        try db.execute("PRAGMA synchronous = FULL")
        defer { try? db.execute("PRAGMA synchronous = NORMAL") }
        let result = try db.transaction(.immediate) { () -> (Deployment, created: Bool) in
            if let latest = try deployments(environment: d.environment).first, latest.snapshotHash == d.snapshotHash {
                return (latest, false)
            }
            try db.run("""
                INSERT INTO deployments (environment, revision, snapshot_hash, deployed_at, deployed_by, note, kind, restores)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """, [.text(d.environment), .integer(Int64(d.revision)), .text(d.snapshotHash), .integer(d.deployedAt),
                      .text(d.deployedBy), SQLValue(d.note), .text(d.restores == nil ? "deploy" : "rollback"), SQLValue(d.restores)])
            return (try deployment(Int(db.lastInsertRowID))!, true)
        }
        if result.created { try db.checkpoint() }
        return result
    }
}
