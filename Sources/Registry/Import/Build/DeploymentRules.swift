/// What the Terraform modules would deploy and AWS would refuse, per environment: names longer than
/// Lambda's and IAM's limits once the environment prefixes them, environment names no stage or
/// function name can hold, two functions on one route, sibling path variables, an OPTIONS method
/// where the CORS preflight answers, a lambda authorizer naming no function. Routes are kept per
/// (function, environment) as the builder's pairs change; an environment's findings are computed
/// again only when one of its routes (or the set of functions) changed.
final class DeploymentRules {
    /// A function's method on its environment's REST API, as the modules publish it.
    struct Route: Equatable {
        /// `rest` or `http`: each is its own API with its own routes.
        var type: String = "rest"
        var path: String
        var methods: [String]
        var cors: Bool
        var authorizerFunction: String?
        /// The document that sets the effective `api` (the last layer that does).
        var file: String
    }

    /// One finding about an environment's API; the same finding in several environments is reported once.
    struct RouteFinding: Hashable {
        var rule: String
        var file: String
        var pointer: JSONPointer
        var message: String
        var fix: String
    }

    private var routes: [FunctionInEnvironment: Route] = [:]
    private var routesByEnvironment: [String: Set<String>] = [:]   // env -> functions with a route
    private var routeFindings: [String: [RouteFinding]] = [:]      // env -> findings (non-empty only)
    private var dirty = Set<String>()
    /// The functions of the last computation (a lambda authorizer's target may come or go).
    private var functions: [String: String] = [:]

    /// Records what `pair` publishes (nil: nothing).
    func set(_ route: Route?, for pair: FunctionInEnvironment) {
        guard routes[pair] != route else { return }
        routes[pair] = route
        if route != nil { routesByEnvironment[pair.environment, default: []].insert(pair.function) } else { routesByEnvironment[pair.environment]?.remove(pair.function) }
        dirty.insert(pair.environment)
    }

    /// Functions came or went: every environment's API is checked again.
    func functionsChanged() { dirty.formUnion(routesByEnvironment.keys) }

    /// Every finding, for `environments` (valid names, sorted) and `functions` (name -> function.json path).
    func diagnostics(environments: [String], functions: [String: String]) -> [Diagnostic] {
        self.functions = functions
        var out = Self.environmentNames(environments) + Self.deployedNames(environments: environments, functions: functions)
        for env in dirty {
            let found = routeProblems(env)
            routeFindings[env] = found.isEmpty ? nil : found
        }
        dirty.removeAll()
        let existing = Set(environments)
        var environmentsOf: [RouteFinding: [String]] = [:]
        for (env, found) in routeFindings where existing.contains(env) { for f in found { environmentsOf[f, default: []].append(env) } }
        for (f, envs) in environmentsOf {
            out.append(Diagnostic(f.rule, file: f.file, pointer: f.pointer, message: f.message + " (in \(envs.sorted(by: codePointLess).joined(separator: ", ")))", fix: f.fix))
        }
        return out
    }

    /// "<env>-<name>" functions, stage "<env>", role "<env>-apigateway-logs".
    static func environmentNames(_ environments: [String]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for env in environments {
            let deployable = env.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
            let maximum = LambdaLimits.roleNameMaximum - LambdaLimits.apiRoleSuffix.utf8.count
            if !deployable || env.utf8.count > maximum {
                out.append(Diagnostic("ENV-DEPLOYED-NAME", file: RepositoryLayout.environmentDirectory(env).description + "/", pointer: .root,
                    message: "the environment name \"\(env)\" prefixes every function (\"\(env)-NAME\"), names the API stage and the role \"\(env)\(LambdaLimits.apiRoleSuffix)\": it may hold only letters, digits, '-' and '_' and at most \(maximum) characters",
                    fix: "rename the directory"))
            }
        }
        return out
    }

    /// "<env>-<name>" (Lambda, 64) and "<env>-<name>-lambda" (IAM, 64): only names longer than the
    /// shortest environment leaves room for are looked at.
    static func deployedNames(environments: [String], functions: [String: String]) -> [Diagnostic] {
        guard let longest = environments.map(\.utf8.count).max() else { return [] }
        var out: [Diagnostic] = []
        let separator = LambdaLimits.functionPrefixSeparator.utf8.count, suffix = LambdaLimits.roleSuffix.utf8.count
        let room = min(LambdaLimits.functionNameMaximum, LambdaLimits.roleNameMaximum - suffix)
        for (name, file) in functions where name.utf8.count + separator + longest > room {
            let breaking = environments.filter { name.utf8.count + separator + $0.utf8.count > room }
            let worst = breaking.max { $0.utf8.count < $1.utf8.count }!
            let role = worst + LambdaLimits.functionPrefixSeparator + name + LambdaLimits.roleSuffix
            out.append(Diagnostic("FN-DEPLOYED-NAME", file: file, pointer: JSONPointer(["name"]),
                message: "deployed as \"\(worst)-\(name)\" with the role \"\(role)\" (\(role.utf8.count) characters), longer than IAM's \(LambdaLimits.roleNameMaximum) for a role (Lambda allows \(LambdaLimits.functionNameMaximum) for a function) in \(breaking.joined(separator: ", "))",
                fix: "shorten the name to at most \(room - separator - worst.utf8.count) characters"))
        }
        return out
    }

    func routeProblems(_ env: String) -> [RouteFinding] {
        guard let names = routesByEnvironment[env], !names.isEmpty else { return [] }
        var found: [RouteFinding] = []
        let sorted = names.sorted(by: codePointLess)
        var owner: [String: String] = [:]              // "METHOD path" -> first function
        var corsPaths: [String: String] = [:]          // path -> first function with cors
        var variables: [String: (segment: String, function: String)] = [:]   // parent path -> first variable part
        for name in sorted {
            guard let r = routes[FunctionInEnvironment(function: name, environment: env)] else { continue }
            if r.cors, r.type == "rest", corsPaths[r.path] == nil { corsPaths[r.path] = name }
        }
        for name in sorted {
            guard let r = routes[FunctionInEnvironment(function: name, environment: env)] else { continue }
            for method in r.methods {
                let key = r.type + " " + method + " " + r.path
                if let first = owner[key] {
                    found.append(RouteFinding(rule: "FN-API-ROUTE-CONFLICT", file: r.file, pointer: JSONPointer(["api", "methods"]),
                        message: "\(method) \(r.path) is already served by function \(first)", fix: "give one of them another path or method"))
                } else {
                    owner[key] = name
                }
                if method == "OPTIONS", r.type == "rest", let cors = corsPaths[r.path] {
                    found.append(RouteFinding(rule: "FN-API-ROUTE-CONFLICT", file: r.file, pointer: JSONPointer(["api", "methods"]),
                        message: "OPTIONS \(r.path) is answered by the CORS preflight (function \(cors) configures cors on this path)", fix: "remove OPTIONS from api.methods"))
                }
            }
            // API Gateway allows one variable path part per level ("/a/{id}" and "/a/{name}" cannot coexist).
            var parent = r.type + " "
            for segment in r.path.split(separator: "/") {
                if segment.hasPrefix("{") {
                    if let first = variables[parent], first.segment != segment {
                        found.append(RouteFinding(rule: "FN-API-PATH-CONFLICT", file: r.file, pointer: JSONPointer(["api", "path"]),
                            message: "\(r.path) has \(segment) where function \(first.function) has \(first.segment) below \(parent.hasSuffix(" ") ? "/" : String(parent.drop { $0 != " " }.dropFirst())); API Gateway allows one variable path part per level",
                            fix: "use \(first.segment) here too"))
                        break
                    }
                    if variables[parent] == nil { variables[parent] = (String(segment), name) }
                }
                parent += "/" + segment
            }
            if let target = r.authorizerFunction, functions[target] == nil {
                found.append(RouteFinding(rule: "FN-API-AUTHORIZER", file: r.file, pointer: JSONPointer(["api", "authorizer_function"]),
                    message: "api.authorizer_function names no function of the registry (\"\(target)\")",
                    fix: closestMatch(target, in: Array(functions.keys)).map { "did you mean \"\($0)\"?" } ?? "name a function of lambda_functions/"))
            }
        }
        return found
    }
}
