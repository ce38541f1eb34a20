import Foundation

extension Registry {
    /// Records that `environment` now runs the snapshot at `point`; unless `force`, asking twice in a
    /// row for the same snapshot records nothing the second time.
    public func deploy(environment: String, at point: String?, by: String, note: String?, force: Bool, at time: Int64? = nil) throws -> (Deployment, created: Bool) {
        let snapshot = try snapshot(environment: environment, at: point)
        return try store.insertDeployment(environment: environment, revision: snapshot.revision.number, snapshotHash: snapshot.hash,
                                          deployedAt: time ?? Int64(Date().timeIntervalSince1970), by: by, note: note, kind: "deploy",
                                          restores: nil, unlessSameAsLatest: !force)
    }

    /// The rollback plan: the current deployment, the target and the diff current → target.
    public struct RollbackPlan {
        public var current: Deployment
        public var target: Deployment
        public var diff: SnapshotDiff
        public var targetSnapshot: Snapshot
    }

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
            guard let d = try deployments().first(where: { $0.number == n }) else {
                throw RegistryError.unknownPoint(point, reason: "no deployment \(n)", candidates: history.prefix(10).map { "deploy:\($0.number)" })
            }
            guard d.environment == environment else {
                throw RegistryError.refused("Deployment \(n) was of \(d.environment), not \(environment); roll back to a deployment of \(environment).")
            }
            guard d.snapshotHash != current.snapshotHash else {
                throw RegistryError.refused("Deployment \(n) runs the same snapshot as the current deployment \(current.number); nothing would change.")
            }
            target = d
        } else {
            // After a rollback, rolling back again goes further back: before the deployment it restored.
            let anchor = current.kind == "rollback" ? (current.restores ?? current.number) : current.number
            guard let d = history.first(where: { $0.number < anchor && $0.snapshotHash != current.snapshotHash }) else {
                throw RegistryError.refused("No earlier deployment of \(environment) differs from the current one (deployment \(current.number)); there is nothing to roll back to.")
            }
            target = d
        }
        let currentSnapshot = try snapshot(environment: environment, revision: store.revision(current.revision)!)
        let targetSnapshot = try snapshot(environment: environment, revision: store.revision(target.revision)!)
        return RollbackPlan(current: current, target: target, diff: SnapshotDiff(left: currentSnapshot, right: targetSnapshot), targetSnapshot: targetSnapshot)
    }

    /// Records the rollback as a new deployment that names the deployment it restored.
    public func recordRollback(_ plan: RollbackPlan, by: String, note: String?) throws -> Deployment {
        try store.insertDeployment(environment: plan.current.environment, revision: plan.target.revision, snapshotHash: plan.targetSnapshot.hash,
                                   deployedAt: Int64(Date().timeIntervalSince1970), by: by,
                                   note: note ?? "rollback to deployment \(plan.target.number)", kind: "rollback",
                                   restores: plan.target.number, unlessSameAsLatest: false).0
    }
}

/// What an environment runs versus what has been imported (`fnreg status`).
public struct EnvironmentStatus {
    public var environment: String
    public var head: Revision
    /// The current deployment, nil when never deployed.
    public var deployment: Deployment?
    /// Deployed snapshot → HEAD snapshot; nil when never deployed (everything is pending).
    public var pending: SnapshotDiff?
    public var headFunctionCount: Int

    public var isPending: Bool { pending.map { !$0.isEmpty } ?? true }
}

extension Registry {
    /// Per environment (default: every environment at HEAD): the current deployment, HEAD, and what is
    /// imported but not deployed.
    public func status(environment: String? = nil) throws -> [EnvironmentStatus] {
        guard let head = try store.latestRevision() else { throw RegistryError.noRevisions }
        let environments = try environment.map { [$0] } ?? self.environments(at: head.number)
        return try environments.map { env in
            let headSnapshot = try snapshot(environment: env, revision: head)
            let current = try deployments(environment: env).first
            let diff = try current.map { d in
                SnapshotDiff(left: try snapshot(environment: env, revision: store.revision(d.revision)!), right: headSnapshot)
            }
            return EnvironmentStatus(environment: env, head: head, deployment: current, pending: diff, headFunctionCount: headSnapshot.functionNames.count)
        }
    }
}
