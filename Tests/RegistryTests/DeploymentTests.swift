import Foundation
import Testing
@testable import Registry

@Suite("Deployments and rollback", .serialized)
struct DeploymentTests {
    @Test func deployChangeRollbackAndPointsInTime() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", 10)]))
        try repo.write("terraform/environments/prod/environment.json", json: ["tags": ["Environment": "prod"]])
        try repo.commit("one")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        let registry = Registry(store: store)
        let t0: Int64 = 1_770_000_000
        func status() throws -> EnvironmentStatus { try #require(try registry.status(environment: "prod").first) }
        #expect(try status().deployment == nil && status().isPending, "never deployed: everything is pending")
        let d1 = try registry.deploy(environment: "prod", at: nil, by: "ci", note: nil, force: false, at: t0)
        #expect(d1.created && d1.0.number == 1 && d1.0.revision == 1)
        #expect(try !status().isPending && status().deployment?.number == 1)
        // Asking twice for the same snapshot records nothing; --force records anyway.
        #expect(try registry.deploy(environment: "prod", at: nil, by: "ci", note: nil, force: false, at: t0 + 1).created == false)

        for (i, timeout) in [20, 30].enumerated() {
            try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("timeout", .number(Double(timeout)))]))
            try repo.commit("timeout \(timeout)")
            _ = try Importer(store: store).run(repo.request(history: true))
            #expect(try status().isPending && status().pending?.changes.map(\.function) == ["a"], "imported, not deployed")
            _ = try registry.deploy(environment: "prod", at: nil, by: "ci", note: nil, force: false, at: t0 + Int64(100 * (i + 1)))
            #expect(try !status().isPending)
        }
        #expect(try registry.deployments(environment: "prod").map(\.number) == [3, 2, 1])

        // deployed:T between and exactly at deployment times.
        func running(_ t: Int64) throws -> Int { try registry.resolve("deployed:" + ISOTime.format(t), environment: "prod").number }
        #expect(try running(t0) == 1)
        #expect(try running(t0 + 99) == 1)
        #expect(try running(t0 + 100) == 2)
        #expect(try running(t0 + 250) == 3)
        #expect(throws: RegistryError.self) { try running(t0 - 1) }
        #expect(try registry.resolve("deploy:2").number == 2)

        // Rollback: to the previous deployment, then further back, never rewriting history.
        var plan = try registry.planRollback(environment: "prod", to: nil)
        #expect(plan.target.number == 2)
        #expect(plan.diff.changes.first?.operations.first?.path.description == "/timeout")
        let r1 = try registry.recordRollback(plan, by: "oncall", note: nil)
        #expect(r1.kind == "rollback" && r1.restores == 2 && r1.revision == 2)
        #expect(try status().isPending && status().deployment?.number == 4, "after a rollback HEAD is pending again")
        plan = try registry.planRollback(environment: "prod", to: nil)
        #expect(plan.target.number == 1, "rolling back again goes to the one before")
        let r2 = try registry.recordRollback(plan, by: "oncall", note: nil)
        #expect(r2.revision == 1)
        #expect(throws: RegistryError.self, "nothing before the first deployment") { try registry.planRollback(environment: "prod", to: nil) }
        #expect(throws: RegistryError.self, "target equals current") { try registry.planRollback(environment: "prod", to: "deploy:1") }
        #expect(throws: RegistryError.self, "unknown deployment") { try registry.planRollback(environment: "prod", to: "deploy:99") }
        #expect(throws: RegistryError.self, "never deployed") { try registry.planRollback(environment: "dev", to: nil) }
        // Deploying HEAD again after the rollbacks.
        let again = try registry.deploy(environment: "prod", at: nil, by: "ci", note: nil, force: false)
        #expect(again.created && again.0.revision == 3)
        #expect(try !status().isPending && status().deployment?.kind == "deploy")
        #expect(try registry.deployments(environment: "prod").count == 6)
        #expect(try store.doctor().isEmpty)
    }
}
