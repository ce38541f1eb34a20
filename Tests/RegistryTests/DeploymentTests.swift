import Foundation
import Testing
@testable import Registry

@Suite("Deployments and rollback", .serialized)
struct DeploymentTests {
    /// Writes the Terraform export of `environment` at `point` (with a rollback's marker) into a
    /// temporary directory and returns the file, as `fnreg export terraform` / `rollback` would.
    func export(_ registry: Registry, _ environment: String, at point: String?, restores: Int? = nil, into directory: String) throws -> String {
        let snapshot = try registry.snapshot(environment: environment, at: point)
        _ = try TerraformExport.write(snapshot, to: directory, check: false, restores: restores)
        return directory + "/" + TerraformExport.fileName
    }

    @Test func deployRecordsWhatWasAppliedAndRollbackIsTwoPhase() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        let out = repo.root + "-out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 10)]))
        try repo.write("terraform/environments/prod/environment.json", json: ["tags": ["Environment": "prod"]])
        try repo.commit("one")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let registry = Registry(storage: store)
        let t0: Int64 = 1_770_000_000
        func status() throws -> EnvironmentStatus { try #require(try registry.status(environment: "prod").first) }
        #expect(try status().deployment == nil && status().isPending, "never deployed: everything is pending")

        // With neither a file nor a point, nothing is assumed: a usage error.
        #expect(throws: RegistryError.self) { try registry.deploy(environment: "prod", file: nil, point: nil, expectHash: nil, by: "ci", note: nil) }
        do {
            _ = try registry.deploy(environment: "prod", file: nil, point: nil, expectHash: nil, by: "ci", note: nil)
        } catch let e as RegistryError { #expect(e.exitCode == 2) }

        // The applied file is what gets recorded, even after HEAD moved on.
        let applied = try export(registry, "prod", at: nil, into: out)
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 20)]))
        try repo.commit("timeout 20")
        _ = try Importer(storage: store).run(repo.request(history: true))
        let d1 = try registry.deploy(environment: "prod", file: applied, point: nil, expectHash: nil, by: "ci", note: nil, at: t0)
        #expect(d1.recorded && d1.deployment.number == 1 && d1.deployment.revision == 1, "revision 1 was applied, not HEAD (2)")
        #expect(try status().isPending, "HEAD is imported, not deployed")
        // The same snapshot again records nothing.
        #expect(try registry.deploy(environment: "prod", file: applied, point: nil, expectHash: nil, by: "ci", note: nil, at: t0 + 1).recorded == false)
        // --at and the file must agree; --expect-hash refuses another snapshot.
        #expect(throws: RegistryError.self) { try registry.deploy(environment: "prod", file: applied, point: "HEAD", expectHash: nil, by: "ci", note: nil) }
        #expect(throws: RegistryError.self) { try registry.deploy(environment: "prod", file: nil, point: "HEAD", expectHash: "sha256:00", by: "ci", note: nil) }
        // A file for another environment, or edited by hand, is refused and records nothing.
        #expect(throws: RegistryError.self) { try registry.deploy(environment: "dev", file: applied, point: nil, expectHash: nil, by: "ci", note: nil) }
        let text = try String(contentsOfFile: applied, encoding: .utf8)
        try text.replacingOccurrences(of: "\"timeout\": 10", with: "\"timeout\": 11").write(toFile: applied, atomically: true, encoding: .utf8)
        #expect(throws: RegistryError.self) { try registry.deploy(environment: "prod", file: applied, point: nil, expectHash: nil, by: "ci", note: nil) }
        #expect(try registry.deployments(environment: "prod").count == 1)

        let head = try registry.snapshot(environment: "prod", at: nil)
        let d2 = try registry.deploy(environment: "prod", file: nil, point: "HEAD", expectHash: head.hash, by: "ci", note: nil, at: t0 + 100)
        #expect(d2.recorded && d2.deployment.revision == 2)
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 30)]))
        try repo.commit("timeout 30")
        _ = try Importer(storage: store).run(repo.request(history: true))
        let d3 = try registry.deploy(environment: "prod", file: try export(registry, "prod", at: "HEAD", into: out), point: nil, expectHash: nil,
                                     by: "ci", note: nil, at: t0 + 200)
        #expect(d3.deployment.number == 3 && d3.deployment.revision == 3)
        #expect(try registry.deployments(environment: "prod").map(\.number) == [3, 2, 1])

        // deployed:T between and exactly at deployment times; deploy:N of another environment is an error.
        func running(_ t: Int64) throws -> Int { try registry.resolve("deployed:" + ISOTime.format(t), environment: "prod").number }
        #expect(try running(t0) == 1)
        #expect(try running(t0 + 99) == 1)
        #expect(try running(t0 + 100) == 2)
        #expect(try running(t0 + 250) == 3)
        #expect(throws: RegistryError.self) { try running(t0 - 1) }
        #expect(try registry.resolve("deploy:2", environment: "prod").number == 2)
        #expect(throws: RegistryError.self) { try registry.resolve("deploy:2", environment: "dev") }

        // Rollback writes the target and records nothing; deploy of that file records kind rollback.
        var plan = try registry.planRollback(environment: "prod", to: nil)
        #expect(plan.target.number == 2)
        #expect(plan.diff.changes.first?.operations.first?.path.description == "/timeout")
        var file = try export(registry, "prod", at: "deploy:\(plan.target.number)", restores: plan.target.number, into: out)
        #expect(try registry.deployments(environment: "prod").count == 3, "rollback records nothing")
        #expect(try status().deployment?.number == 3, "until applied, prod runs what it ran")
        let r1 = try registry.deploy(environment: "prod", file: file, point: nil, expectHash: nil, by: "oncall", note: nil, at: t0 + 300)
        #expect(r1.deployment.kind == "rollback" && r1.deployment.restores == 2 && r1.deployment.revision == 2)
        #expect(try status().isPending && status().deployment?.number == 4, "after a rollback HEAD is pending again")
        plan = try registry.planRollback(environment: "prod", to: nil)
        #expect(plan.target.number == 1, "rolling back again goes to the one before the restored one")
        file = try export(registry, "prod", at: "deploy:1", restores: 1, into: out)
        let r2 = try registry.deploy(environment: "prod", file: file, point: nil, expectHash: nil, by: "oncall", note: nil, at: t0 + 400)
        #expect(r2.deployment.revision == 1 && r2.deployment.restores == 1)
        // The message of "nothing to roll back to" is true: nothing before deployment 1 differs.
        do {
            _ = try registry.planRollback(environment: "prod", to: nil)
            Issue.record("expected no target")
        } catch let e as RegistryError {
            #expect(e.description.contains("before deployment 1"), "\(e)")
        }
        #expect(throws: RegistryError.self, "target equals current") { try registry.planRollback(environment: "prod", to: "deploy:1") }
        #expect(throws: RegistryError.self, "unknown deployment") { try registry.planRollback(environment: "prod", to: "deploy:99") }
        #expect(throws: RegistryError.self, "never deployed") { try registry.planRollback(environment: "dev", to: nil) }
        // A file claiming to restore a deployment whose snapshot it does not hold is refused.
        file = try export(registry, "prod", at: "HEAD", restores: 1, into: out)
        #expect(throws: RegistryError.self) { try registry.deploy(environment: "prod", file: file, point: nil, expectHash: nil, by: "ci", note: nil) }
        // Deploying HEAD again after the rollbacks.
        let again = try registry.deploy(environment: "prod", file: try export(registry, "prod", at: "HEAD", into: out), point: nil, expectHash: nil, by: "ci", note: nil)
        #expect(again.recorded && again.deployment.revision == 3 && again.deployment.kind == "deploy")
        #expect(try !status().isPending)
        #expect(try registry.deployments(environment: "prod").count == 6)
        #expect(try registry.doctor().isEmpty)
        // Summaries count what each deployment changed against the previous one.
        let summaries = try registry.deploymentSummaries(environment: "prod")
        #expect(summaries.map { $0.changes?.modified ?? -1 } == [1, 1, 1, 1, 1, -1])
    }
}
