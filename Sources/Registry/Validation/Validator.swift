import Foundation

/// Checks one configuration (a `function.json` or an effective configuration) against the seed's
/// format and Lambda's limits. Stateless; `today` decides runtime lifecycle rules.
public struct ConfigValidator {
    /// The calendar day ("YYYY-MM-DD") against which runtime lifecycle dates are judged.
    public var today: String
    /// Secret-detection findings allowed by the repository's allow-list, as (function, pointer).
    public var allowedSecrets: Set<String> = []

    /// A validator judging runtime lifecycle dates at `today` (YYYY-MM-DD).
    public init(today: String) { self.today = today }

    /// Changes whenever a rule changes: documents stored under other rules are validated again.
    public static let rulesVersion = "7"

    /// Whether the function existed in the previous revision (decides create-block).
    public enum Lifecycle { case skip, newFunction, existingFunction }

    /// Only the runtime lifecycle rules (deprecated, create-block, update-block) for `config`.
    public func lifecycle(_ config: JSONValue, file: String, isNew: Bool) -> [Diagnostic] {
        guard let runtime = config["runtime"]?.stringValue, LambdaLimits.runtimes.contains(runtime) else { return [] }
        var v = Run(file: file, validator: self)
        v.runtime(runtime, lifecycle: isNew ? .newFunction : .existingFunction, onlyLifecycle: true)
        return v.diagnostics
    }

    /// All diagnostics for `config`, reported against `file`. With `only`, just the rules about those
    /// top-level fields run (every rule is about one field, except the handler's format, which also
    /// depends on the runtime): an effective configuration re-checks only what its patches changed.
    public func validate(_ config: JSONValue, file: String, lifecycle: Lifecycle = .newFunction, only: Set<String>? = nil) -> [Diagnostic] {
        var v = Run(file: file, validator: self)
        v.only = only.map(Array.init)
        v.config(config, lifecycle: lifecycle)
        return v.diagnostics
    }
}

extension ConfigValidator {
    /// Fields whose rules are each about one member, plus one about all members together (a count or
    /// a size): `environment_variables` and `tags`. For them, validating a value equals validating
    /// each member on its own (`memberFindings`) plus the whole (`aggregateFindings`); secret
    /// detection is per member too. An environment.json that adds a variable to every function is
    /// checked once for its members and per function only for the sum.
    public static let memberwiseFields: Set<String> = ["environment_variables", "tags"]

    /// The per-member findings (secrets included) of `object` as the value of `field`, for any function:
    /// the secrets allow-list, which is per function, is not applied (the caller filters by function).
    func memberFindings(field: String, _ object: JSONObject, file: String) -> [Diagnostic] {
        var unfiltered = self
        unfiltered.allowedSecrets = []
        var v = Run(file: file, validator: unfiltered)
        let p = JSONPointer.root.appending(field)
        for m in object {
            if field == "environment_variables" { v.environmentVariable(m, p) } else { v.tag(m, p) }
            v.memberSecrets(m, p)
        }
        return v.diagnostics
    }

    /// The secrets in a stored document on its own (an environment.json, an override), whether or
    /// not any effective configuration shows them: every value and member name. The allow-list applies
    /// for `function`, or, for a document of every function (nil), where it allows the pointer for any.
    public func documentSecrets(_ document: JSONValue, file: String, function: String?) -> [Diagnostic] {
        var scoped = self
        if function == nil {
            scoped.allowedSecrets = Set(allowedSecrets.map { entry in entry.firstIndex(of: " ").map { String(entry[$0...]) } ?? entry })
        }
        var v = Run(file: file, validator: scoped)
        v.functionName = function ?? ""
        guard case .object(let o) = document else { return [] }
        for m in o where m.key != FunctionSchema.schemaKey { v.memberSecrets(m, .root) }
        return v.diagnostics
    }

    /// The findings about `object` as a whole, as the value of `field` (a size, a count, a credential
    /// cut into several values); like `memberFindings`, without the allow-list.
    func aggregateFindings(field: String, _ object: JSONObject, file: String) -> [Diagnostic] {
        var unfiltered = self
        unfiltered.allowedSecrets = []
        var v = Run(file: file, validator: unfiltered)
        let p = JSONPointer.root.appending(field)
        if field == "environment_variables" { v.environmentSize(object, p) } else { v.tagCount(object, p) }
        var path = p.tokens
        v.splitSecrets(object, &path)
        return v.diagnostics
    }
}

/// One validation pass collecting diagnostics.
struct Run {
    let file: String
    let validator: ConfigValidator
    var diagnostics: [Diagnostic] = []
    var functionName = ""
    /// A handful of field names at most: a linear scan beats hashing on this hot path.
    var only: [String]?

    func checks(_ field: String) -> Bool { only?.contains(field) ?? true }

    init(file: String, validator: ConfigValidator) {
        self.file = file
        self.validator = validator
    }

    mutating func report(_ rule: String, _ pointer: JSONPointer, _ message: String, fix: String? = nil, severity: Diagnostic.Severity = .error) {
        diagnostics.append(Diagnostic(rule, severity, file: file, pointer: pointer, message: message, fix: fix))
    }

    // MARK: - Shapes

    mutating func expectObject(_ value: JSONValue, _ p: JSONPointer, _ what: String) -> JSONObject? {
        guard let o = value.objectValue else {
            report("FN-TYPE", p, "\(what) must be an object, found \(value.typeDescription)")
            return nil
        }
        return o
    }

    mutating func expectString(_ value: JSONValue, _ p: JSONPointer, _ what: String) -> String? {
        guard let s = value.stringValue else {
            report("FN-TYPE", p, "\(what) must be a string, found \(value.typeDescription)")
            return nil
        }
        return s
    }

    mutating func expectBool(_ value: JSONValue, _ p: JSONPointer, _ what: String) {
        if value.boolValue == nil { report("FN-TYPE", p, "\(what) must be true or false, found \(value.typeDescription)") }
    }

    mutating func expectInteger(_ value: JSONValue, _ p: JSONPointer, _ what: String) -> Int? {
        guard let n = value.numberValue, n == n.rounded(), abs(n) < 1e15 else {
            report("FN-TYPE", p, "\(what) must be an integer, found \(value.typeDescription)")
            return nil
        }
        return Int(n)
    }

    mutating func expectStringArray(_ value: JSONValue, _ p: JSONPointer, _ what: String) -> [String]? {
        guard let a = value.arrayValue else {
            report("FN-TYPE", p, "\(what) must be an array of strings, found \(value.typeDescription)")
            return nil
        }
        var out: [String] = []
        for (i, e) in a.enumerated() {
            if let s = expectString(e, p.appending(i), "each element of \(what)") { out.append(s) }
        }
        return out.count == a.count ? out : nil
    }

    /// String or list of strings, as IAM's grammar allows for Action and Resource.
    mutating func expectStringOrList(_ value: JSONValue, _ p: JSONPointer, _ what: String) -> [(String, JSONPointer)]? {
        if let s = value.stringValue { return [(s, p)] }
        guard let a = value.arrayValue, !a.isEmpty else {
            report("FN-TYPE", p, "\(what) must be a string or a non-empty array of strings, found \(value.typeDescription)")
            return nil
        }
        var out: [(String, JSONPointer)] = []
        for (i, e) in a.enumerated() {
            if let s = expectString(e, p.appending(i), "each element of \(what)") { out.append((s, p.appending(i))) }
        }
        return out
    }

    mutating func unknownFields(_ o: JSONObject, _ p: JSONPointer, allowed: [String], what: String, ignoring: [String] = []) {
        for key in o.keys where !allowed.contains(key) && !ignoring.contains(key) {
            let suggestion = closestMatch(key, in: allowed)
            report("FN-UNKNOWN-FIELD", p.appending(key), "unknown field \(Redaction.quoted(key)) in \(what)",
                   fix: suggestion.map { "did you mean \"\($0)\"?" } ?? "allowed fields are \(allowed.joined(separator: ", "))")
        }
    }

    // MARK: - The configuration

    mutating func config(_ value: JSONValue, lifecycle: ConfigValidator.Lifecycle) {
        guard let o = expectObject(value, .root, "a function configuration") else { return }
        let root = JSONPointer.root
        if let only {
            var unknown = JSONObject()
            for key in only { if let v = o[key] { unknown[key] = v } }
            unknownFields(unknown, root, allowed: FunctionSchema.topLevelFields, what: "the function configuration", ignoring: [FunctionSchema.schemaKey])
        } else {
            unknownFields(o, root, allowed: FunctionSchema.topLevelFields, what: "the function configuration", ignoring: [FunctionSchema.schemaKey])
        }
        for key in FunctionSchema.required where checks(key) && (o[key] == nil || o[key]!.isNull) {
            report("FN-REQUIRED", root.appending(key), "required field \"\(key)\" is \(o[key] == nil ? "missing" : "null")",
                   fix: "add \"\(key)\" as a string")
        }
        functionName = o["name"]?.stringValue ?? ""
        if checks("name"), let v = o["name"], !v.isNull, let name = expectString(v, root.appending("name"), "name") { self.name(name) }
        if checks("description"), let v = o["description"], !v.isNull, let d = expectString(v, root.appending("description"), "description"),
           d.utf16.count > LambdaLimits.descriptionMaximum {
            report("FN-DESCRIPTION-LENGTH", root.appending("description"), "description has \(d.utf16.count) characters; Lambda allows at most \(LambdaLimits.descriptionMaximum)", fix: "shorten it")
        }
        var runtime: String?
        if let v = o["runtime"], !v.isNull {
            if checks("runtime") {
                if let r = expectString(v, root.appending("runtime"), "runtime") { runtime = r; self.runtime(r, lifecycle: lifecycle) }
            } else {
                runtime = v.stringValue
            }
        }
        if checks("handler") || checks("runtime"), let v = o["handler"], !v.isNull, let h = expectString(v, root.appending("handler"), "handler") {
            handler(h, runtime: runtime)
        }
        let timeouts = LambdaLimits.timeoutRange, memory = LambdaLimits.memoryRange
        if checks("timeout"), let v = o["timeout"], !v.isNull, let t = expectInteger(v, root.appending("timeout"), "timeout"), !timeouts.contains(t) {
            report("FN-TIMEOUT-RANGE", root.appending("timeout"), "timeout must be between \(timeouts.lowerBound) and \(timeouts.upperBound) seconds, found \(t)",
                   fix: "set \"timeout\" within \(timeouts.lowerBound)–\(timeouts.upperBound)")
        }
        if checks("memory_size"), let v = o["memory_size"], !v.isNull, let m = expectInteger(v, root.appending("memory_size"), "memory_size"), !memory.contains(m) {
            report("FN-MEMORY-RANGE", root.appending("memory_size"), "memory_size must be between \(memory.lowerBound) and \(memory.upperBound) MB, found \(m)",
                   fix: "set \"memory_size\" within \(memory.lowerBound)–\(memory.upperBound)")
        }
        if checks("layers"), let v = o["layers"], !v.isNull { layers(v, root.appending("layers")) }
        if checks("api"), let v = o["api"], !v.isNull { api(v, root.appending("api")) }
        if checks("environment_variables"), let v = o["environment_variables"], !v.isNull { environment(v, root.appending("environment_variables")) }
        if checks("additional_policies"), let v = o["additional_policies"], !v.isNull { policies(v, root.appending("additional_policies")) }
        if checks("vpc_config"), let v = o["vpc_config"], !v.isNull { vpc(v, root.appending("vpc_config")) }
        if checks("dead_letter_config"), let v = o["dead_letter_config"], !v.isNull { deadLetter(v, root.appending("dead_letter_config")) }
        if checks("tracing_config"), let v = o["tracing_config"], !v.isNull { tracing(v, root.appending("tracing_config")) }
        if checks("tags"), let v = o["tags"], !v.isNull { tags(v, root.appending("tags")) }
        features(o)
        for m in o where checks(m.key) { memberSecrets(m, root) }
    }

    mutating func name(_ name: String) {
        functionName = name
        let p = JSONPointer.root.appending("name")
        if name.isEmpty || name.utf8.count > LambdaLimits.functionNameMaximum || !name.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) {
            let example = String(name.prefix(64).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" })
            report("FN-NAME", p, "function name \(Redaction.quoted(name)) must be 1–64 characters of letters, digits, '-' and '_'",
                   fix: Redaction.mayBeSecret(name) || example.isEmpty ? "rename it" : "rename it, e.g. \(Redaction.quoted(example))")
        }
    }

    mutating func runtime(_ runtime: String, lifecycle: ConfigValidator.Lifecycle, onlyLifecycle: Bool = false) {
        let p = JSONPointer.root.appending("runtime")
        guard LambdaLimits.runtimes.contains(runtime) else {
            let suggestion = closestMatch(runtime, in: LambdaLimits.runtimes)
            report("FN-RUNTIME-UNKNOWN", p, "\(Redaction.quoted(runtime)) is not a Lambda runtime",
                   fix: suggestion.map { "did you mean \"\($0)\"?" } ?? "use one of Lambda's runtimes such as python3.13 or nodejs22.x")
            return
        }
        if !onlyLifecycle, let needed = LambdaLimits.providerRuntimeMinimum[runtime] {
            let alternative = runtimeSuccessor(runtime, today: validator.today)
            report("FN-RUNTIME-PROVIDER", p, "runtime \(runtime) is not known to the hashicorp/aws provider \(LambdaLimits.providerMinimum) the Terraform modules are planned with (it needs \(needed)), so the plan would fail",
                   fix: alternative.map { "use \($0) until the modules require a provider that knows \(runtime)" } ?? "use a runtime the provider knows")
        }
        guard lifecycle != .skip, let dates = LambdaLimits.lifecycle[runtime] else { return }
        let today = validator.today
        let successor = runtimeSuccessor(runtime, today: validator.today).map { "move to \($0)" } ?? "move to a supported runtime"
        if today >= dates.updateBlock {
            report("FN-RUNTIME-UPDATE-BLOCKED", p, "runtime \(runtime) can no longer be updated since \(dates.updateBlock)", fix: successor)
        } else if today >= dates.createBlock && lifecycle == .newFunction {
            report("FN-RUNTIME-CREATE-BLOCKED", p, "runtime \(runtime) cannot be used for new functions since \(dates.createBlock)", fix: successor)
        } else if today >= dates.deprecated {
            report("FN-RUNTIME-DEPRECATED", p, "runtime \(runtime) is deprecated since \(dates.deprecated)", fix: successor, severity: .warning)
        }
    }

    mutating func handler(_ handler: String, runtime: String?) {
        let p = JSONPointer.root.appending("handler")
        if handler.isEmpty || handler.utf8.count > LambdaLimits.handlerMaximum || handler.unicodeScalars.contains(where: { $0.properties.isWhitespace }) {
            report("FN-HANDLER", p, "handler must be 1–\(LambdaLimits.handlerMaximum) characters without whitespace", fix: "use the form \"module.function\"")
            return
        }
        if let runtime, runtime.hasPrefix("python") || runtime.hasPrefix("nodejs") || runtime.hasPrefix("ruby") {
            let parts = handler.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count < 2 || parts.contains(where: \.isEmpty) {
                report("FN-HANDLER", p, "handler \(Redaction.quoted(handler)) must have the form \"module.function\" for \(runtime)", fix: "e.g. \"index.lambda_handler\"")
            }
        }
    }

    mutating func layers(_ value: JSONValue, _ p: JSONPointer) {
        guard let arns = expectStringArray(value, p, "layers") else { return }
        let maximum = LambdaLimits.layersMaximum
        if arns.count > maximum { report("FN-LAYERS-COUNT", p, "a function can use at most \(maximum) layers, found \(arns.count)", fix: "remove \(arns.count - maximum)") }
        for (i, arn) in arns.enumerated() where !isLayerArn(arn) {
            report("FN-LAYER-ARN", p.appending(i), "\(Redaction.quoted(arn)) is not a layer version ARN", fix: "use arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION")
        }
    }

    mutating func api(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "api") else { return }
        unknownFields(o, p, allowed: FunctionSchema.apiFields, what: "api")
        if let path = o["path"] {
            if let s = expectString(path, p.appending("path"), "api.path") { apiPath(s, p.appending("path")) }
        } else {
            report("FN-REQUIRED", p.appending("path"), "api requires \"path\"", fix: "add a path such as \"/devices/{deviceId}\"")
        }
        var methods: [String] = []
        if let m = o["methods"] {
            if let list = expectStringArray(m, p.appending("methods"), "api.methods") {
                if list.isEmpty { report("FN-API-METHOD", p.appending("methods"), "api.methods must list at least one HTTP method") }
                for (i, method) in list.enumerated() where !FunctionSchema.httpMethods.contains(method) {
                    let upper = FunctionSchema.httpMethods.contains(method.uppercased()) ? method.uppercased() : closestMatch(method, in: FunctionSchema.httpMethods)
                    report("FN-API-METHOD", p.appending("methods").appending(i), "\(Redaction.quoted(method)) is not an HTTP method", fix: upper.map { "did you mean \"\($0)\"?" } ?? "use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY")
                }
                methods = list
            }
        } else {
            report("FN-REQUIRED", p.appending("methods"), "api requires \"methods\"", fix: "add e.g. [\"GET\"]")
        }
        var httpAPI = false
        if let t = o["type"], !t.isNull, let type = expectString(t, p.appending("type"), "api.type") {
            if !LambdaLimits.apiTypes.contains(type) {
                report("FN-API-TYPE", p.appending("type"), "api.type must be rest (API Gateway REST API, the default) or http (HTTP API), found \(Redaction.quoted(type))",
                       fix: closestMatch(type, in: LambdaLimits.apiTypes).map { "did you mean \"\($0)\"?" })
            }
            httpAPI = type == "http"
        }
        if httpAPI {
            // What an HTTP API cannot do: refused rather than dropped.
            for key in ["request_validator", "request_parameters"] where o[key] != nil && o[key]?.isNull == false {
                report("FN-API-TYPE", p.appending(key), "an HTTP API (api.type http) has no \(key)", fix: "remove \(key), or use api.type rest")
            }
            if o["authorizer"]?.stringValue == "cognito" {
                report("FN-API-AUTHORIZER", p.appending("authorizer"), "the cognito authorizer is a REST API's; an HTTP API would need a JWT authorizer with an audience",
                       fix: "use api.type rest, or the iam or lambda authorizer")
            }
        }
        authorizer(o, p)
        if let c = o["cors"], !c.isNull, let cors = expectObject(c, p.appending("cors"), "api.cors") {
            let cp = p.appending("cors")
            unknownFields(cors, cp, allowed: FunctionSchema.corsFields, what: "api.cors")
            for key in ["allowed_origins", "allowed_headers", "allowed_methods", "expose_headers"] {
                if let v = cors[key] { _ = expectStringArray(v, cp.appending(key), "api.cors.\(key)") }
            }
            if let v = cors["max_age"] { _ = expectInteger(v, cp.appending("max_age"), "api.cors.max_age") }
            if let v = cors["allow_credentials"] { expectBool(v, cp.appending("allow_credentials"), "api.cors.allow_credentials") }
            if let allowed = cors["allowed_methods"]?.arrayValue?.compactMap(\.stringValue) {
                for (i, m) in allowed.enumerated() where !FunctionSchema.httpMethods.contains(m) && m != "*" {
                    report("FN-API-METHOD", cp.appending("allowed_methods").appending(i), "\(Redaction.quoted(m)) is not an HTTP method")
                }
                // Every method the API serves must be allowed; OPTIONS is the preflight itself (answered
                // by the CORS configuration, never checked against it). ANY serves every method: with an
                // explicit list, browsers may call only the listed ones, which is allowed but worth a warning.
                if !allowed.contains("ANY") && !allowed.contains("*") {
                    let missing = methods.filter { FunctionSchema.httpMethods.contains($0) && $0 != "ANY" && $0 != "OPTIONS" && !allowed.contains($0) }
                    if !missing.isEmpty {
                        report("FN-API-CORS-METHODS", cp.appending("allowed_methods"), "CORS allowed_methods does not cover \(missing.joined(separator: ", ")) of api.methods",
                               fix: "add \(missing.map { "\"\($0)\"" }.joined(separator: ", "))")
                    }
                    if methods.contains("ANY") {
                        report("FN-API-CORS-METHODS", cp.appending("allowed_methods"),
                               "api.methods is ANY but CORS allows only \(allowed.filter { FunctionSchema.httpMethods.contains($0) }.joined(separator: ", ")); browsers may call no other method",
                               fix: "add \"ANY\" to allowed_methods, or list the methods the API serves", severity: .warning)
                    }
                }
            }
        }
        if let r = o["request_parameters"], !r.isNull, let params = expectObject(r, p.appending("request_parameters"), "api.request_parameters") {
            for m in params {
                let pp = p.appending("request_parameters").appending(m.key)
                let parts = m.key.split(separator: ".")
                if parts.count < 4 || parts[0] != "method" || parts[1] != "request" || !["path", "querystring", "header", "multivalueheader", "multivaluequerystring"].contains(parts[2]) {
                    report("FN-API-PARAMETER", pp, "\(Redaction.quoted(m.key)) is not a request parameter name", fix: "use method.request.(path|querystring|header).NAME")
                }
                expectBool(m.value, pp, "a request parameter's required flag")
            }
        }
        if let r = o["request_validator"], !r.isNull, let rv = expectObject(r, p.appending("request_validator"), "api.request_validator") {
            unknownFields(rv, p.appending("request_validator"), allowed: FunctionSchema.requestValidatorFields, what: "api.request_validator")
            for m in rv where FunctionSchema.requestValidatorFields.contains(m.key) {
                expectBool(m.value, p.appending("request_validator").appending(m.key), "api.request_validator.\(m.key)")
            }
        }
    }

    /// `authorizer` is cognito (with an optional user pool ARN), iam, or lambda (a function of the
    /// registry in `authorizer_function`, or a Lambda function's ARN in `authorizer_arn`). Any other
    /// value is refused: the modules would have to deploy the method without authorization.
    mutating func authorizer(_ o: JSONObject, _ p: JSONPointer) {
        let ap = p.appending("authorizer"), arnPointer = p.appending("authorizer_arn"), fp = p.appending("authorizer_function")
        var kind: String?
        if let a = o["authorizer"], !a.isNull, let s = expectString(a, ap, "api.authorizer") {
            if LambdaLimits.authorizers.contains(s) {
                kind = s
            } else {
                report("FN-API-AUTHORIZER", ap, "api.authorizer \(Redaction.quoted(s)) is not an authorizer the modules can deploy (\(LambdaLimits.authorizers.joined(separator: ", "))); the method would be open",
                       fix: closestMatch(s, in: LambdaLimits.authorizers).map { "did you mean \"\($0)\"?" } ?? "use cognito, iam or lambda, or remove it for an open method")
                return
            }
        }
        var arn: String?, function: String?
        if let v = o["authorizer_arn"], !v.isNull { arn = expectString(v, arnPointer, "api.authorizer_arn") }
        if let v = o["authorizer_function"], !v.isNull { function = expectString(v, fp, "api.authorizer_function") }
        switch kind {
        case nil:
            if arn != nil || function != nil {
                report("FN-API-AUTHORIZER", arn != nil ? arnPointer : fp, "authorizer_arn and authorizer_function need api.authorizer", fix: "add \"authorizer\": \"lambda\" or \"cognito\", or remove them")
            }
        case "iam":
            if arn != nil || function != nil {
                report("FN-API-AUTHORIZER", arn != nil ? arnPointer : fp, "the iam authorizer takes no authorizer_arn or authorizer_function", fix: "remove them")
            }
        case "cognito":
            if function != nil { report("FN-API-AUTHORIZER", fp, "the cognito authorizer takes a user pool in authorizer_arn, not a function", fix: "remove authorizer_function") }
            if let arn, !isUserPoolArn(arn) {
                report("FN-API-AUTHORIZER", arnPointer, "\(Redaction.quoted(arn)) is not a Cognito user pool ARN", fix: "use arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID")
            }
        default:  // lambda
            if (arn == nil) == (function == nil) {
                report("FN-API-AUTHORIZER", arn == nil ? fp : arnPointer, "a lambda authorizer names exactly one of authorizer_function (a function of the registry) or authorizer_arn (a Lambda function's ARN)",
                       fix: arn == nil ? "add \"authorizer_function\": \"NAME\"" : "remove one of them")
            }
            if let arn, !isLambdaFunctionArn(arn) {
                report("FN-API-AUTHORIZER", arnPointer, "\(Redaction.quoted(arn)) is not a Lambda function ARN", fix: "use arn:aws:lambda:REGION:ACCOUNT:function:NAME")
            }
            if let function, !isFunctionName(function) {
                report("FN-API-AUTHORIZER", fp, "\(Redaction.quoted(function)) is not a function name", fix: "name a function of the registry")
            }
        }
    }

    mutating func apiPath(_ path: String, _ p: JSONPointer) {
        guard path.hasPrefix("/") else {
            report("FN-API-PATH", p, "api.path \(Redaction.quoted(path)) must begin with '/'", fix: Redaction.mayBeSecret(path) ? "begin it with '/'" : "use \(Redaction.quoted("/" + path))")
            return
        }
        if path == "/" { return }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            if segment.isEmpty {
                report("FN-API-PATH", p, "api.path \(Redaction.quoted(path)) has an empty segment", fix: "remove the doubled or trailing '/'")
                return
            }
            if segment.hasPrefix("{") || segment.hasSuffix("}") || segment.contains("{") || segment.contains("}") {
                var inner = segment
                guard inner.hasPrefix("{") && inner.hasSuffix("}") && inner.count >= 3 else {
                    report("FN-API-PATH", p, "segment \(Redaction.quoted(String(segment))) of api.path is not a well-formed {param}", fix: "use {name} for a whole segment")
                    return
                }
                inner = inner.dropFirst().dropLast()
                var greedy = false
                if inner.hasSuffix("+") { greedy = true; inner = inner.dropLast() }
                if greedy && i != segments.count - 1 {
                    report("FN-API-PATH", p, "greedy parameter \(Redaction.quoted("{" + inner + "+}")) must be the last segment of api.path")
                    return
                }
                if inner.isEmpty || !inner.utf8.allSatisfy(isPathPartByte) {
                    report("FN-API-PATH", p, "parameter \(Redaction.quoted(String(segment))) of api.path must be {name} with letters, digits, '.', '_' or '-'")
                    return
                }
            } else if !segment.utf8.allSatisfy(isPathPartByte) {
                report("FN-API-PATH", p, "segment \(Redaction.quoted(String(segment))) of api.path may hold only letters, digits, '.', '_' and '-' (API Gateway's rule for a resource path part)",
                       fix: "rename the segment")
                return
            }
        }
    }

    mutating func environment(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "environment_variables") else { return }
        for m in o { environmentVariable(m, p) }
        environmentSize(o, p)
    }

    /// The rules about one variable (its name and its value's type).
    mutating func environmentVariable(_ m: JSONMember, _ p: JSONPointer) {
        // Pointers are built only for a finding: this runs for every function when environment.json changes.
        var kp: JSONPointer { p.appending(m.key) }
        if !isEnvironmentKey(m.key) {
            let example = String(m.key.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }.prefix(60))
            report("FN-ENV-KEY", kp, "environment variable name \(Redaction.quoted(m.key)) must match [a-zA-Z][a-zA-Z0-9_]+",
                   fix: Redaction.mayBeSecret(m.key) || example.isEmpty ? "rename it" : "rename it, e.g. \(Redaction.quoted(example))")
        } else if LambdaLimits.reservedEnvironmentKeys.contains(m.key) {
            report("FN-ENV-RESERVED", kp, "\"\(m.key)\" is reserved by Lambda", fix: "choose another name")
        }
        if m.value.stringValue == nil { _ = expectString(m.value, kp, "environment variable \(Redaction.quoted(m.key))") }
    }

    /// The rule about all variables together (Lambda's 4 KB limit).
    mutating func environmentSize(_ o: JSONObject, _ p: JSONPointer) {
        var size = 0
        for m in o { if case .string(let s) = m.value { size += m.key.utf8.count + s.utf8.count } }
        if size > LambdaLimits.environmentSizeMaximum {
            report("FN-ENV-SIZE", p, "environment variables take \(size) bytes; Lambda allows \(LambdaLimits.environmentSizeMaximum) in total", fix: "move large values to SSM Parameter Store")
        }
    }

    mutating func policies(_ value: JSONValue, _ p: JSONPointer) {
        guard let statements = value.arrayValue else {
            report("FN-TYPE", p, "additional_policies must be an array of IAM statements, found \(value.typeDescription)")
            return
        }
        for (i, s) in statements.enumerated() {
            let sp = p.appending(i)
            guard let o = expectObject(s, sp, "an IAM statement") else { continue }
            unknownFields(o, sp, allowed: FunctionSchema.statementFields, what: "an IAM statement")
            if let e = o["Effect"] {
                if let effect = expectString(e, sp.appending("Effect"), "Effect"), effect != "Allow" && effect != "Deny" {
                    report("FN-IAM-EFFECT", sp.appending("Effect"), "Effect must be \"Allow\" or \"Deny\", found \(Redaction.quoted(effect))", fix: effect.lowercased() == "allow" ? "write \"Allow\"" : effect.lowercased() == "deny" ? "write \"Deny\"" : nil)
                }
            } else {
                report("FN-IAM-REQUIRED", sp.appending("Effect"), "an IAM statement requires Effect", fix: "add \"Effect\": \"Allow\"")
            }
            let actionKey = o["Action"] != nil ? "Action" : o["NotAction"] != nil ? "NotAction" : nil
            if let actionKey, let actions = expectStringOrList(o[actionKey]!, sp.appending(actionKey), actionKey) {
                for (a, ap) in actions where !isIAMAction(a) {
                    report("FN-IAM-ACTION", ap, "\(Redaction.quoted(a)) is not an IAM action", fix: "use service:Action, e.g. \"dynamodb:GetItem\"")
                }
            } else if actionKey == nil {
                report("FN-IAM-REQUIRED", sp.appending("Action"), "an IAM statement requires Action", fix: "add the actions the function needs")
            }
            let resourceKey = o["Resource"] != nil ? "Resource" : o["NotResource"] != nil ? "NotResource" : nil
            if let resourceKey, let resources = expectStringOrList(o[resourceKey]!, sp.appending(resourceKey), resourceKey) {
                for (r, rp) in resources {
                    if let problem = policyResourceProblem(r) {
                        report("FN-IAM-RESOURCE", rp, "\(Redaction.quoted(r)) \(problem.message)", fix: problem.fix)
                    }
                }
            } else if resourceKey == nil {
                report("FN-IAM-REQUIRED", sp.appending("Resource"), "an IAM statement requires Resource", fix: "add the resource ARNs")
            }
            if let c = o["Condition"], !c.isNull { _ = expectObject(c, sp.appending("Condition"), "Condition") }
            if let sid = o["Sid"], let s = expectString(sid, sp.appending("Sid"), "Sid"), !s.utf8.allSatisfy(isAlnum) {
                report("FN-IAM-SID", sp.appending("Sid"), "Sid must hold only letters and digits")
            }
        }
        // IAM allows 10,240 characters (whitespace aside) of inline policy per role; the role's policy
        // holds these statements and, with a dead-letter queue, one more of at most ~240.
        let size = JSONWriter.canonicalBytes(["Version": "2012-10-17", "Statement": value]).count
        if size > Self.inlinePolicyLimit {
            report("FN-IAM-POLICY-SIZE", p, "these statements make an inline policy of \(size) characters; IAM allows \(Self.inlinePolicyLimit) per role (10,240 less room for the dead-letter statement)",
                   fix: "merge statements, use wildcards in Resource, or attach a managed policy")
        }
    }

    static let inlinePolicyLimit = LambdaLimits.inlinePolicyMaximum - 240

    mutating func vpc(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "vpc_config") else { return }
        unknownFields(o, p, allowed: FunctionSchema.vpcFields, what: "vpc_config")
        for (key, prefix, maximum) in [("subnet_ids", "subnet-", LambdaLimits.subnetMaximum), ("security_group_ids", "sg-", LambdaLimits.securityGroupMaximum)] {
            guard let v = o[key], !v.isNull else {
                report("FN-VPC-INCOMPLETE", p.appending(key), "vpc_config requires both subnet_ids and security_group_ids; \(key) is missing", fix: "add \(key) or remove vpc_config")
                continue
            }
            guard let ids = expectStringArray(v, p.appending(key), "vpc_config.\(key)") else { continue }
            if ids.isEmpty { report("FN-VPC-INCOMPLETE", p.appending(key), "vpc_config.\(key) must not be empty") }
            if ids.count > maximum { report("FN-VPC-LIMIT", p.appending(key), "vpc_config.\(key) may list at most \(maximum), found \(ids.count)") }
            for (i, id) in ids.enumerated() where !(id.hasPrefix(prefix) && id.count > prefix.count && id.dropFirst(prefix.count).utf8.allSatisfy(isAlnum)) {
                report("FN-VPC-ID", p.appending(key).appending(i), "\(Redaction.quoted(id)) is not a \(prefix)… identifier")
            }
        }
        if let v = o["assign_public_ip"], !v.isNull { expectBool(v, p.appending("assign_public_ip"), "vpc_config.assign_public_ip") }
    }

    mutating func deadLetter(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "dead_letter_config") else { return }
        unknownFields(o, p, allowed: FunctionSchema.dlqFields, what: "dead_letter_config")
        if let t = o["target_arn"] {
            if let arn = expectString(t, p.appending("target_arn"), "dead_letter_config.target_arn"),
               !isDeadLetterTargetArn(arn) {
                report("FN-DLQ-ARN", p.appending("target_arn"), "\(Redaction.quoted(arn)) is not an SQS queue or SNS topic ARN", fix: "use arn:aws:sqs:REGION:ACCOUNT:QUEUE")
            }
        } else {
            report("FN-REQUIRED", p.appending("target_arn"), "dead_letter_config requires target_arn")
        }
        if let m = o["max_receive_count"], !m.isNull, let n = expectInteger(m, p.appending("max_receive_count"), "max_receive_count"), !LambdaLimits.deadLetterReceiveRange.contains(n) {
            report("FN-DLQ-RECEIVE-COUNT", p.appending("max_receive_count"), "max_receive_count must be between 1 and 1000, found \(n)")
        }
    }

    mutating func tracing(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "tracing_config") else { return }
        unknownFields(o, p, allowed: FunctionSchema.tracingFields, what: "tracing_config")
        guard let m = o["mode"] else {
            report("FN-REQUIRED", p.appending("mode"), "tracing_config requires mode", fix: "add \"mode\": \"PassThrough\"")
            return
        }
        if let mode = expectString(m, p.appending("mode"), "tracing_config.mode"), !LambdaLimits.tracingModes.contains(mode) {
            report("FN-TRACING-MODE", p.appending("mode"), "tracing mode must be Active or PassThrough, found \(Redaction.quoted(mode))", fix: closestMatch(mode, in: LambdaLimits.tracingModes).map { "did you mean \"\($0)\"?" })
        }
    }

    mutating func tags(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "tags") else { return }
        tagCount(o, p)
        for m in o { tag(m, p) }
    }

    mutating func tagCount(_ o: JSONObject, _ p: JSONPointer) {
        // The modules add their own tags to every resource; AWS allows 50 in all.
        let added = LambdaLimits.moduleTagKeys.filter { o[$0] == nil }
        if o.count + added.count > LambdaLimits.tagsMaximum {
            report("FN-TAGS-COUNT", p, "\(o.count) tags and the \(added.count) the Terraform modules add (\(added.joined(separator: ", "))) exceed AWS's \(LambdaLimits.tagsMaximum) per resource",
                   fix: "remove \(o.count + added.count - LambdaLimits.tagsMaximum) tags")
        }
    }

    mutating func tag(_ m: JSONMember, _ p: JSONPointer) {
        let tp = p.appending(m.key)
        if m.key.isEmpty || m.key.count > LambdaLimits.tagKeyMaximum { report("FN-TAG-KEY", tp, "tag keys must have 1–\(LambdaLimits.tagKeyMaximum) characters") }
        if m.key.lowercased().hasPrefix("aws:") { report("FN-TAG-KEY", tp, "tag keys may not start with \"aws:\"", fix: "rename the tag") }
        if case .string(let s) = m.value {
            let maximum = LambdaLimits.tagValueMaximum
            if s.utf8.count > maximum && s.count > maximum { report("FN-TAG-VALUE", tp, "tag values may have at most \(maximum) characters, found \(s.count)") }
        } else {
            _ = expectString(m.value, tp, "tag \(Redaction.quoted(m.key))")
        }
    }

    // MARK: - Secrets

    /// A member of the object at `p`: its name and everything in its value.
    mutating func memberSecrets(_ m: JSONMember, _ p: JSONPointer) {
        var path = p.tokens
        path.append(m.key)
        memberName(m.key, path)
        scanSecrets(m.value, &path)
    }

    private mutating func memberName(_ key: String, _ path: [String]) {
        if let kind = SecretScanner.knownFormat(key) {
            reportSecret(path, "this member's name looks like \(kind) (\(key.utf8.count) bytes, not shown)")
        }
    }

    /// Reports a credential at `path` unless the allow-list lets this function keep it there.
    private mutating func reportSecret(_ path: [String], _ what: String) {
        let p = JSONPointer(path)
        guard !validator.allowedSecrets.contains(functionName + " " + p.description) else { return }
        report("FN-SECRET", p, "\(what); secrets must not be stored in configuration",
               fix: "store it in Secrets Manager or SSM and reference its ARN")
    }

    /// Walks every string value and every member name; a pointer is built only for a finding (hot path).
    private mutating func scanSecrets(_ value: JSONValue, _ path: inout [String]) {
        switch value {
        case .string(let s):
            let key = path.count == 2 && path[0] == "environment_variables" ? path[1] : nil
            if let kind = SecretScanner.secretKind(value: s, name: key) {
                reportSecret(path, "value looks like \(kind) (\(s.utf8.count) bytes, not shown)")
            }
        case .array(let a):
            for (i, e) in a.enumerated() {
                path.append(String(i))
                scanSecrets(e, &path)
                path.removeLast()
            }
        case .object(let o):
            for m in o {
                path.append(m.key)
                memberName(m.key, path)
                scanSecrets(m.value, &path)
                path.removeLast()
            }
            splitSecrets(o, &path)
        default: break
        }
    }

    /// A credential cut into consecutive values (`KEY_PART1`, `KEY_PART2`): each part alone is not
    /// one, their concatenation is. Only formats that cannot arise by accident are looked for.
    mutating func splitSecrets(_ o: JSONObject, _ path: inout [String]) {
        guard o.count >= 2, o.contains(where: { if case .string(let s) = $0.value { return SecretScanner.mayBeginCredential(s) } else { return false } }) else { return }
        var strings: [(key: String, value: String)] = []
        for m in o { if case .string(let s) = m.value, !s.isEmpty { strings.append((m.key, s)) } }
        guard strings.count >= 2 else { return }
        for start in strings.indices where start + 1 < strings.count && SecretScanner.mayBeginCredential(strings[start].value) {
            var joined = strings[start].value
            for end in (start + 1)..<min(strings.count, start + 4) {
                joined += strings[end].value
                guard let kind = SecretScanner.distinctiveFormat(joined) else { continue }
                // Only when no shorter run already is one.
                let parts = strings[start...end]
                if parts.contains(where: { SecretScanner.distinctiveFormat($0.value) != nil }) { break }
                path.append(strings[start].key)
                reportSecret(path, "with the next \(end - start) value\(end - start == 1 ? "" : "s") (\(parts.dropFirst().map { Redaction.quoted($0.key) }.joined(separator: ", "))) this value forms \(kind) (\(joined.utf8.count) bytes, not shown)")
                path.removeLast()
                break
            }
        }
    }
}

// MARK: - Character classes and small grammars

@inline(__always) func isAlnum(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
}

func isEnvironmentKey(_ key: String) -> Bool {
    let u = Array(key.utf8)
    guard u.count >= 2, (u[0] >= 0x41 && u[0] <= 0x5A) || (u[0] >= 0x61 && u[0] <= 0x7A) else { return false }
    return u.dropFirst().allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") }
}

/// `arn:PARTITION:sqs|sns:REGION:ACCOUNT:NAME`: a queue or topic in an account and a region (the
/// provider refuses an ARN without them at plan time).
func isDeadLetterTargetArn(_ s: String) -> Bool {
    guard let arn = ARN(s), arn.service == "sqs" || arn.service == "sns" else { return false }
    return arn.hasRegionName && arn.hasAccountID && !arn.resource.isEmpty
}

/// A bare Lambda function name: 1–64 letters, digits, '-' and '_'.
func isFunctionName(_ s: String) -> Bool {
    !s.isEmpty && s.utf8.count <= LambdaLimits.functionNameMaximum && s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
func isLambdaFunctionArn(_ s: String) -> Bool {
    guard let arn = ARN(s), arn.service == "lambda", arn.hasRegionName, arn.hasAccountID else { return false }
    let rest = arn.resource.split(separator: ":", omittingEmptySubsequences: false)   // function:NAME[:QUALIFIER]
    guard rest.count == 2 || rest.count == 3, rest[0] == "function", isFunctionName(String(rest[1])) else { return false }
    return rest.count == 2 || (!rest[2].isEmpty && rest[2].utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "$") })
}

/// `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/REGION_ID`.
func isUserPoolArn(_ s: String) -> Bool {
    guard let arn = ARN(s), arn.service == "cognito-idp", !arn.region.isEmpty, arn.hasAccountID, arn.resource.hasPrefix("userpool/"),
          !arn.resource.contains(":") else { return false }
    let id = arn.resource.dropFirst("userpool/".count).split(separator: "_", omittingEmptySubsequences: false)
    return id.count == 2 && !id[0].isEmpty && !id[1].isEmpty && id[1].utf8.allSatisfy(isAlnum)
        && id[0].utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") }
}

/// API Gateway's resource path part: `[a-zA-Z0-9._-]` (and braces around a parameter).
@inline(__always) func isPathPartByte(_ b: UInt8) -> Bool {
    isAlnum(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
}

/// What is wrong with an IAM policy's Resource, or nil. IAM accepts `*`; an ARN whose account is 12
/// digits, empty, `aws` (AWS-owned resources: managed policies, public layers) or a wildcard, in any
/// partition or `*`; and a short form ending in a wildcard that stands for the rest (`arn:aws:logs:*`).
/// IAM's own ARNs have no region: IAM is global.
func policyResourceProblem(_ r: String) -> (message: String, fix: String)? {
    if r == "*" { return nil }
    let parts = r.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
    let fix = "use arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE or \"*\""
    guard parts.count >= 3, parts[0] == "arn" else { return ("is not an ARN or \"*\"", fix) }
    let wildcard: (Substring) -> Bool = { $0.contains("*") || $0.contains("?") }
    let partition = parts[1]
    guard partition == "*" || isPartition(partition) else { return ("has no AWS partition (aws, aws-cn, aws-us-gov, … or *)", fix) }
    let service = parts[2]
    guard !service.isEmpty, service.utf8.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }) else {
        return ("has no service name", fix)
    }
    if service == "iam", parts.count >= 5, parts[3].contains(where: { $0 != "*" }) {
        return ("names a region, but IAM is global: its ARNs have no region", "use arn:aws:iam::ACCOUNT:RESOURCE")
    }
    guard parts.count == 6 else {
        // IAM matches `*` across ':', so a trailing wildcard covers the missing parts.
        return r.hasSuffix("*") ? nil : ("has \(parts.count) of an ARN's 6 parts", fix + " (or end a shorter ARN with *)")
    }
    let region = parts[3], account = parts[4]
    guard region.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }) else {
        return ("has a region that is not one (lower-case letters, digits and '-')", fix)
    }
    let accountOK = account.isEmpty || account == "aws" || account == "cloudfront" || (account.count == 12 && account.allSatisfy(\.isNumber))
        || (wildcard(account) && account.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") })
    guard accountOK else { return ("has an account that is not 12 digits, \"aws\" or a wildcard", fix) }
    guard !parts[5].isEmpty else { return ("has no resource part", fix) }
    return nil
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b`, …
func isPartition(_ p: Substring) -> Bool {
    let words = p.split(separator: "-", omittingEmptySubsequences: false)
    return words[0] == "aws" && words.dropFirst().allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isLowercase } }
}

/// The runtime to move to from `runtime`: AWS's named successor when Lambda offers it and it is
/// not itself deprecated at `today`, else the newest supported runtime of the same language. Every
/// runtime this names validates on `today` (a test holds it to that).
func runtimeSuccessor(_ runtime: String, today: String) -> String? {
    func family(_ r: String) -> String {
        let letters = String(r.prefix { $0.isLetter })
        return letters == "dotnetcore" ? "dotnet" : letters
    }
    func supported(_ r: String) -> Bool {
        LambdaLimits.runtimes.contains(r) && !r.hasSuffix("-edge") && LambdaLimits.providerRuntimeMinimum[r] == nil
            && (LambdaLimits.lifecycle[r].map { today < $0.deprecated } ?? true)
    }
    if let named = LambdaLimits.lifecycle[runtime]?.successor, supported(named) { return named }
    let candidates = LambdaLimits.runtimes.filter { $0 != runtime && family($0) == family(runtime) && supported($0) }
    func version(_ r: String) -> [Int] { r.drop { $0.isLetter }.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } }
    return candidates.max { version($0).lexicographicallyPrecedes(version($1)) }
}

/// botocore LayerVersionArn: arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+
func isLayerArn(_ s: String) -> Bool {
    guard s.utf8.count <= LambdaLimits.layerArnMaximum else { return false }
    let parts = s.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 8, parts[0] == "arn", parts[2] == "lambda", parts[5] == "layer" else { return false }
    let word: (Substring) -> Bool = { !$0.isEmpty && $0.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") } }
    return word(parts[1]) && word(parts[3]) && parts[4].count == 12 && parts[4].allSatisfy(\.isNumber)
        && !parts[6].isEmpty && parts[6].utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        && !parts[7].isEmpty && parts[7].allSatisfy(\.isNumber)
}

/// `service:Action` with `*` wildcards, or `*`.
func isIAMAction(_ s: String) -> Bool {
    if s == "*" { return true }
    let parts = s.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
    return parts[0].utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") }
        && parts[1].utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }
}

/// The candidate within edit distance 2 of `word`, preferring the closest; nil when none is.
func closestMatch(_ word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        if d <= 2, best == nil || d < best!.1 { best = (c, d) }
    }
    if best == nil, word.count >= 3, let prefix = candidates.first(where: { $0.hasPrefix(word) || word.hasPrefix($0) }) { return prefix }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    if abs(x.count - y.count) > 3 { return 99 }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// `candidates` ordered by closeness to `word` (edit distance, ignoring case), the closest first:
/// the names a "did you mean" or "known names" message shows first. Candidates further than about
/// a third of the word's length are left out unless they share a prefix with it.
public func closestMatches(_ word: String, in candidates: [String], limit: Int = 5) -> [String] {
    let w = word.lowercased()
    let allowed = max(2, w.count / 3)
    let scored = candidates.map { c -> (String, Int) in
        let d = fullEditDistance(w, c.lowercased())
        return (c, d)
    }.filter { $0.1 <= allowed || ($0.0.lowercased().hasPrefix(w) && !w.isEmpty) || (w.hasPrefix($0.0.lowercased()) && $0.0.count >= 3) }
    return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : codePointLess($0.0, $1.0) }.prefix(limit).map(\.0)
}

/// All candidates with the closest first, then the rest in their order (for "known names" lists).
public func orderedByCloseness(_ word: String, _ candidates: [String]) -> [String] {
    let w = word.lowercased()
    return candidates.enumerated().map { ($0.element, fullEditDistance(w, $0.element.lowercased()), $0.offset) }
        .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.2 < $1.2 }.map(\.0)
}

/// Levenshtein distance without the early cut-off of `editDistance`.
func fullEditDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}
