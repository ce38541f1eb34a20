import Foundation

/// The conversion of one function resource.
struct FunctionConversion {
    let converter: TemplateConverter
    let logicalID: String
    let serverless: Bool
    var members: [String: JSONValue] = [:]
    var losses: [SAMConverter.Loss] = []
    var code: SAMConverter.Code = .none("no code given")
    /// Properties read so far (the rest are reported as not carried).
    var read: Set<String> = []
    let properties: JSONObject
    let globals: JSONObject

    init(converter: TemplateConverter, logicalID: String, serverless: Bool) {
        self.converter = converter
        self.logicalID = logicalID
        self.serverless = serverless
        properties = converter.template.resources[logicalID]?["Properties"]?.objectValue ?? JSONObject()
        globals = serverless ? converter.template.root["Globals"]?["Function"]?.objectValue ?? JSONObject() : JSONObject()
    }

    var base: String { "/Resources/\(logicalID)/Properties" }

    mutating func lose(_ pointer: String, _ reason: String) { losses.append(.init(pointer: pointer, reason: reason)) }

    /// A property (the function's own, else Globals'), resolved; nil when absent or not known (then recorded).
    mutating func property(_ key: String) -> JSONValue? {
        read.insert(key)
        let (raw, pointer): (JSONValue?, String) = properties[key].map { ($0, "\(base)/\(key)") }
            ?? (globals[key].map { ($0, "/Globals/Function/\(key)") } ?? (nil, ""))
        guard let raw else { return nil }
        switch converter.resolve(raw) {
        case .value(let v): return v
        case .noValue: return nil
        case .unknown(let why): lose(pointer, why); return nil
        }
    }

    /// Globals merge into a function as SAM merges them: maps by key, lists appended.
    mutating func mergedProperty(_ key: String) -> JSONValue? {
        read.insert(key)
        guard properties[key] != nil, let g = globals[key] else { return property(key) }
        let own = property(key)
        guard case .value(let global) = converter.resolve(g) else { return own }
        return own.map { FunctionConversion.merge(global, $0) }
    }

    static func merge(_ global: JSONValue, _ own: JSONValue) -> JSONValue {
        switch (global, own) {
        case (.object(var a), .object(let b)):
            for m in b { a[m.key] = a[m.key].map { merge($0, m.value) } ?? m.value }
            return .object(a)
        case (.array(let a), .array(let b)): return .array(a + b)
        default: return own
        }
    }

    /// Converts; returns why the function cannot be converted at all, or nil.
    mutating func convert() -> String? {
        if let type = property("PackageType")?.stringValue, type == "Image" {
            return "a container image function (PackageType: Image): function.json describes zip functions with a runtime and a handler"
        }
        members["name"] = .string(converter.names[logicalID] ?? logicalID)
        if let given = properties["FunctionName"], converter.resolve(given).value?.stringValue.map(TemplateConverter.isName) != true {
            lose("\(base)/FunctionName", "not a name that can be known now or a valid function name; the function is named \(logicalID)")
        }
        read.insert("FunctionName")
        let description = property("Description")?.stringValue ?? ""
        members["description"] = .string(description.isEmpty ? "\(logicalID), converted from a SAM template" : description)
        guard let runtime = property("Runtime")?.stringValue else { return "it has no Runtime that can be known now" }
        guard let handler = property("Handler")?.stringValue else { return "it has no Handler that can be known now" }
        members["runtime"] = .string(runtime)
        members["handler"] = .string(handler)
        if let t = property("Timeout") { members["timeout"] = number(t, "Timeout") }
        if let m = property("MemorySize") { members["memory_size"] = number(m, "MemorySize") }
        if let layers = mergedProperty("Layers") { members["layers"] = layers }
        convertEnvironment()
        convertRoleAndPolicies()
        if let v = property("VpcConfig") {
            var o = JSONObject()
            if let s = v["SubnetIds"] { o["subnet_ids"] = s }
            if let g = v["SecurityGroupIds"] { o["security_group_ids"] = g }
            if v["Ipv6AllowedForDualStack"] != nil { lose("\(base)/VpcConfig/Ipv6AllowedForDualStack", "function.json has no dual-stack setting") }
            if !o.isEmpty { o["assign_public_ip"] = false; members["vpc_config"] = .object(o) }
        }
        convertDeadLetter()
        if let mode = serverless ? property("Tracing")?.stringValue : property("TracingConfig")?["Mode"]?.stringValue {
            members["tracing_config"] = .object(JSONObject([("mode", .string(mode))]))
        }
        convertTags()
        if let a = property("Architectures") { members["architectures"] = a }
        if let s = property("EphemeralStorage")?["Size"] { members["ephemeral_storage"] = number(s, "EphemeralStorage/Size") }
        if let r = property("ReservedConcurrentExecutions") { members["reserved_concurrent_executions"] = number(r, "ReservedConcurrentExecutions") }
        if let s = property("SnapStart")?["ApplyOn"]?.stringValue { members["snap_start"] = .object(JSONObject([("apply_on", .string(s))])) }
        convertLogging()
        convertFunctionURL()
        convertCode()
        if serverless { convertEvents() }
        for m in properties where !read.contains(m.key) {
            lose("\(base)/\(m.key)", TemplateConverter.unsupported[m.key] ?? "function.json has no field for it")
        }
        for m in globals where !read.contains(m.key) {
            lose("/Globals/Function/\(m.key)", TemplateConverter.unsupported[m.key] ?? "function.json has no field for it")
        }
        return nil
    }

    /// Environment variables one by one (Globals' first): one that cannot be known is named, the rest carried.
    mutating func convertEnvironment() {
        read.insert("Environment")
        var out = JSONObject()
        for (source, pointer) in [(globals["Environment"], "/Globals/Function/Environment"), (properties["Environment"], "\(base)/Environment")] {
            guard let raw = source else { continue }
            guard let variables = raw["Variables"]?.objectValue else {
                if case .value(let v) = converter.resolve(raw), let resolved = v["Variables"]?.objectValue {
                    for m in resolved { out[m.key] = m.value }
                } else { lose(pointer, "the variables cannot be known now") }
                continue
            }
            for m in variables {
                switch converter.resolve(m.value) {
                case .value(let v):
                    if let s = SAMConverter.text(v) { out[m.key] = .string(s) } else { lose("\(pointer)/Variables/\(m.key)", "not a string") }
                case .noValue: out[m.key] = nil
                case .unknown(let why): lose("\(pointer)/Variables/\(m.key)", why)
                }
            }
        }
        if !out.isEmpty { members["environment_variables"] = .object(out) }
    }

    func result() -> SAMConverter.Function {
        .init(logicalID: logicalID, name: converter.names[logicalID] ?? logicalID, fields: members, code: code, notCarried: losses)
    }

    func number(_ v: JSONValue, _ key: String) -> JSONValue { SAMConverter.number(v) }

    // MARK: IAM

    mutating func convertRoleAndPolicies() {
        var statements: [JSONValue] = []
        var managed: [JSONValue] = []
        if let roleRaw = properties["Role"] ?? globals["Role"] {
            read.insert("Role")
            // A role of this template: its policies become the function's (fnreg generates the role).
            if let id = roleLogicalID(roleRaw), let role = converter.template.resource(id), role.type == "AWS::IAM::Role" {
                for (i, policy) in (role.properties["Policies"]?.arrayValue ?? []).enumerated() {
                    switch converter.resolve(policy["PolicyDocument"] ?? .null) {
                    case .value(let doc): statements += statementsOf(doc)
                    default: lose("/Resources/\(id)/Properties/Policies/\(i)", "the policy document cannot be known now")
                    }
                }
                for (i, arn) in (role.properties["ManagedPolicyArns"]?.arrayValue ?? []).enumerated() {
                    switch converter.resolve(arn) {
                    case .value(.string(let s)): managed.append(.string(s))
                    case .unknown(let why): lose("/Resources/\(id)/Properties/ManagedPolicyArns/\(i)", why)
                    default: break
                    }
                }
                for key in ["PermissionsBoundary", "MaxSessionDuration"] where role.properties[key] != nil {
                    lose("/Resources/\(id)/Properties/\(key)", "the role fnreg generates has no \(key)")
                }
                managed.removeAll { $0.stringValue?.hasSuffix(":policy/service-role/AWSLambdaBasicExecutionRole") == true }
            } else {
                switch converter.resolve(roleRaw) {
                case .value(.string(let arn)): members["role_arn"] = .string(arn)
                case .unknown(let why): lose("\(base)/Role", why)
                default: lose("\(base)/Role", "not a role ARN")
                }
            }
        }
        if let policies = mergedProperty("Policies") {
            let list = policies.arrayValue ?? [policies]
            for (i, p) in list.enumerated() {
                let pointer = policies.arrayValue == nil ? "\(base)/Policies" : "\(base)/Policies/\(i)"
                switch p {
                case .string(let s):
                    managed.append(.string(s.hasPrefix("arn:") ? s : "arn:\(converter.partition):iam::aws:policy/\(s)"))
                case .object(let o) where o["Statement"] != nil:
                    statements += statementsOf(p)
                case .object(let o) where o.count == 1:
                    let (template, arguments) = (o.members[0].key, o.members[0].value)
                    if let expanded = policyTemplate(template, arguments) { statements += expanded } else {
                        lose(pointer, "the SAM policy template \(template) is not one fnreg expands; write its statements in additional_policies")
                    }
                default:
                    lose(pointer, "not a policy name, ARN, document or SAM policy template")
                }
            }
        }
        if members["role_arn"] != nil {
            if !statements.isEmpty || !managed.isEmpty {
                lose("\(base)/Policies", "with an existing role (Role) no role is generated, so policies cannot be attached; add them to the role itself")
            }
            return
        }
        if !statements.isEmpty { members["additional_policies"] = .array(statements) }
        if !managed.isEmpty { members["managed_policies"] = .array(dedupe(managed)) }
        if property("PermissionsBoundary") != nil { lose("\(base)/PermissionsBoundary", "the role fnreg generates has no permissions boundary") }
    }

    func dedupe(_ a: [JSONValue]) -> [JSONValue] {
        var seen: Set<JSONValue> = []
        return a.filter { seen.insert($0).inserted }
    }

    func roleLogicalID(_ v: JSONValue) -> String? {
        if let getAtt = v["Fn::GetAtt"]?.arrayValue, getAtt.count == 2, getAtt[1].stringValue == "Arn" { return getAtt[0].stringValue }
        if let ref = v["Ref"]?.stringValue, converter.template.resource(ref) != nil { return ref }
        return nil
    }

    /// The statements of a policy document, each with Effect, and Action/Resource as written.
    func statementsOf(_ document: JSONValue) -> [JSONValue] {
        let s = document["Statement"]
        let list = s?.arrayValue ?? (s.map { [$0] } ?? [])
        return list.map { statement in
            guard var o = statement.objectValue else { return statement }
            if o["Effect"] == nil { o["Effect"] = "Allow" }
            return .object(o)
        }
    }

    /// The statements of SAM's most used policy templates.
    mutating func policyTemplate(_ name: String, _ arguments: JSONValue) -> [JSONValue]? {
        let p = converter.partition, r = converter.region, a = converter.account
        func argument(_ key: String) -> String? { arguments[key]?.stringValue }
        func allow(_ actions: [String], _ resources: [String]) -> JSONValue {
            .object(JSONObject([("Effect", "Allow"), ("Action", .array(actions.map(JSONValue.string))), ("Resource", .array(resources.map(JSONValue.string)))]))
        }
        switch name {
        case "SQSPollerPolicy":
            guard let q = argument("QueueName") else { return nil }
            return [allow(["sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage", "sqs:DeleteMessageBatch",
                           "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], ["arn:\(p):sqs:\(r):\(a):\(q)"])]
        case "SQSSendMessagePolicy":
            guard let q = argument("QueueName") else { return nil }
            return [allow(["sqs:SendMessage*"], ["arn:\(p):sqs:\(r):\(a):\(q)"])]
        case "SNSPublishMessagePolicy":
            guard let t = argument("TopicName") else { return nil }
            return [allow(["sns:Publish"], ["arn:\(p):sns:\(r):\(a):\(t)"])]
        case "DynamoDBCrudPolicy", "DynamoDBReadPolicy", "DynamoDBWritePolicy":
            guard let t = argument("TableName") else { return nil }
            let actions = ["DynamoDBCrudPolicy": ["dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
                                                  "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
                                                  "dynamodb:ConditionCheckItem"],
                           "DynamoDBReadPolicy": ["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"],
                           "DynamoDBWritePolicy": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"]][name]!
            let table = "arn:\(p):dynamodb:\(r):\(a):table/\(t)"
            return [allow(actions, [table, table + "/index/*"])]
        case "DynamoDBStreamReadPolicy":
            guard let t = argument("TableName") else { return nil }
            let table = "arn:\(p):dynamodb:\(r):\(a):table/\(t)"
            return [allow(["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], [table + "/stream/*"]),
                    allow(["dynamodb:ListStreams"], [table + "/stream/*"])]
        case "S3ReadPolicy", "S3CrudPolicy", "S3WritePolicy":
            guard let b = argument("BucketName") else { return nil }
            let actions = ["S3ReadPolicy": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"],
                           "S3CrudPolicy": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
                                            "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"],
                           "S3WritePolicy": ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"]][name]!
            return [allow(actions, ["arn:\(p):s3:::\(b)", "arn:\(p):s3:::\(b)/*"])]
        case "LambdaInvokePolicy":
            guard let f = argument("FunctionName") else { return nil }
            return [allow(["lambda:InvokeFunction"], ["arn:\(p):lambda:\(r):\(a):function:\(f)*"])]
        case "SSMParameterReadPolicy":
            guard let n = argument("ParameterName") else { return nil }
            return [allow(["ssm:DescribeParameters"], ["*"]),
                    allow(["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"], ["arn:\(p):ssm:\(r):\(a):parameter/\(n)"])]
        case "AWSSecretsManagerGetSecretValuePolicy":
            guard let s = argument("SecretArn") else { return nil }
            return [allow(["secretsmanager:GetSecretValue"], [s])]
        case "KMSDecryptPolicy":
            guard let k = argument("KeyId") else { return nil }
            return [allow(["kms:Decrypt"], ["arn:\(p):kms:\(r):\(a):key/\(k)"])]
        case "EventBridgePutEventsPolicy":
            guard let b = argument("EventBusName") else { return nil }
            return [allow(["events:PutEvents"], ["arn:\(p):events:\(r):\(a):event-bus/\(b)"])]
        case "StepFunctionsExecutionPolicy":
            guard let s = argument("StateMachineName") else { return nil }
            return [allow(["states:StartExecution"], ["arn:\(p):states:\(r):\(a):stateMachine:\(s)"])]
        case "CloudWatchPutMetricPolicy":
            return [allow(["cloudwatch:PutMetricData"], ["*"])]
        case "VPCAccessPolicy":
            return [allow(["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"], ["*"])]
        default:
            return nil
        }
    }

    // MARK: Other properties

    mutating func convertDeadLetter() {
        if serverless, let d = property("DeadLetterQueue") {
            guard let arn = d["TargetArn"]?.stringValue else { return }
            members["dead_letter_config"] = .object(JSONObject([("target_arn", .string(arn))]))
        } else if !serverless, let d = property("DeadLetterConfig"), let arn = d["TargetArn"]?.stringValue {
            members["dead_letter_config"] = .object(JSONObject([("target_arn", .string(arn))]))
        }
    }

    mutating func convertTags() {
        guard let tags = mergedProperty("Tags") else { return }
        var o = JSONObject()
        if let list = tags.arrayValue {                     // AWS::Lambda::Function: [{Key, Value}]
            for t in list { if let k = t["Key"]?.stringValue, let v = t["Value"]?.stringValue { o[k] = .string(v) } }
        } else if let map = tags.objectValue {
            for m in map { if let v = m.value.stringValue { o[m.key] = .string(v) } else { lose("\(base)/Tags/\(m.key)", "not a string") } }
        }
        if !o.isEmpty { members["tags"] = .object(o) }
    }

    mutating func convertLogging() {
        guard let l = property("LoggingConfig") else { return }
        var o = JSONObject()
        for (from, to) in [("LogFormat", "log_format"), ("ApplicationLogLevel", "application_log_level"), ("SystemLogLevel", "system_log_level"), ("LogGroup", "log_group")] {
            if let v = l[from] { o[to] = v }
        }
        if !o.isEmpty { members["logging_config"] = .object(o) }
    }

    mutating func convertFunctionURL() {
        guard let u = property("FunctionUrlConfig") else { return }
        var o = JSONObject()
        if let a = u["AuthType"] { o["auth_type"] = a }
        if let m = u["InvokeMode"] { o["invoke_mode"] = m }
        if let c = u["Cors"]?.objectValue {
            var cors = JSONObject()
            for (from, to) in [("AllowOrigins", "allow_origins"), ("AllowMethods", "allow_methods"), ("AllowHeaders", "allow_headers"),
                               ("ExposeHeaders", "expose_headers"), ("MaxAge", "max_age"), ("AllowCredentials", "allow_credentials")] {
                if let v = c[from] { cors[to] = v }
            }
            o["cors"] = .object(cors)
        }
        members["function_url"] = .object(o)
    }

    mutating func convertCode() {
        let directory = (converter.template.path as NSString).deletingLastPathComponent
        if serverless {
            if let inline = property("InlineCode")?.stringValue {
                code = .inline(file: inlineFileName(), text: inline)
                return
            }
            guard let uri = property("CodeUri") else { code = .none("no CodeUri"); return }
            if let s = uri.stringValue, !s.hasPrefix("s3://") {
                code = localDirectory(s, templateDirectory: directory, pointer: "\(base)/CodeUri")
            } else {
                code = .none("CodeUri is an S3 object"); lose("\(base)/CodeUri", "the code is an S3 object; put the function's code beside its function.json")
            }
        } else {
            guard let c = property("Code") else { code = .none("no Code"); return }
            if let zip = c["ZipFile"]?.stringValue {
                code = .inline(file: inlineFileName(), text: zip)
            } else if let s = c.stringValue, !s.hasPrefix("s3://") {        // `aws cloudformation package` input: a local path
                code = localDirectory(s, templateDirectory: directory, pointer: "\(base)/Code")
            } else {
                code = .none("Code is an S3 object"); lose("\(base)/Code", "the code is an S3 object; put the function's code beside its function.json")
            }
        }
    }

    /// A local code directory, if it lies inside the template's directory.
    mutating func localDirectory(_ relative: String, templateDirectory: String, pointer: String) -> SAMConverter.Code {
        let base = URL(fileURLWithPath: templateDirectory.isEmpty ? "." : templateDirectory).standardizedFileURL.resolvingSymlinksInPath().path
        let candidate = URL(fileURLWithPath: relative, relativeTo: URL(fileURLWithPath: base + "/")).standardizedFileURL.resolvingSymlinksInPath().path
        guard candidate == base || candidate.hasPrefix(base + "/") else {
            lose(pointer, "the code directory lies outside the template's directory; copy the code beside the function.json by hand")
            return .none("outside the template's directory")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue else {
            lose(pointer, "\(relative) is not a directory beside the template (a zip or a build output?); put the code beside the function.json")
            return .none("not a directory")
        }
        return .directory(candidate)
    }

    func inlineFileName() -> String {
        let handler = members["handler"]?.stringValue ?? "index.handler"
        let module = handler.split(separator: ".").first.map(String.init) ?? "index"
        let runtime = members["runtime"]?.stringValue ?? ""
        let ext = runtime.hasPrefix("python") ? "py" : runtime.hasPrefix("nodejs") ? "js" : runtime.hasPrefix("ruby") ? "rb" : "txt"
        return "\(module).\(ext)"
    }

    // MARK: Events

    mutating func convertEvents() {
        read.insert("Events")
        guard let events = properties["Events"]?.objectValue else { return }
        var sources: [JSONValue] = []
        var api: JSONObject?
        for m in events {
            let pointer = "\(base)/Events/\(m.key)"
            guard let type = m.value["Type"]?.stringValue else { lose(pointer, "an event without a Type"); continue }
            let raw = m.value["Properties"]?.objectValue ?? JSONObject()
            var props = JSONObject()
            var unknown = false
            for p in raw {
                // Which API: the resource it names (never known as a value before the stack exists).
                if p.key == "RestApiId" || p.key == "ApiId" { props[p.key] = p.value; continue }
                switch converter.resolve(p.value) {
                case .value(let v): props[p.key] = v
                case .noValue: break
                case .unknown(let why):
                    lose("\(pointer)/Properties/\(p.key)", why)
                    // Without its queue, topic, stream, bucket, schedule or pattern the source is not carried at all.
                    if ["Queue", "Topic", "Stream", "Bucket", "Schedule", "ScheduleExpression", "Pattern", "Path"].contains(p.key) { unknown = true }
                }
            }
            if unknown { continue }
            var carried: Set<String> = []
            func take(_ key: String) -> JSONValue? { carried.insert(key); return props[key] }
            var source = JSONObject()
            switch type {
            case "SQS":
                source["type"] = "sqs"
                source["queue_arn"] = take("Queue")
            case "SNS":
                source["type"] = "sns"
                source["topic_arn"] = take("Topic")
            case "DynamoDB", "Kinesis":
                source["type"] = .string(type.lowercased())
                source["stream_arn"] = take("Stream")
                source["starting_position"] = take("StartingPosition")
            case "S3":
                source["type"] = "s3"
                source["bucket"] = take("Bucket")
                if let e = take("Events") { source["events"] = e.arrayValue != nil ? e : .array([e]) }
                if let rules = take("Filter")?["S3Key"]?["Rules"]?.arrayValue {
                    for rule in rules {
                        switch rule["Name"]?.stringValue?.lowercased() {
                        case "prefix": source["prefix"] = rule["Value"]
                        case "suffix": source["suffix"] = rule["Value"]
                        default: lose("\(pointer)/Properties/Filter", "only prefix and suffix rules are carried")
                        }
                    }
                }
            case "Schedule":
                source["type"] = "schedule"
                source["expression"] = take("Schedule")
                if let state = take("State")?.stringValue { source["enabled"] = .bool(state == "ENABLED") }
                for key in ["Name", "Description"] { carried.insert(key) }
            case "ScheduleV2":
                source["type"] = "schedule"
                source["expression"] = take("ScheduleExpression")
                if let state = take("State")?.stringValue { source["enabled"] = .bool(state == "ENABLED") }
                lose(pointer, "an EventBridge Scheduler schedule is carried as an EventBridge rule with the same expression")
                for key in ["Name", "Description"] { carried.insert(key) }
            case "EventBridgeRule", "CloudWatchEvent":
                source["type"] = "eventbridge"
                source["pattern"] = take("Pattern")
                if let bus = take("EventBusName") { source["event_bus"] = bus }
                if let state = take("State")?.stringValue { source["enabled"] = .bool(state == "ENABLED") }
                for key in ["RuleName"] { carried.insert(key) }
            case "Api", "HttpApi":
                carried.formUnion(["Path", "Method", "RestApiId", "ApiId", "Auth", "RequestParameters"])
                api = apiEvent(type, props, pointer, into: api)
                for p in props where !carried.contains(p.key) {
                    lose("\(pointer)/Properties/\(p.key)", "function.json's api has no field for it")
                }
                continue
            default:
                lose(pointer, "\(type) event sources are not among function.json's events (sqs, sns, s3, schedule, eventbridge, dynamodb, kinesis, api)")
                continue
            }
            if ["sqs", "dynamodb", "kinesis"].contains(source["type"]?.stringValue ?? "") {
                if let b = take("BatchSize") { source["batch_size"] = number(b, "BatchSize") }
                if let w = take("MaximumBatchingWindowInSeconds") { source["maximum_batching_window"] = number(w, "MaximumBatchingWindowInSeconds") }
            }
            if let enabled = take("Enabled") { source["enabled"] = enabled }
            for p in props where !carried.contains(p.key) {
                lose("\(pointer)/Properties/\(p.key)", "function.json's \(source["type"]?.stringValue ?? "") event has no field for it")
            }
            sources.append(.object(source))
        }
        if !sources.isEmpty { members["events"] = .array(sources) }
        if let api { members["api"] = .object(api) }
    }

    /// An Api or HttpApi event: the function's one route (further methods on the same path join it).
    mutating func apiEvent(_ type: String, _ props: JSONObject, _ pointer: String, into current: JSONObject?) -> JSONObject? {
        guard let path = props["Path"]?.stringValue, path.hasPrefix("/") else {
            lose("\(pointer)/Properties/Path", "an API event without a path (or $default) has no route function.json can express")
            return current
        }
        let method = (props["Method"]?.stringValue ?? "ANY").uppercased()
        let methodName = method == "X-AMAZON-APIGATEWAY-ANY-METHOD" ? "ANY" : method
        let kind = type == "HttpApi" ? "http" : "rest"
        if var existing = current {
            if existing["path"]?.stringValue == path, (existing["type"]?.stringValue ?? "rest") == kind {
                var methods = existing["methods"]?.arrayValue ?? []
                if !methods.contains(.string(methodName)) { methods.append(.string(methodName)) }
                existing["methods"] = .array(methods)
                // One route per function: this event's authorizer and parameters must be the first's.
                var alone = self
                alone.losses = []
                if let own = alone.apiEvent(type, props, pointer, into: nil) {
                    for key in ["authorizer", "authorizer_arn", "authorizer_function", "request_parameters"] where own[key] != existing[key] {
                        lose("\(pointer)/Properties", "its \(key) differs from the first API event's on \(path); function.json holds one, the first's is carried")
                    }
                }
                return existing
            }
            lose(pointer, "function.json's api holds one path; this function's first API event (\(existing["path"]?.stringValue ?? "")) is carried")
            return existing
        }
        var api = JSONObject()
        api["path"] = .string(path)
        api["methods"] = .array([.string(methodName)])
        if kind == "http" { api["type"] = "http" }
        let apiID = kind == "http" ? props["ApiId"] : props["RestApiId"]
        let apiResource = apiLogicalID(apiID)
        let apiProperties = apiResource.flatMap { converter.template.resource($0)?.properties }
        let globalApi = converter.template.root["Globals"]?[kind == "http" ? "HttpApi" : "Api"]
        let auth = apiProperties?["Auth"] ?? globalApi?["Auth"]
        let authorizerName = props["Auth"]?["Authorizer"]?.stringValue ?? auth?["DefaultAuthorizer"]?.stringValue
        if let name = authorizerName, name != "NONE" {
            if name == "AWS_IAM" {
                api["authorizer"] = "iam"
            } else if let definition = auth?["Authorizers"]?[name] {
                authorizer(definition, name, kind, pointer, into: &api)
            } else {
                lose("\(pointer)/Properties/Auth", "the authorizer \(name) is not defined in the API's Auth")
            }
        }
        if let parameters = props["RequestParameters"]?.arrayValue, kind == "rest" {
            var o = JSONObject()
            for p in parameters {
                if let name = p.stringValue { o[name] = false }
                else if let m = p.objectValue?.members.first { o[m.key] = .bool(m.value["Required"]?.boolValue ?? false) }
            }
            if !o.isEmpty { api["request_parameters"] = .object(o) }
        }
        if let cors = apiProperties?["Cors"] ?? (kind == "http" ? apiProperties?["CorsConfiguration"] : nil) ?? globalApi?[kind == "http" ? "CorsConfiguration" : "Cors"] {
            if let c = convertCors(cors, kind) { api["cors"] = .object(c) }
        }
        return api
    }

    func apiLogicalID(_ v: JSONValue?) -> String? {
        guard let v else { return nil }
        if let s = v["Ref"]?.stringValue { return s }
        if let s = v.stringValue, converter.template.resource(s) != nil { return s }
        return nil
    }

    mutating func authorizer(_ definition: JSONValue, _ name: String, _ kind: String, _ pointer: String, into api: inout JSONObject) {
        if let pool = definition["UserPoolArn"] {
            guard kind == "rest" else { lose("\(pointer)/Properties/Auth", "Cognito authorizers are carried on REST APIs only"); return }
            api["authorizer"] = "cognito"
            let first = pool.arrayValue?.first ?? pool
            if case .value(.string(let arn)) = converter.resolve(first) { api["authorizer_arn"] = .string(arn) } else {
                lose("\(pointer)/Properties/Auth", "the user pool of \(name) is known only once the stack exists; the environment's user pools apply")
            }
        } else if let function = definition["FunctionArn"] {
            api["authorizer"] = "lambda"
            if let getAtt = function["Fn::GetAtt"]?.arrayValue, let id = getAtt.first?.stringValue, let registryName = converter.names[id] {
                api["authorizer_function"] = .string(registryName)
            } else if case .value(.string(let arn)) = converter.resolve(function) {
                api["authorizer_arn"] = .string(arn)
            } else {
                api["authorizer"] = nil
                lose("\(pointer)/Properties/Auth", "the authorizer function of \(name) is known only once the stack exists")
            }
        } else if definition["JwtConfiguration"] != nil {
            lose("\(pointer)/Properties/Auth", "JWT authorizers are not among function.json's authorizers (cognito, iam, lambda)")
        } else {
            lose("\(pointer)/Properties/Auth", "the authorizer \(name) is of a kind function.json does not carry")
        }
    }

    /// SAM writes REST CORS values as quoted strings ("'https://a.example.com'", "'GET,POST'").
    func convertCors(_ cors: JSONValue, _ kind: String) -> JSONObject? {
        guard case .value(let c) = converter.resolve(cors) else { return nil }
        func unquote(_ v: JSONValue?) -> [JSONValue]? {
            if let list = v?.arrayValue { return list }
            guard var s = v?.stringValue else { return nil }
            if s.hasPrefix("'") && s.hasSuffix("'") && s.count >= 2 { s = String(s.dropFirst().dropLast()) }
            return s.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }
        }
        var o = JSONObject()
        if let s = c.stringValue { o["allowed_origins"] = .array(unquote(.string(s)) ?? []); return o }
        let keys = kind == "http"
            ? [("AllowOrigins", "allowed_origins"), ("AllowHeaders", "allowed_headers"), ("AllowMethods", "allowed_methods"), ("ExposeHeaders", "expose_headers")]
            : [("AllowOrigin", "allowed_origins"), ("AllowHeaders", "allowed_headers"), ("AllowMethods", "allowed_methods")]
        for (from, to) in keys { if let v = unquote(c[from]) { o[to] = .array(v) } }
        if let age = c["MaxAge"] { o["max_age"] = age.stringValue.flatMap { Double($0.trimmingCharacters(in: CharacterSet(charactersIn: "'"))) }.map(JSONValue.number) ?? age }
        if let credentials = c["AllowCredentials"]?.boolValue { o["allow_credentials"] = .bool(credentials) }
        return o.isEmpty ? nil : o
    }
}
