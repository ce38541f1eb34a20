import Foundation
import Testing
@testable import Registry

/// The record stays what it was as function.json grows: fields beyond the seed's have no default, so
/// a configuration without them is exactly what it was, and every snapshot of every revision
/// exports byte for byte as it did before they existed (hashes recorded then, in
/// Tests/Corpus/snapshot-hashes.json).
@Suite("Compatibility of the record", .serialized)
struct CompatibilityTests {
    @Test func everySnapshotOfEveryRevisionKeepsItsBytes() throws {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus/snapshot-hashes.json")
        let golden = try JSONParser.parse(Data(contentsOf: corpus))["hashes"]!.objectValue!
        let root = NSTemporaryDirectory() + "fnreg-compat-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/generate-workload.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, root, "--functions", "120", "--revisions", "40", "--seed", "7"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the workload generator needs python3")
        let registry = try Registry.open(databasePath: root + ".sqlite3", mode: .write(createDirectory: false), workspace: try Workspace.discover(from: root))
        var request = ImportRequest(path: root)
        request.history = true
        request.today = "2026-11-26"
        _ = try registry.importChanges(request)
        defer { try? FileManager.default.removeItem(atPath: root + ".sqlite3") }
        var checked = 0
        for revision in try registry.revisions(newestFirst: false) {
            for snapshot in try registry.snapshots(environments: ["dev", "staging", "prod"], revision: revision) {
                let key = "\(snapshot.environment)@\(revision.number)"
                let expected = try #require(golden[key], "\(key) is in the recorded hashes")
                #expect(snapshot.hash == expected["snapshot_hash"]?.stringValue, "\(key): snapshot_hash")
                #expect("sha256:" + hex(SHA256Hasher.hash(snapshot.exportBytes())) == "sha256:" + (expected["export_sha256"]?.stringValue ?? ""), "\(key): export bytes")
                checked += 1
            }
        }
        #expect(checked == golden.count && checked == 120)
    }
}
