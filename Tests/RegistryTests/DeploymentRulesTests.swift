import Foundation
import Testing
@testable import Registry

/// What the Terraform modules deploy and AWS would refuse is a validation finding with the file
/// and the fix, never a plan or apply failure: names as deployed per environment, routes of the
/// environment's one REST API, authorizers that name a function.
@Suite("Rules about what the environments deploy")
struct DeploymentRulesTests {
    static let today = "2026-11-26"

    func rules(_ repo: TestRepository) throws -> [String] {
        try WorkTreeState.validate(path: repo.root, today: Self.today).errors.map(\.rule).sorted()
    }

    func api(_ path: String, _ methods: [JSONValue], extra: [(String, JSONValue)] = []) -> JSONValue {
        .object(JSONObject([("path", .string(path)), ("methods", .array(methods))] + extra))
    }

    @Test func namesAsDeployedInEachEnvironment() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        let name = String(repeating: "n", count: 50)   // dev-<50>-lambda: 61 characters; staging-<50>-lambda: 65
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function(name))
        try repo.write("terraform/environments/dev/environment.json", json: [:])
        #expect(try rules(repo).isEmpty)
        try repo.write("terraform/environments/staging/environment.json", json: [:])
        let found = try WorkTreeState.validate(path: repo.root, today: Self.today).errors
        #expect(found.map(\.rule) == ["FN-DEPLOYED-NAME"])
        #expect(found.first?.file == "lambda_functions/a/function.json" && found.first?.pointer.description == "/name")
        #expect(found.first?.message.contains("in staging") == true && found.first?.fix == "shorten the name to at most 49 characters", "\(found)")
        // An environment name no function or stage name can hold.
        try repo.remove("terraform/environments/staging/environment.json")
        try repo.write("terraform/environments/qa.1/environment.json", json: [:])
        #expect(try rules(repo) == ["ENV-DEPLOYED-NAME"])
    }

    @Test func oneRouteOneFunction() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/dev/environment.json", json: [:])
        try repo.write("terraform/environments/prod/environment.json", json: [:])
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("api", api("/items", ["GET", "POST"]))]))
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b", extra: [("api", api("/items", ["GET"]))]))
        var found = try WorkTreeState.validate(path: repo.root, today: Self.today).errors
        #expect(found.map(\.rule) == ["FN-API-ROUTE-CONFLICT"], "one finding for both environments: \(found)")
        #expect(found.first?.file == "lambda_functions/b/function.json" && found.first?.message.contains("GET /items is already served by function a (in dev, prod)") == true, "\(found)")
        // An override moves b in prod only: the conflict remains in dev, named in the file that sets it.
        try repo.write("terraform/environments/prod/overrides/b.json", json: ["api": ["path": "/items/{id}"]])
        found = try WorkTreeState.validate(path: repo.root, today: Self.today).errors
        #expect(found.count == 1 && found[0].message.hasSuffix("(in dev)"), "\(found)")
        // Sibling path variables, and OPTIONS where a CORS preflight answers.
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b", extra: [("api", api("/items/{name}/tags", ["GET"]))]))
        try repo.write("lambda_functions/c/function.json", json: TestRepository.function("c", extra: [("api", api("/items/{id}", ["PUT"]))]))
        found = try WorkTreeState.validate(path: repo.root, today: Self.today).errors
        #expect(Set(found.map(\.rule)) == ["FN-API-PATH-CONFLICT"], "\(found)")
        try repo.write("lambda_functions/b/function.json", json: TestRepository.function("b", extra: [("api", api("/items/{id}/tags", ["GET"]))]))
        try repo.write("lambda_functions/c/function.json", json: TestRepository.function("c", extra: [("api", api("/items", ["OPTIONS"]))]))
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("api", api("/items", ["GET"], extra: [("cors", ["allowed_methods": ["GET"]])]))]))
        try repo.remove("terraform/environments/prod/overrides/b.json")
        found = try WorkTreeState.validate(path: repo.root, today: Self.today).errors
        #expect(found.map(\.rule) == ["FN-API-ROUTE-CONFLICT"] && found.first?.message.contains("CORS preflight") == true, "\(found)")
    }

    @Test func aLambdaAuthorizerNamesAFunctionAcrossImports() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("terraform/environments/dev/environment.json", json: [:])
        let guarded = api("/secure", ["GET"], extra: [("authorizer", "lambda"), ("authorizer_function", "auth")])
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("api", guarded)]))
        try repo.write("lambda_functions/auth/function.json", json: TestRepository.function("auth"))
        _ = try repo.commit("an API behind a lambda authorizer")
        let (store, importer) = try repo.importer()
        _ = try importer.run(repo.request(history: true))
        // Deleting the authorizer makes the unchanged API invalid: the import is refused.
        try repo.remove("lambda_functions/auth/function.json")
        _ = try repo.commit("delete the authorizer")
        #expect(throws: (any Error).self) { _ = try importer.run(repo.request(history: true)) }
        let found = try WorkTreeState.validate(path: repo.root, today: Self.today).errors
        #expect(found.map(\.rule) == ["FN-API-AUTHORIZER"] && found.first?.file == "lambda_functions/a/function.json", "\(found)")
        #expect(found.first?.fix == "did you mean \"a\"?" || found.first?.fix?.contains("name a function") == true)
        // Restored under another name and pointed at: imported.
        try repo.write("lambda_functions/authz/function.json", json: TestRepository.function("authz"))
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("api",
            api("/secure", ["GET"], extra: [("authorizer", "lambda"), ("authorizer_function", "authz")]))]))
        let fixed = try repo.commit("authorizer authz")
        _ = try importer.run(repo.request(history: true, skipInvalid: true))
        #expect(try store.latestRevision()?.commit == fixed)
    }
}
