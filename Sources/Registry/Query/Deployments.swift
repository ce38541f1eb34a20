import Foundation

/// The `registry_snapshot` that `fnreg export terraform` (and `rollback`) writes beside the
/// functions in `functions.auto.tfvars.json`: which snapshot the file holds.
public struct AppliedSnapshot: Equatable, Sendable {
    /// The environment the snapshot is of.
    public var environment: String
    /// The revision it was exported at.
    public var revision: Int
    /// That revision's commit.
    public var commit: String?
    /// The snapshot's hash.
    public var snapshotHash: String
    /// For a file written by `rollback`: the deployment whose snapshot it restores.
    public var restores: Int?
    /// `sha256:` of the canonical JSON of the file's `functions`, as read.
    public var functionsHash: String
    /// The file read.
    public var path: String

    /// Reads `functions.auto.tfvars.json` at `path` (a file, or a directory holding it).
    public static func read(_ path: String) throws -> AppliedSnapshot {
        var file = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            file = (path as NSString).appendingPathComponent(TerraformExport.fileName)
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RegistryError.usage("There is no \(TerraformExport.fileName) at \(file); deploy records the file Terraform applied: write it with `fnreg export terraform`, or name the snapshot with --at.")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(data) } catch let e as JSONSyntaxError {
            throw RegistryError.refused("\(file) is not valid JSON (line \(e.line), column \(e.column): \(e.message)); write it again with `fnreg export terraform`.")
        }
        guard let functions = value["functions"], functions.objectValue != nil, let meta = value["registry_snapshot"]?.objectValue,
              let environment = meta["environment"]?.stringValue, let revision = meta["revision"]?.numberValue,
              let hash = meta["snapshot_hash"]?.stringValue else {
            throw RegistryError.refused("\(file) has no functions and registry_snapshot (environment, revision, snapshot_hash) as `fnreg export terraform` writes them; write it again with `fnreg export terraform`.")
        }
        return AppliedSnapshot(environment: environment, revision: Int(revision), commit: meta["commit"]?.stringValue, snapshotHash: hash,
                               restores: meta["restores"]?.numberValue.map { Int($0) },
                               functionsHash: SHA256Hasher.prefixedHex(JSONWriter.canonicalBytes(functions)), path: file)
    }
}

extension Registry {
    /// What `deploy` did: the deployment the environment runs, and whether this call recorded it.
    public struct DeployResult {
        /// The deployment the environment runs now.
        public var deployment: Deployment
        /// Whether this call recorded it (false: it was the latest already).
        public var recorded: Bool
    }

    /// Records that `environment` now runs the snapshot that was applied: the one in `file` (the
    /// applied `functions.auto.tfvars.json`, hash-checked against the registry), or at `point`; both
    /// given, they must agree. `expectHash` refuses any other snapshot. The snapshot the environment
    /// already runs records nothing.
    public func deploy(environment: String, file: String?, point: String?, expectHash: String?, by: String, note: String?,
                       at time: Int64? = nil) throws -> DeployResult {
        guard file != nil || point != nil else {
            throw RegistryError.usage("fnreg deploy records what was applied: give the applied Terraform inputs (--from PATH, default terraform/environments/\(environment)/\(TerraformExport.fileName)) or the snapshot (--at POINT); it never assumes HEAD.")
        }
        var revision: Revision
        var snapshot: Snapshot
        var restores: Int?
        if let file {
            let applied = try AppliedSnapshot.read(file)
            guard applied.environment == environment else {
                throw RegistryError.refused("\(applied.path) holds a snapshot of \(applied.environment), not of \(environment); deploy it with --env \(applied.environment).")
            }
            guard applied.functionsHash == applied.snapshotHash else {
                throw RegistryError.refused("The functions in \(applied.path) hash to \(applied.functionsHash), not to the snapshot_hash it names (\(applied.snapshotHash)): the file was edited by hand. Write it again with `fnreg export terraform --env \(environment)` and apply that.")
            }
            guard let recorded = try storage.revision(applied.revision), recorded.commit == applied.commit else {
                throw RegistryError.refused("\(applied.path) names revision \(applied.revision)\(applied.commit.map { " (commit \($0.prefix(12)))" } ?? ""), which this registry does not hold; it was exported from another registry.")
            }
            revision = recorded
            snapshot = try self.snapshot(environment: environment, revision: recorded)
            guard snapshot.hash == applied.snapshotHash else {
                throw RegistryError.refused("\(applied.path) names revision \(applied.revision) with snapshot \(applied.snapshotHash), but this registry's snapshot of \(environment) at revision \(applied.revision) is \(snapshot.hash); the file was not written by this registry's export.")
            }
            if let n = applied.restores {
                guard let restored = try storage.deployment(n), restored.environment == environment, restored.snapshotHash == applied.snapshotHash else {
                    throw RegistryError.refused("\(applied.path) says it restores deployment \(n), which is not a deployment of \(environment) with this snapshot; write it again with `fnreg rollback --env \(environment)`.")
                }
                restores = n
            }
            if let point {
                let other = try resolve(point, environment: environment)
                let atPoint = try self.snapshot(environment: environment, revision: other)
                guard atPoint.hash == snapshot.hash else {
                    throw RegistryError.refused("--at \(point) names revision \(other.number) (\(atPoint.hash)), but \(applied.path) holds revision \(revision.number) (\(snapshot.hash)); they must agree.")
                }
            }
        } else {
            revision = try resolve(point, environment: environment)
            snapshot = try self.snapshot(environment: environment, revision: revision)
        }
        if let expectHash, expectHash != snapshot.hash {
            throw RegistryError.refused("The snapshot to record is \(snapshot.hash) (revision \(revision.number)), not the expected \(expectHash); nothing was recorded.")
        }
        let (deployment, created) = try storage.recordDeployment(NewDeployment(
            environment: environment, revision: revision.number, snapshotHash: snapshot.hash,
            deployedAt: time ?? Int64(Date().timeIntervalSince1970), deployedBy: by, note: note, restores: restores))
        return DeployResult(deployment: deployment, recorded: created)
    }

    /// The rollback plan: the current deployment, the target and the diff current → target.
    public struct RollbackPlan {
        /// The environment's current deployment.
        public var current: Deployment
        /// The deployment to go back to.
        public var target: Deployment
        /// What changes: current → target.
        public var diff: SnapshotDiff
        /// The target's snapshot (written as the Terraform inputs).
        public var targetSnapshot: Snapshot
    }

    /// The deployment to roll `environment` back to: `to` (`deploy:N`), or by default the latest
    /// deployment before the current one (before the one it restored, when the current one is a
    /// rollback) whose snapshot differs from the current snapshot.
    public func planRollback(environment: String, to point: String?) throws -> RollbackPlan {
        let history = try deployments(environment: environment)
        guard let current = history.first else {
            throw RegistryError.refused("Nothing was ever deployed to \(environment); there is nothing to roll back.")
        }
        let target: Deployment
        if let point {
            guard case .deployment(let n) = try Point.parse(point) else {
                throw RegistryError.usage("--to takes deploy:N, not \"\(point)\".")
            }
            guard let d = try storage.deployment(n) else {
                throw RegistryError.unknownPoint(point, reason: "no deployment \(n)", candidates: history.prefix(10).map { "deploy:\($0.number)" })
            }
            guard d.environment == environment else {
                throw RegistryError.refused("Deployment \(n) was a deployment of \(d.environment), not of \(environment); roll back to a deployment of \(environment).")
            }
            guard d.snapshotHash != current.snapshotHash else {
                throw RegistryError.refused("Deployment \(n) has the snapshot \(environment) runs now (deployment \(current.number)); rolling back to it would change nothing.")
            }
            target = d
        } else {
            // After a rollback, rolling back again goes further back: before the deployment it restored.
            let restored = current.kind == "rollback" ? current.restores : nil
            let anchor = restored ?? current.number
            guard let d = history.first(where: { $0.number < anchor && $0.snapshotHash != current.snapshotHash }) else {
                if let restored {
                    throw RegistryError.refused("No deployment of \(environment) before deployment \(restored) (which the current deployment \(current.number) restored) has a snapshot other than the current one; there is nothing further back to roll back to.")
                }
                throw RegistryError.refused("No deployment of \(environment) before the current one (deployment \(current.number)) has a snapshot other than the current one; there is nothing to roll back to.")
            }
            target = d
        }
        let currentSnapshot = try snapshot(environment: environment, revision: storage.revision(current.revision)!)
        let targetSnapshot = try snapshot(environment: environment, revision: storage.revision(target.revision)!)
        return RollbackPlan(current: current, target: target, diff: SnapshotDiff(left: currentSnapshot, right: targetSnapshot), targetSnapshot: targetSnapshot)
    }
}

/// What an environment runs versus what has been imported (`fnreg status`).
public struct EnvironmentStatus {
    /// The environment.
    public var environment: String
    /// The latest revision.
    public var head: Revision
    /// The current deployment, nil when never deployed.
    public var deployment: Deployment?
    /// Deployed snapshot → HEAD snapshot; nil when never deployed (everything is pending).
    public var pending: SnapshotDiff?
    /// How many functions the latest revision holds in the environment.
    public var headFunctionCount: Int

    /// Whether the latest revision differs from what the environment runs.
    public var isPending: Bool { pending.map { !$0.isEmpty } ?? true }
}

/// Where the record stands against its source (`fnreg status`).
public struct RecordStatus {
    /// What the registry records.
    public var binding: Binding?
    /// The latest revision.
    public var head: Revision?
    /// The tracked branch's tip, when the repository is at hand.
    public var tip: String?
    /// First-parent commits of the tip not recorded yet (nil: unknown, no repository here).
    public var commitsBehind: Int?
    /// True when the branch no longer contains the latest recorded commit (rewritten).
    public var rewritten = false
}

extension Registry {
    /// Per environment (default: every environment at HEAD): the current deployment, HEAD, and what is
    /// imported but not deployed.
    public func status(environment: String? = nil) throws -> [EnvironmentStatus] {
        guard let head = try storage.latestRevision() else { throw RegistryError.noRevisions }
        let environments = try environment.map { [$0] } ?? self.environments(at: head.number)
        return try environments.map { env in
            let headSnapshot = try snapshot(environment: env, revision: head)
            let current = try deployments(environment: env).first
            let diff = try current.map { d in
                SnapshotDiff(left: try snapshot(environment: env, revision: storage.revision(d.revision)!), right: headSnapshot)
            }
            return EnvironmentStatus(environment: env, head: head, deployment: current, pending: diff, headFunctionCount: headSnapshot.functionNames.count)
        }
    }

    /// The binding, and how far the tracked branch is ahead of the record (when the repository is here).
    public func recordStatus() throws -> RecordStatus {
        var status = RecordStatus(binding: try storage.binding(), head: try storage.latestRevision())
        guard let binding = status.binding, binding.kind == .git, let branch = binding.branch, let git = workspace?.git,
              try git.rootCommit(git.branchTip(branch) ?? "HEAD") == binding.rootCommit, let tip = try git.branchTip(branch) else { return status }
        status.tip = tip
        guard let last = try storage.latestCommittedRevision()?.commit else { return status }
        if try git.isAncestor(last, of: tip) {
            status.commitsBehind = try git.firstParentDescendants(of: last, to: tip).count
        } else {
            status.rewritten = true
        }
        return status
    }
}

/// One deployment with what it changed against the previous deployment of its environment.
public struct DeploymentSummary {
    /// How many functions a deployment added, removed and changed.
    public struct Counts: Equatable {
        /// Functions added, removed, changed.
        public var added = 0, removed = 0, modified = 0
        /// Whether nothing changed.
        public var isEmpty: Bool { added == 0 && removed == 0 && modified == 0 }
    }
    /// The deployment.
    public var deployment: Deployment
    /// The commit of its revision.
    public var commit: String?
    /// Nil for an environment's first deployment.
    public var changes: Counts?
}

extension Registry {
    /// Deployments newest first, each with its change counts against the one before it in its
    /// environment: computed from the keys that changed between the two revisions (cost follows
    /// what changed, not the number of functions), the whole snapshot only when an
    /// environment-wide document changed.
    public func deploymentSummaries(environment: String? = nil, limit: Int? = nil) throws -> [DeploymentSummary] {
        let all = try deployments(environment: environment)
        let shown = limit.map { Array(all.prefix($0)) } ?? all
        return try shown.map { d in
            let previous = all.first { $0.environment == d.environment && ($0.deployedAt < d.deployedAt || ($0.deployedAt == d.deployedAt && $0.number < d.number)) }
            let commit = try storage.revision(d.revision)?.commit
            guard let previous else { return DeploymentSummary(deployment: d, commit: commit, changes: nil) }
            return DeploymentSummary(deployment: d, commit: commit,
                                     changes: try changeCounts(environment: d.environment, from: previous.revision, to: d.revision))
        }
    }

    /// How many functions of `environment` were added, removed or modified between two revisions.
    public func changeCounts(environment: String, from a: Int, to b: Int) throws -> DeploymentSummary.Counts {
        var counts = DeploymentSummary.Counts()
        if a == b { return counts }
        let (low, high) = (min(a, b), max(a, b))
        let changed = try storage.changedKeys(environment: environment, after: low, through: high)
        if changed.contains(where: { $0.0 == .envpatch || $0.0 == .environment }) {
            let diff = SnapshotDiff(left: try snapshot(environment: environment, revision: storage.revision(a)!),
                                    right: try snapshot(environment: environment, revision: storage.revision(b)!))
            for c in diff.changes {
                switch c.status { case .added: counts.added += 1; case .removed: counts.removed += 1; case .modified: counts.modified += 1 }
            }
            return counts
        }
        let left = try storage.revision(a)!, right = try storage.revision(b)!
        for function in Set(changed.map(\.1)).filter({ !$0.isEmpty }).sorted() {
            let l = try effectiveConfiguration(function: function, environment: environment, revision: left)
            let r = try effectiveConfiguration(function: function, environment: environment, revision: right)
            switch (l, r) {
            case (nil, .some): counts.added += 1
            case (.some, nil): counts.removed += 1
            case (.some(let x), .some(let y)) where x != y: counts.modified += 1
            default: break
            }
        }
        return counts
    }

    /// `fnreg doctor`: the store's checks, and every deployment's recorded snapshot_hash re-derived
    /// from the revision it names (a deployment is the one record git cannot restore).
    public func doctor() throws -> [String] {
        var problems = try storage.verify()
        guard problems.allSatisfy({ !$0.hasPrefix("integrity") }) else { return problems }
        var hashes: [String: String] = [:]
        for d in try deployments().reversed() {
            let key = "\(d.environment)@\(d.revision)"
            if hashes[key] == nil {
                guard let revision = try storage.revision(d.revision) else { continue }
                hashes[key] = (try? snapshot(environment: d.environment, revision: revision))?.hash ?? "(no snapshot)"
            }
            if hashes[key] != d.snapshotHash {
                problems.append("deployment \(d.number) of \(d.environment): recorded snapshot \(d.snapshotHash) but revision \(d.revision) gives \(hashes[key]!)")
            }
        }
        problems += try blobCacheProblems()
        return problems
    }

    /// With the repository at hand: every cached blob still parses to the document the cache names
    /// (a row pointed at another document would make imports store what no commit holds).
    func blobCacheProblems() throws -> [String] {
        guard let git = workspace?.git, let binding = try storage.binding(), binding.kind == .git, binding.prefix == git.prefix else { return [] }
        let rows = try storage.blobCacheRows()
        let present = try git.existingObjects(rows.map(\.0))
        let checked = rows.filter { present.contains($0.0) }
        let contents = try git.contents(checked.map { FileRef(id: $0.0, kind: .regular) }, limit: RepositoryLayout.maximumDocumentBytes)
        var problems: [String] = []
        for ((blob, hash), data) in zip(checked, contents) {
            let actual = data.flatMap { try? JSONParser.parse($0) }.map { Document($0).hash }
            if actual != hash {
                problems.append("blob cache: git blob \(blob.prefix(12)) is recorded as document \(hash), which it does not hold; rebuild the registry (fnreg import --history into a new database)")
                if problems.count >= 10 { break }
            }
        }
        return problems
    }
}
