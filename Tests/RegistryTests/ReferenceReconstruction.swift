import Foundation
@testable import Registry

/// A deliberately simple, separate reconstruction of SPEC §3 for checking the registry: it reads a
/// commit's files with `git show`, parses them with Foundation, and layers them with its own merge patch.
enum Reference {
    static let defaults: [String: Any] = [
        "timeout": 3, "memory_size": 128, "layers": [Any](), "api": NSNull(), "environment_variables": [String: Any](),
        "additional_policies": [Any](), "vpc_config": NSNull(), "dead_letter_config": NSNull(),
        "tracing_config": ["mode": "PassThrough"], "tags": [String: Any](),
    ]

    static func mergePatch(_ target: Any, _ patch: Any) -> Any {
        guard let p = patch as? [String: Any] else { return patch }
        var t = (target as? [String: Any]) ?? [:]
        for (k, v) in p {
            if v is NSNull { t.removeValue(forKey: k) } else { t[k] = mergePatch(t[k] ?? NSNull(), v) }
        }
        return t
    }

    static func snapshot(_ repo: TestRepository, commit: String, environment: String) throws -> JSONValue? {
        let files = try repo.git(["ls-tree", "-r", "--name-only", commit]).split(separator: "\n").map(String.init)
        guard files.contains(where: { $0.hasPrefix("terraform/environments/\(environment)/") }) else { return nil }
        func read(_ path: String) throws -> Data { Data(try repo.git(["show", "\(commit):\(path)"]).utf8) }
        func json(_ path: String) throws -> Any { try JSONSerialization.jsonObject(with: try read(path), options: [.fragmentsAllowed]) }
        let envPatch = files.contains("terraform/environments/\(environment)/environment.json")
            ? try json("terraform/environments/\(environment)/environment.json") : nil
        var functions: [String: Any] = [:]
        for path in files where path.hasPrefix("lambda_functions/") && path.hasSuffix("/function.json") {
            var base = try json(path) as! [String: Any]
            for (k, v) in base where v is NSNull { base.removeValue(forKey: k) }
            let name = base["name"] as! String
            var effective: Any = base
            if let envPatch { effective = mergePatch(effective, envPatch) }
            let overridePath = "terraform/environments/\(environment)/overrides/\(name).json"
            if files.contains(overridePath) { effective = mergePatch(effective, try json(overridePath)) }
            var e = effective as! [String: Any]
            for (k, v) in defaults where e[k] == nil { e[k] = v }
            let dir = String(path.dropLast("/function.json".count))
            // `git show` trims the trailing newline we write; the test's code files have none.
            let code = try files.filter { $0.hasPrefix(dir + "/") && $0 != path }.map { (String($0.dropFirst(dir.count + 1)), try read($0)) }
            e["code_hash"] = CodeHash.of(code)
            functions[name] = e
        }
        return try JSONParser.parse(JSONSerialization.data(withJSONObject: functions, options: [.fragmentsAllowed]))
    }
}
