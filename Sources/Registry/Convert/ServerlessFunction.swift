import Foundation

/// The conversion of one function of a serverless.yml: the provider's settings as defaults, the
/// function's own over them.
struct ServerlessFunction {
    let service: ServiceConversion
    let key: String
    let definition: JSONObject
    let provider: JSONObject
    var members: [String: JSONValue] = [:]
    var losses: [SAMConverter.Loss] = []
    var code: SAMConverter.Code = .none("no handler file found beside serverless.yml")
    var read: Set<String> = []

    init(service: ServiceConversion, key: String, definition: JSONValue) {
        self.service = service
        self.key = key
        self.definition = definition.objectValue ?? JSONObject()
        provider = service.root["provider"]?.objectValue ?? JSONObject()
    }

    var base: String { "/functions/\(key)" }

    mutating func lose(_ pointer: String, _ reason: String) { losses.append(.init(pointer: pointer, reason: reason)) }

    /// A value resolved, or nil (recorded when it cannot be known).
    mutating func resolved(_ raw: JSONValue?, _ pointer: String) -> JSONValue? {
        guard let raw else { return nil }
        switch service.resolve(raw) {
        case .value(let v): return v
        case .noValue: return nil
        case .unknown(let why): lose(pointer, why); return nil
        }
    }

    /// The function's own setting, else the provider's.
    mutating func setting(_ key: String, provider providerKey: String? = nil) -> JSONValue? {
        read.insert(key)
        if let own = definition[key] { return resolved(own, "\(base)/\(key)") }
        if let p = provider[providerKey ?? key] { return resolved(p, "/provider/\(providerKey ?? key)") }
        return nil
    }

    /// Maps merged key by key, the function's over the provider's.
    mutating func merged(_ key: String) -> JSONObject {
        read.insert(key)
        var out = JSONObject()
        for (raw, pointer) in [(provider[key], "/provider/\(key)"), (definition[key], "\(base)/\(key)")] {
            guard let o = raw?.objectValue else { continue }
            for m in o {
                switch service.resolve(m.value) {
                case .value(let v):
                    if let s = SAMConverter.text(v) { out[m.key] = .string(s) } else { lose("\(pointer)/\(m.key)", "not a string") }
                case .noValue: out[m.key] = nil
                case .unknown(let why): lose("\(pointer)/\(m.key)", why)
                }
            }
        }
        return out
    }

    mutating func convert() -> String? {
        read.formUnion(["name", "events", "package"])
        members["name"] = .string(service.names[key] ?? key)
        if definition["name"] != nil { lose("\(base)/name", "the deployed name is <environment>-\(service.names[key] ?? key); fnreg names the function by its key") }
        if definition["image"] != nil { return "a container image function (image): function.json describes zip functions with a runtime and a handler" }
        guard let handler = setting("handler")?.stringValue else { return "it has no handler that can be known now" }
        guard let runtime = setting("runtime")?.stringValue else { return "it has no runtime (neither its own nor the provider's)" }
        let description = setting("description")?.stringValue ?? ""
        members["description"] = .string(description.isEmpty ? "\(key), converted from serverless.yml" : description)
        members["runtime"] = .string(runtime)
        members["handler"] = .string(handler)
        if let t = setting("timeout") { members["timeout"] = number(t) }
        if let m = setting("memorySize") { members["memory_size"] = number(m) }
        if let l = setting("layers") { members["layers"] = l }
        let environment = merged("environment")
        if !environment.isEmpty { members["environment_variables"] = .object(environment) }
        let tags = merged("tags")
        if !tags.isEmpty { members["tags"] = .object(tags) }
        if let a = setting("architecture")?.stringValue { members["architectures"] = .array([.string(a)]) }
        if let e = setting("ephemeralStorageSize") { members["ephemeral_storage"] = number(e) }
        if let r = setting("reservedConcurrency") { members["reserved_concurrent_executions"] = number(r) }
        if let s = setting("snapStart"), s.boolValue == true { members["snap_start"] = ["apply_on": "PublishedVersions"] }
        if let v = setting("vpc") {
            var o = JSONObject()
            if let s = v["subnetIds"] { o["subnet_ids"] = s }
            if let g = v["securityGroupIds"] { o["security_group_ids"] = g }
            if !o.isEmpty { o["assign_public_ip"] = false; members["vpc_config"] = .object(o) }
        }
        if let d = setting("onError")?.stringValue { members["dead_letter_config"] = ["target_arn": .string(d)] }
        convertTracing()
        convertIAM()
        convertURL()
        convertCode(handler)
        convertEvents()
        for m in definition where !read.contains(m.key) {
            lose("\(base)/\(m.key)", ServerlessFunction.unsupported[m.key] ?? "function.json has no field for it")
        }
        return nil
    }

    func result() -> SAMConverter.Function {
        .init(logicalID: key, name: service.names[key] ?? key, fields: members, code: code, notCarried: losses)
    }

    func number(_ v: JSONValue) -> JSONValue { SAMConverter.number(v) }

    static let unsupported: [String: String] = [
        "provisionedConcurrency": "provisioned concurrency needs an alias, which function.json does not describe",
        "destinations": "function.json has no asynchronous invocation destinations",
        "maximumRetryAttempts": "function.json has no asynchronous invocation settings",
        "maximumEventAge": "function.json has no asynchronous invocation settings",
        "kmsKeyArn": "function.json has no customer-managed key for environment variables",
        "fileSystemConfig": "function.json has no EFS mounts",
        "disableLogs": "the modules always create the function's log group",
        "logRetentionInDays": "log retention is the environment's (the log_retention_days Terraform variable)",
        "condition": "conditions on whole resources are not carried",
        "dependsOn": "resource ordering is the modules'",
        "versionFunction": "fnreg's modules deploy $LATEST",
    ]

    // MARK: Parts

    mutating func convertTracing() {
        read.insert("tracing")
        if let t = definition["tracing"].flatMap({ resolved($0, "\(base)/tracing") }) {
            let mode = t.boolValue == true ? "Active" : t.stringValue.map { $0.lowercased() == "active" || $0 == "true" ? "Active" : "PassThrough" }
            if let mode { members["tracing_config"] = ["mode": .string(mode)] }
        } else if let lambda = provider["tracing"]?["lambda"].flatMap({ resolved($0, "/provider/tracing/lambda") }) {
            if lambda.boolValue == true || lambda.stringValue?.lowercased() == "active" || lambda.stringValue == "true" { members["tracing_config"] = ["mode": "Active"] }
        }
    }

    mutating func convertIAM() {
        read.insert("role")
        let role = definition["role"].map { ($0, "\(base)/role") } ?? (provider["iam"]?["role"]?.stringValue != nil ? (provider["iam"]!["role"]!, "/provider/iam/role") : nil)
            ?? provider["role"].map { ($0, "/provider/role") }
        if let (raw, pointer) = role {
            if let v = resolved(raw, pointer)?.stringValue {
                let arn = v.hasPrefix("arn:") ? v : "arn:\(service.context.partition):iam::\(service.context.accountID):role/\(v)"
                members["role_arn"] = .string(arn)
            }
            return
        }
        var statements: [JSONValue] = []
        var managed: [JSONValue] = []
        for (raw, pointer) in [(provider["iam"]?["role"]?["statements"], "/provider/iam/role/statements"), (provider["iamRoleStatements"], "/provider/iamRoleStatements")] {
            if let list = resolved(raw, pointer)?.arrayValue { statements += list }
        }
        for (raw, pointer) in [(provider["iam"]?["role"]?["managedPolicies"], "/provider/iam/role/managedPolicies"), (provider["iamManagedPolicies"], "/provider/iamManagedPolicies")] {
            if let list = resolved(raw, pointer)?.arrayValue { managed += list }
        }
        if !statements.isEmpty { members["additional_policies"] = .array(statements) }
        if !managed.isEmpty { members["managed_policies"] = .array(managed) }
    }

    mutating func convertURL() {
        guard let u = setting("url") else { return }
        if u.boolValue == true { members["function_url"] = ["auth_type": "NONE"]; return }
        guard let o = u.objectValue else { return }
        var url = JSONObject()
        url["auth_type"] = o["authorizer"]?.stringValue?.lowercased() == "aws_iam" ? "AWS_IAM" : "NONE"
        if o["invokeMode"] != nil { url["invoke_mode"] = o["invokeMode"] }
        if let c = o["cors"] {
            var cors = JSONObject()
            if c.boolValue == true { cors["allow_origins"] = ["*"] }
            for (from, to) in [("allowedOrigins", "allow_origins"), ("allowedHeaders", "allow_headers"), ("allowedMethods", "allow_methods"),
                               ("exposedResponseHeaders", "expose_headers"), ("maxAge", "max_age"), ("allowCredentials", "allow_credentials")] {
                if let v = c[from] { cors[to] = v }
            }
            if !cors.isEmpty { url["cors"] = .object(cors) }
        }
        members["function_url"] = .object(url)
    }

    /// The handler's module file (`src/orders.handler` → `src/orders.py`), copied keeping its path.
    mutating func convertCode(_ handler: String) {
        let directory = (service.path as NSString).deletingLastPathComponent
        let root = URL(fileURLWithPath: directory.isEmpty ? "." : directory).standardizedFileURL.resolvingSymlinksInPath().path
        guard let dot = handler.lastIndex(of: ".") else { return }
        let module = String(handler[..<dot])
        let runtime = members["runtime"]?.stringValue ?? ""
        let extensions = runtime.hasPrefix("python") ? ["py"] : runtime.hasPrefix("nodejs") ? ["js", "mjs", "cjs"] : runtime.hasPrefix("ruby") ? ["rb"] : []
        for ext in extensions {
            let relative = module + "." + ext
            let full = URL(fileURLWithPath: relative, relativeTo: URL(fileURLWithPath: root + "/")).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            guard full.hasPrefix(root + "/"), FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue,
                  (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) == nil else { continue }
            code = .files(root: root, paths: [String(full.dropFirst(root.count + 1))])
            lose(base + "/handler", "only the handler's file \(relative) is copied; the service's other files (shared modules, dependencies) are packaged whole by serverless: copy what the function needs beside its function.json")
            return
        }
        lose(base + "/handler", "no handler file for \(handler) beside serverless.yml (a build step, another runtime): put the function's code beside its function.json")
    }

    // MARK: Events

    mutating func convertEvents() {
        guard let list = definition["events"]?.arrayValue else { return }
        var sources: [JSONValue] = []
        var api: JSONObject?
        for (i, raw) in list.enumerated() {
            let pointer = "\(base)/events/\(i)"
            guard let event = raw.objectValue, event.count == 1, let (type, body0) = event.members.first.map({ ($0.key, $0.value) }) else {
                lose(pointer, "an event is one key (http, sqs, …) with its settings"); continue
            }
            guard let body = resolved(body0, "\(pointer)/\(type)") else { continue }
            let p = "\(pointer)/\(type)"
            func field(_ k: String) -> JSONValue? { body[k] }
            var known: Set<String> = []
            func take(_ k: String) -> JSONValue? { known.insert(k); return body[k] }
            var source = JSONObject()
            switch type {
            case "http", "httpApi":
                api = apiEvent(type, body, p, into: api)
                continue
            case "sqs":
                source["type"] = "sqs"
                source["queue_arn"] = body.stringValue.map(JSONValue.string) ?? take("arn")
                if let b = take("batchSize") { source["batch_size"] = number(b) }
                if let w = take("maximumBatchingWindow") { source["maximum_batching_window"] = number(w) }
            case "sns":
                source["type"] = "sns"
                let target = body.stringValue ?? take("arn")?.stringValue ?? take("topicName")?.stringValue
                guard let t = target else { lose(p, "an sns event without a topic"); continue }
                source["topic_arn"] = .string(t.hasPrefix("arn:") ? t : "arn:\(service.context.partition):sns:\(service.context.region):\(service.context.accountID):\(t)")
                if body.objectValue != nil { _ = take("arn"); _ = take("topicName") }
            case "s3":
                source["type"] = "s3"
                source["bucket"] = body.stringValue.map(JSONValue.string) ?? take("bucket")
                source["events"] = .array([take("event") ?? "s3:ObjectCreated:*"])
                for rule in take("rules")?.arrayValue ?? [] {
                    if let prefix = rule["prefix"] { source["prefix"] = prefix }
                    if let suffix = rule["suffix"] { source["suffix"] = suffix }
                }
                if take("existing")?.boolValue != true {
                    lose(p, "serverless creates this bucket; fnreg's modules expect it to exist (create it elsewhere)")
                }
            case "schedule":
                let rates = body.stringValue.map { [JSONValue.string($0)] } ?? (take("rate").map { $0.arrayValue ?? [$0] } ?? [])
                let enabled = take("enabled")
                for rate in rates {
                    var s = JSONObject([("type", "schedule"), ("expression", rate)])
                    if let enabled { s["enabled"] = enabled }
                    sources.append(.object(s))
                }
                for k in ["name", "description"] { known.insert(k) }
                reportUnknown(body, known, p)
                continue
            case "eventBridge":
                if let schedule = take("schedule") {
                    source["type"] = "schedule"
                    source["expression"] = schedule
                } else {
                    source["type"] = "eventbridge"
                    source["pattern"] = take("pattern")
                    if let bus = take("eventBus")?.stringValue {
                        source["event_bus"] = .string(bus.hasPrefix("arn:") ? String(bus.split(separator: "/").last ?? "") : bus)
                    }
                }
            case "stream":
                let arn = body.stringValue ?? take("arn")?.stringValue
                guard let arn else { lose(p, "a stream event without an ARN"); continue }
                let kind = take("type")?.stringValue ?? (arn.contains(":kinesis:") ? "kinesis" : "dynamodb")
                source["type"] = .string(kind)
                source["stream_arn"] = .string(arn)
                source["starting_position"] = take("startingPosition") ?? "TRIM_HORIZON"
                if let b = take("batchSize") { source["batch_size"] = number(b) }
                if let w = take("maximumBatchingWindow") { source["maximum_batching_window"] = number(w) }
            default:
                lose(pointer, "\(type) events are not among function.json's events (sqs, sns, s3, schedule, eventbridge, dynamodb, kinesis, api)")
                continue
            }
            if let e = take("enabled") { source["enabled"] = e }
            reportUnknown(body, known, p)
            sources.append(.object(source))
        }
        if !sources.isEmpty { members["events"] = .array(sources) }
        if let api { members["api"] = .object(api) }
    }

    mutating func reportUnknown(_ body: JSONValue, _ known: Set<String>, _ p: String) {
        for m in body.objectValue?.members ?? [] where !known.contains(m.key) {
            lose("\(p)/\(m.key)", "function.json's event has no field for it")
        }
    }

    /// `http` (REST) and `httpApi` (HTTP API) events: `"GET /path"` or `{path, method, cors, authorizer}`.
    mutating func apiEvent(_ type: String, _ body: JSONValue, _ p: String, into current: JSONObject?) -> JSONObject? {
        var method: String, path: String
        if let s = body.stringValue {
            let parts = s.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { lose(p, "the route \(s) is not \"METHOD /path\" (a catch-all route has no path function.json can express)"); return current }
            (method, path) = (parts[0], parts[1])
        } else {
            method = body["method"]?.stringValue ?? "ANY"
            path = body["path"]?.stringValue ?? ""
        }
        method = method == "*" ? "ANY" : method.uppercased()
        if !path.hasPrefix("/") { path = "/" + path }
        let kind = type == "httpApi" ? "http" : "rest"
        if var existing = current {
            if existing["path"]?.stringValue == path, (existing["type"]?.stringValue ?? "rest") == kind {
                var methods = existing["methods"]?.arrayValue ?? []
                if !methods.contains(.string(method)) { methods.append(.string(method)) }
                existing["methods"] = .array(methods)
                if var cors = existing["cors"]?.objectValue, var allowed = cors["allowed_methods"]?.arrayValue {
                    if !allowed.contains(.string(method)) { allowed.append(.string(method)); cors["allowed_methods"] = .array(allowed); existing["cors"] = .object(cors) }
                }
                return existing
            }
            lose(p, "function.json's api holds one path; this function's first API event (\(existing["path"]?.stringValue ?? "")) is carried")
            return existing
        }
        var api = JSONObject([("path", .string(path)), ("methods", .array([.string(method)]))])
        if kind == "http" { api["type"] = "http" }
        if let a = body["authorizer"] { authorizer(a, kind, "\(p)/authorizer", into: &api) }
        let cors = body["cors"] ?? (kind == "http" ? service.root["provider"]?["httpApi"]?["cors"] : nil)
        if let c = cors.flatMap({ resolved($0, "\(p)/cors") }) {
            var o = JSONObject()
            if c.boolValue == true {
                o["allowed_origins"] = ["*"]
                o["allowed_methods"] = .array([.string(method)] + (kind == "rest" ? ["OPTIONS"] : []))
            } else if let co = c.objectValue {
                o["allowed_origins"] = co["origins"] ?? co["origin"].map { .array([$0]) } ?? co["allowedOrigins"] ?? ["*"]
                if let h = co["headers"] ?? co["allowedHeaders"] { o["allowed_headers"] = h }
                o["allowed_methods"] = co["allowedMethods"] ?? .array([.string(method)] + (kind == "rest" ? ["OPTIONS"] : []))
                if let m = co["maxAge"] { o["max_age"] = number(m) }
                if let cr = co["allowCredentials"] { o["allow_credentials"] = cr }
            }
            if !o.isEmpty && c.boolValue != false { api["cors"] = .object(o) }
        }
        if kind == "rest", let parameters = body["request"]?["parameters"]?.objectValue {
            var o = JSONObject()
            for (location, name) in [("querystrings", "querystring"), ("headers", "header"), ("paths", "path")] {
                for m in parameters[location]?.objectValue ?? JSONObject() {
                    o["method.request.\(name).\(m.key)"] = .bool(m.value.boolValue ?? m.value["required"]?.boolValue ?? false)
                }
            }
            if !o.isEmpty { api["request_parameters"] = .object(o) }
        }
        return api
    }

    mutating func authorizer(_ raw: JSONValue, _ kind: String, _ p: String, into api: inout JSONObject) {
        guard let a = resolved(raw, p) else { return }
        let name = a.stringValue ?? a["name"]?.stringValue
        let type = (a["type"]?.stringValue ?? "").lowercased()
        if name?.lowercased() == "aws_iam" || type == "aws_iam" {
            api["authorizer"] = "iam"
        } else if type == "cognito_user_pools" || a["arn"]?.stringValue?.contains(":cognito-idp:") == true {
            guard kind == "rest" else { lose(p, "Cognito authorizers are carried on REST APIs only"); return }
            api["authorizer"] = "cognito"
            if let arn = a["arn"] { api["authorizer_arn"] = arn }
        } else if let arn = a["arn"]?.stringValue, arn.contains(":lambda:") {
            api["authorizer"] = "lambda"
            api["authorizer_arn"] = .string(arn)
        } else if let name, let target = service.names[name] {
            api["authorizer"] = "lambda"
            api["authorizer_function"] = .string(target)
        } else if kind == "http", let name, let definition = service.root["provider"]?["httpApi"]?["authorizers"]?[name] {
            if definition["type"]?.stringValue == "request", let f = definition["functionName"]?.stringValue, let target = service.names[f] {
                api["authorizer"] = "lambda"
                api["authorizer_function"] = .string(target)
            } else {
                lose(p, "the HTTP API authorizer \(name) is a JWT authorizer, which function.json does not carry")
            }
        } else {
            lose(p, "an authorizer of a kind function.json does not carry (cognito, iam, lambda)")
        }
    }
}
