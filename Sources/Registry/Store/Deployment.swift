import Foundation

/// A record that an environment ran a snapshot from some time on.
public struct Deployment: Sendable, Equatable {
    public var number: Int
    public var environment: String
    public var revision: Int
    public var snapshotHash: String
    public var deployedAt: Int64
    public var deployedBy: String
    public var note: String?
    public var kind: String
    public var restores: Int?

    public var json: JSONValue {
        var o = JSONObject()
        o["deployment"] = .number(Double(number))
        o["environment"] = .string(environment)
        o["revision"] = .number(Double(revision))
        o["snapshot_hash"] = .string(snapshotHash)
        o["deployed_at"] = .string(ISOTime.format(deployedAt))
        o["deployed_by"] = .string(deployedBy)
        o["note"] = note.map { .string($0) } ?? .null
        o["kind"] = .string(kind)
        o["restores"] = restores.map { .number(Double($0)) } ?? .null
        return .object(o)
    }
}

extension Store {
    static let deploymentColumns = "number, environment, revision, snapshot_hash, deployed_at, deployed_by, note, kind, restores"

    static func deployment(_ s: Statement) -> Deployment {
        Deployment(number: s.int(0), environment: s.string(1), revision: s.int(2), snapshotHash: s.string(3), deployedAt: s.int64(4),
                   deployedBy: s.string(5), note: s.optionalString(6), kind: s.string(7), restores: s.optionalInt(8))
    }

    /// Deployment `number`, nil when there is none.
    public func deployment(_ number: Int) throws -> Deployment? {
        try db.queryOne("SELECT \(Store.deploymentColumns) FROM deployments WHERE number = ?1", [.integer(Int64(number))], Store.deployment)
    }

    /// Deployments newest first (by time, then number).
    public func deployments(environment: String?) throws -> [Deployment] {
        let tableExists = try db.queryOne("SELECT 1 FROM sqlite_master WHERE name = 'deployments'", []) { _ in true } ?? false
        guard tableExists else { return [] }
        return try db.query("""
            SELECT \(Store.deploymentColumns) FROM deployments WHERE ?1 IS NULL OR environment = ?1
            ORDER BY deployed_at DESC, number DESC
            """, [SQLValue(environment)], Store.deployment)
    }

    /// Records a deployment in one immediate transaction and returns it. The one record git cannot
    /// restore is made durable in the database file itself before this returns: synced, and the
    /// write-ahead log copied in (a copy of the file alone holds it).
    public func insertDeployment(environment: String, revision: Int, snapshotHash: String, deployedAt: Int64, by: String,
                                 note: String?, kind: String, restores: Int?, unlessSameAsLatest: Bool) throws -> (Deployment, created: Bool) {
        try db.execute("PRAGMA synchronous = FULL")
        defer { try? db.execute("PRAGMA synchronous = NORMAL") }
        let result = try insertDeploymentRow(environment: environment, revision: revision, snapshotHash: snapshotHash, deployedAt: deployedAt,
                                             by: by, note: note, kind: kind, restores: restores, unlessSameAsLatest: unlessSameAsLatest)
        if result.created { try db.checkpoint() }
        return result
    }

    private func insertDeploymentRow(environment: String, revision: Int, snapshotHash: String, deployedAt: Int64, by: String,
                                     note: String?, kind: String, restores: Int?, unlessSameAsLatest: Bool) throws -> (Deployment, created: Bool) {
        try db.transaction(.immediate) {
            if unlessSameAsLatest, let latest = try deployments(environment: environment).first, latest.snapshotHash == snapshotHash {
                return (latest, false)
            }
            try db.run("""
                INSERT INTO deployments (environment, revision, snapshot_hash, deployed_at, deployed_by, note, kind, restores)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """, [.text(environment), .integer(Int64(revision)), .text(snapshotHash), .integer(deployedAt), .text(by),
                      SQLValue(note), .text(kind), SQLValue(restores)])
            let number = Int(db.lastInsertRowID)
            return (try db.queryOne("SELECT \(Store.deploymentColumns) FROM deployments WHERE number = ?1", [.integer(Int64(number))], Store.deployment)!, true)
        }
    }
}
