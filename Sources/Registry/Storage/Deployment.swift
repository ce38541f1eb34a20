import Foundation

/// A record that an environment ran a snapshot from some time on.
public struct Deployment: Sendable, Equatable {
    /// The deployment's number (1, 2, 3, ... in the order recorded).
    public var number: Int
    /// The environment deployed.
    public var environment: String
    /// The revision it runs.
    public var revision: Int
    /// The snapshot's hash (what was applied).
    public var snapshotHash: String
    /// When it was recorded (seconds since 1970).
    public var deployedAt: Int64
    /// Who deployed.
    public var deployedBy: String
    /// A note (a build URL, a ticket).
    public var note: String?
    /// `deploy` or `rollback`.
    public var kind: String
    /// The deployment a rollback restores.
    public var restores: Int?

    /// The deployment as `deployments --format json` prints it.
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
