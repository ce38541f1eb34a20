import Foundation
import Testing
@testable import Registry

/// The parts the state builder is made of, each on its own: documents, code packages, the secrets
/// allow-list, the rules about what the environments deploy, and the layer stack.
@Suite("Build components")
struct BuildComponentsTests {
    /// Files by blob id, in memory.
    final class MemorySource: ContentSource {
        var blobs: [String: Data] = [:]
        func contents(_ refs: [FileRef], limit: Int) throws -> [Data?] { refs.map { blobs[$0.id].flatMap { $0.count > limit ? nil : $0 } } }
        func stream(_ refs: [FileRef], _ sink: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws {
            for (i, ref) in refs.enumerated() {
                let data = blobs[ref.id] ?? Data()
                try sink(i, data.count, UnsafeRawBufferPointer(start: nil, count: 0))
                try data.withUnsafeBytes { try sink(i, data.count, $0) }
            }
        }
        func add(_ id: String, _ text: String) -> FileRef { blobs[id] = Data(text.utf8); return FileRef(id: id, kind: .regular) }
    }

    @Test func documentsAreParsedOnceAndFindingsLocated() throws {
        let source = MemorySource(), cache = DocumentCache()
        let good = source.add("b1", #"{"name": "f", "runtime": "python3.13"}"#)
        let broken = source.add("b2", "{\n  \"name\": \"g\",\n  \"timeout\": ,\n}")
        try cache.parse([("lambda_functions/f/function.json", good), ("lambda_functions/g/function.json", broken),
                         ("lambda_functions/h/function.json", FileRef(id: "b3", kind: .symlink))], source: source, cache: nil)
        #expect(cache.parsed["lambda_functions/f/function.json"]?.value?["name"] == "f")
        #expect(cache.parsed["lambda_functions/g/function.json"]?.syntaxError?.rule == "JSON-SYNTAX")
        #expect(cache.parsed["lambda_functions/g/function.json"]?.syntaxError?.line == 3)
        #expect(cache.parsed["lambda_functions/h/function.json"]?.syntaxError?.rule == "DOC-NOT-REGULAR")
        #expect(cache.runtimeMentions == ["python3.13": 1])
        cache.set("lambda_functions/f/function.json", nil)
        #expect(cache.runtimeMentions.isEmpty, "a removed document no longer names its runtime")
        // Where a finding's pointer lies in its file.
        var tree = SourceTree()
        tree.set("lambda_functions/f/function.json", good)
        let found = cache.locate([Diagnostic("FN-RUNTIME-UNKNOWN", file: "lambda_functions/f/function.json", pointer: JSONPointer(["runtime"]), message: "m")],
                                 tree: tree, source: source)
        #expect(found.first?.line == 1 && found.first?.column == 26, "\(found)")
    }

    @Test func codePackagesFollowTheirFiles() throws {
        let index = CodeIndex()
        let dirs: Set<RepoPath> = ["lambda_functions/a", "lambda_functions/a/b"]
        func owner(_ path: RepoPath) -> RepoPath? { path.ancestors.first { dirs.contains($0) } }
        var tree = SourceTree()
        tree.set("lambda_functions/a/index.py", FileRef(id: "x", kind: .regular))
        tree.set("lambda_functions/a/b/deep.py", FileRef(id: "y", kind: .regular))
        #expect(index.reassign(tree: tree, functionDirectories: dirs, owner: owner) == dirs, "every directory is hashed the first time")
        #expect(index.fileChanged("lambda_functions/a/b/deep.py", exists: false, owner: owner) == "lambda_functions/a/b", "the nearest directory owns a file")
        #expect(index.fileChanged("lambda_functions/a/new.py", exists: true, owner: owner) == "lambda_functions/a")
        #expect(index.fileChanged("elsewhere.txt", exists: true, owner: { _ in nil }) == nil)
        let source = MemorySource()
        _ = source.add("x", "print(1)\n")
        _ = source.add("z", "print(2)\n")
        tree.set("lambda_functions/a/new.py", FileRef(id: "z", kind: .regular))
        try index.computeHashes(["lambda_functions/a"], tree: tree, source: source, cache: nil)
        #expect(index.hash(of: "lambda_functions/a")?.hasPrefix("sha256:") == true)
        #expect(index.problems(of: dirs).isEmpty)
    }

    @Test func theSecretsAllowList() {
        let path: RepoPath = "lambda_functions/allowed-secrets.json"
        let list = SecretsAllowList(path: path, value: ["secrets": [["function": "f", "pointer": "/environment_variables/K", "reason": "demo"],
                                                                    ["function": "g", "pointer": "no-slash", "reason": "x"], ["function": "h", "pointer": "/a"]]],
                                    syntaxError: nil)
        #expect(list.allowed == ["f /environment_variables/K"])
        #expect(list.diagnostics.map(\.pointer.description) == ["/secrets/1", "/secrets/2"])
        #expect(SecretsAllowList(path: path, value: ["allow": []], syntaxError: nil).diagnostics.map(\.rule) == ["SECRETS-ALLOW-FORMAT"])
    }

    @Test func whatEnvironmentsDeploy() {
        let rules = DeploymentRules()
        func route(_ path: String, _ methods: [String], cors: Bool = false, authorizer: String? = nil) -> DeploymentRules.Route {
            DeploymentRules.Route(path: path, methods: methods, cors: cors, authorizerFunction: authorizer, file: "lambda_functions/x/function.json")
        }
        rules.set(route("/a", ["GET"], cors: true), for: FunctionInEnvironment(function: "a", environment: "dev"))
        rules.set(route("/a", ["GET", "OPTIONS"]), for: FunctionInEnvironment(function: "b", environment: "dev"))
        rules.set(route("/a/{id}", ["PUT"], authorizer: "ghost"), for: FunctionInEnvironment(function: "c", environment: "dev"))
        rules.set(route("/a/{key}/x", ["GET"]), for: FunctionInEnvironment(function: "d", environment: "dev"))
        let found = rules.diagnostics(environments: ["dev"], functions: ["a": "p", "b": "p", "c": "p", "d": "p"])
        #expect(found.map(\.rule).sorted() == ["FN-API-AUTHORIZER", "FN-API-PATH-CONFLICT", "FN-API-ROUTE-CONFLICT", "FN-API-ROUTE-CONFLICT"], "\(found)")
        // The authorizer's target appears: found again once told the functions changed.
        rules.functionsChanged()
        let after = rules.diagnostics(environments: ["dev"], functions: ["a": "p", "b": "p", "c": "p", "d": "p", "ghost": "p"])
        #expect(!after.map(\.rule).contains("FN-API-AUTHORIZER"))
        // Names as deployed, and environment names.
        let long = String(repeating: "n", count: 52)
        #expect(DeploymentRules.deployedNames(environments: ["dev", "staging"], functions: [long: "f.json"]).map(\.message).first?.contains("staging-\(long)") == true)
        #expect(DeploymentRules.deployedNames(environments: ["qa"], functions: [long: "f.json"]).isEmpty)
        #expect(DeploymentRules.environmentNames(["qa.1", "prod"]).map(\.file) == ["terraform/environments/qa.1/"])
    }

    @Test func theLayerStack() {
        let stack = LayerStack(base: ["name": "f", "timeout": 3, "$schema": "s", "tags": ["a": "1", "b": "2"], "layers": .null],
                               environmentPatch: ["timeout": 9, "tags": ["b": .null, "c": "3"], "$schema": "t"],
                               override: ["tags": "not-an-object-then-replaced"])
        #expect(stack.field("timeout") == 9)
        #expect(stack.field("$schema") == nil && stack.effective()["$schema"] == nil)
        #expect(stack.fieldWithDefault("memory_size") == 128)
        #expect(stack.origin(of: JSONPointer(["timeout"])).layer == .environment)
        #expect(stack.origin(of: JSONPointer(["name"])).layer == .base)
        #expect(stack.origin(of: JSONPointer(["tags", "a"])).layer == .override)
        #expect(stack.origin(of: JSONPointer(["tags", "a"])).at == JSONPointer(["tags"]), "a non-object replaced the enclosing value")
        #expect(stack.origin(of: JSONPointer(["layers"])).layer == .default)
        let deleted = LayerStack(base: ["name": "f", "timeout": 3], environmentPatch: ["timeout": .null], override: nil)
        #expect(deleted.origin(of: JSONPointer(["timeout"])).layer == .default && deleted.effective()["timeout"] == 3)
        let old: JSONValue = ["a": 1, "runtime": "x"], new: JSONValue = ["a": 1, "runtime": "y"]
        #expect(LayerStack.changedFields(from: old.objectValue, to: new.objectValue) == ["runtime", "handler", "snap_start"], "the fields whose rules read the runtime")
    }
}
