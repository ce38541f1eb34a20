import Foundation
import Registry
import Testing

/// The public API is enough to embed fnreg: record a repository's history, read snapshots at any
/// point, diff, validate, export and record a deployment, with `import Registry` alone.
@Suite("Embedding the library", .serialized)
struct EmbeddingTests {
    static func shell(_ script: String, in directory: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(script)")
    }

    /// A repository with two commits: a function, a dev override, then a prod environment.json.
    static func repository() throws -> String {
        let root = NSTemporaryDirectory() + "fnreg-embed-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try shell("""
            git init -q -b main && git config user.email e@example.com && git config user.name E &&
            mkdir -p lambda_functions/a terraform/environments/dev/overrides terraform/environments/prod &&
            printf '{"name":"a","description":"A","runtime":"python3.13","handler":"index.h","timeout":30}' > lambda_functions/a/function.json &&
            echo 'def h(e, c): return 1' > lambda_functions/a/index.py &&
            printf '{"memory_size":256}' > terraform/environments/dev/overrides/a.json && echo '{}' > terraform/environments/prod/environment.json &&
            git add -A && git commit -qm one &&
            printf '{"timeout":60}' > terraform/environments/prod/environment.json && git add -A && git commit -qm two
            """, in: root)
        return root
    }

    @Test func recordReadDiffAndDeploy() throws {
        let root = try Self.repository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let workspace = try Workspace.discover(from: root)
        let registry = try Registry.open(databasePath: root + "/registry.sqlite3", mode: .write(createDirectory: false), workspace: workspace)
        registry.today = "2026-11-26"
        var request = ImportRequest(path: root)
        request.history = true
        let report = try registry.importChanges(request)
        #expect(report.imported.map(\.number) == [1, 2])
        #expect(try registry.latestRevision()?.subject == "two")

        // Snapshots at points, as the CLI names them.
        let prodNow = try registry.snapshot(environment: "prod", at: "HEAD")
        let prodBefore = try registry.snapshot(environment: "prod", at: "HEAD~1")
        #expect(try prodNow.function("a")["timeout"] == 60)
        #expect(try prodBefore.function("a")["timeout"] == 30)
        #expect(try registry.snapshot(environment: "dev", at: "rev:1").function("a")["memory_size"] == 256)
        #expect(prodNow.hash.hasPrefix("sha256:"))

        // Diffs, history, the export and the origin of a value.
        let diff = SnapshotDiff(left: prodBefore, right: prodNow)
        #expect(diff.changes.map(\.function) == ["a"] && diff.changes[0].operations.map(\.path.description) == ["/timeout"])
        #expect(try registry.log(function: "a", environment: "prod").count == 2)
        let export = try JSONParser.parse(Data(prodNow.exportBytes()))
        #expect(export["snapshot_hash"]?.stringValue == prodNow.hash && export["format_version"] == 1)
        let origins = try registry.origins(function: "a", environment: "prod", revision: try registry.resolve("HEAD"))
        #expect(origins.first { $0.pointer.description == "/timeout" }?.layer == .environment)

        // Validation of the work tree, then a deployment recorded and read back.
        #expect(try WorkTreeState.validate(path: root, today: "2026-11-26").errors.isEmpty)
        let result = try registry.deploy(environment: "prod", file: nil, point: "HEAD", expectHash: prodNow.hash, by: "embedder", note: "test")
        #expect(result.recorded && result.deployment.snapshotHash == prodNow.hash)
        #expect(try registry.deployments(environment: "prod").map(\.number) == [result.deployment.number])
        #expect(try registry.doctor().isEmpty)
    }

    @Test func errorsAreTypedAndSayWhatToDo() throws {
        let root = try Self.repository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: RegistryError.self) { _ = try Registry.open(databasePath: root + "/missing.sqlite3") }
        let registry = try Registry.open(databasePath: root + "/registry.sqlite3", mode: .write(createDirectory: false), workspace: try Workspace.discover(from: root))
        var request = ImportRequest(path: root)
        request.history = true
        _ = try registry.importChanges(request)
        do {
            _ = try registry.snapshot(environment: "staging", at: "HEAD")
            Issue.record("an unknown environment was accepted")
        } catch let error as RegistryError {
            #expect(error.description.contains("dev") && error.description.contains("prod"), "names the known environments: \(error)")
        }
    }
}
