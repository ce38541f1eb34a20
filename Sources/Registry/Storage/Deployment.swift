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
