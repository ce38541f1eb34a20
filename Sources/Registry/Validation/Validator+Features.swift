/// The rules of the fields beyond the seed's: architecture, /tmp size, reserved concurrency,
/// SnapStart, logging, an existing role, managed policies, a function URL and event sources. Each
/// says what Lambda (or the service behind an event source) would refuse, with the limits of the
/// field table.
extension Run {
    mutating func features(_ o: JSONObject) {
        let root = JSONPointer.root
        if checks("architectures"), let v = o["architectures"], !v.isNull, let list = expectStringArray(v, root.appending("architectures"), "architectures") {
            if list.count != 1 || !LambdaLimits.architectures.contains(list[0]) {
                report("FN-ARCHITECTURES", root.appending("architectures"), "architectures must be exactly one of \(LambdaLimits.architectures.map { "[\"\($0)\"]" }.joined(separator: " or "))",
                       fix: list.first.flatMap { closestMatch($0, in: LambdaLimits.architectures) }.map { "use [\"\($0)\"]" } ?? "use [\"arm64\"] or [\"x86_64\"]")
            }
        }
        if checks("ephemeral_storage"), let v = o["ephemeral_storage"], !v.isNull,
           let size = expectInteger(v, root.appending("ephemeral_storage"), "ephemeral_storage"), !LambdaLimits.ephemeralStorageRange.contains(size) {
            let range = LambdaLimits.ephemeralStorageRange
            report("FN-EPHEMERAL-STORAGE-RANGE", root.appending("ephemeral_storage"), "ephemeral_storage (MB of /tmp) must be between \(range.lowerBound) and \(range.upperBound), found \(size)",
                   fix: "set it within \(range.lowerBound)–\(range.upperBound)")
        }
        if checks("reserved_concurrent_executions"), let v = o["reserved_concurrent_executions"], !v.isNull,
           let n = expectInteger(v, root.appending("reserved_concurrent_executions"), "reserved_concurrent_executions"), n < 0 {
            report("FN-CONCURRENCY", root.appending("reserved_concurrent_executions"), "reserved_concurrent_executions must be 0 or more, found \(n) (0 stops the function)",
                   fix: "remove it for unreserved concurrency")
        }
        if checks("snap_start") || checks("runtime"), let v = o["snap_start"], !v.isNull { snapStart(v, runtime: o["runtime"]?.stringValue) }
        if checks("logging_config"), let v = o["logging_config"], !v.isNull { logging(v, root.appending("logging_config")) }
        if ["role_arn", "additional_policies", "managed_policies", "vpc_config", "tracing_config"].contains(where: checks) { role(o) }
        if checks("function_url"), let v = o["function_url"], !v.isNull { functionURL(v, root.appending("function_url")) }
        if checks("events"), let v = o["events"], !v.isNull { events(v, root.appending("events")) }
    }

    mutating func snapStart(_ value: JSONValue, runtime: String?) {
        let p = JSONPointer.root.appending("snap_start")
        guard let o = expectObject(value, p, "snap_start") else { return }
        unknownFields(o, p, allowed: FunctionSchema.memberNames["snap_start"]!, what: "snap_start")
        if let a = o["apply_on"] {
            if let applyOn = expectString(a, p.appending("apply_on"), "snap_start.apply_on"), !LambdaLimits.snapStartApplyOn.contains(applyOn) {
                report("FN-SNAPSTART", p.appending("apply_on"), "snap_start.apply_on must be \(LambdaLimits.snapStartApplyOn.joined(separator: " or ")), found \(Redaction.quoted(applyOn))",
                       fix: closestMatch(applyOn, in: LambdaLimits.snapStartApplyOn).map { "did you mean \"\($0)\"?" })
            }
        } else {
            report("FN-REQUIRED", p.appending("apply_on"), "snap_start requires apply_on", fix: "add \"apply_on\": \"PublishedVersions\"")
        }
        if let runtime, !supportsSnapStart(runtime), o["apply_on"]?.stringValue != "None" {
            let families = LambdaLimits.snapStartRuntimes.sorted { $0.key < $1.key }.map { "\($0.key) \(Self.version($0.value)) and later" }
            report("FN-SNAPSTART", p, "runtime \(runtime) does not support SnapStart (\(families.joined(separator: ", ")))", fix: "remove snap_start or change the runtime")
        }
    }

    private static func version(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    /// Java 11+, Python 3.12+, .NET 8+ (the field table's families).
    func supportsSnapStart(_ runtime: String) -> Bool {
        let family = String(runtime.prefix { $0.isLetter })
        guard let first = LambdaLimits.snapStartRuntimes[family] else { return false }
        let digits = runtime.drop { $0.isLetter }.prefix { $0.isNumber || $0 == "." }
        let parts = digits.split(separator: ".").compactMap { Int($0) }
        guard let major = parts.first else { return false }
        let firstMajor = Int(first), firstMinor = Int(((first - Double(firstMajor)) * 100).rounded())
        let minor = parts.count > 1 ? parts[1] : 0
        // python3.12 reads as 3.12 (minor 12): compare as (major, minor).
        return major > firstMajor || (major == firstMajor && minor >= firstMinor)
    }

    mutating func logging(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "logging_config") else { return }
        unknownFields(o, p, allowed: FunctionSchema.memberNames["logging_config"]!, what: "logging_config")
        var format: String?
        if let f = o["log_format"] {
            if let s = expectString(f, p.appending("log_format"), "logging_config.log_format") {
                if LambdaLimits.logFormats.contains(s) { format = s } else {
                    report("FN-LOGGING", p.appending("log_format"), "log_format must be \(LambdaLimits.logFormats.joined(separator: " or ")), found \(Redaction.quoted(s))",
                           fix: closestMatch(s, in: LambdaLimits.logFormats).map { "did you mean \"\($0)\"?" })
                }
            }
        } else {
            report("FN-REQUIRED", p.appending("log_format"), "logging_config requires log_format", fix: "add \"log_format\": \"JSON\"")
        }
        for (key, levels) in [("application_log_level", LambdaLimits.applicationLogLevels), ("system_log_level", LambdaLimits.systemLogLevels)] {
            guard let v = o[key], let level = expectString(v, p.appending(key), "logging_config.\(key)") else { continue }
            if !levels.contains(level) {
                report("FN-LOGGING", p.appending(key), "\(key) must be one of \(levels.joined(separator: ", ")), found \(Redaction.quoted(level))",
                       fix: closestMatch(level, in: levels).map { "did you mean \"\($0)\"?" })
            } else if format == "Text" {
                report("FN-LOGGING", p.appending(key), "log levels need log_format JSON (Lambda filters levels only of JSON logs)", fix: "set \"log_format\": \"JSON\" or remove \(key)")
            }
        }
        if let g = o["log_group"], let group = expectString(g, p.appending("log_group"), "logging_config.log_group"),
           group.isEmpty || group.utf8.count > 512 || !group.utf8.allSatisfy({ isAlnum($0) || ".-_/#".utf8.contains($0) }) {
            report("FN-LOGGING", p.appending("log_group"), "\(Redaction.quoted(group)) is not a log group name (1–512 letters, digits and . - _ / #)")
        }
    }

    /// An existing role (`role_arn`): no role is generated, so nothing can be added to it; managed
    /// policies count against IAM's per-role quota with the modules' own attachments.
    mutating func role(_ o: JSONObject) {
        let root = JSONPointer.root
        var existing = false
        if let v = o["role_arn"], !v.isNull, let arn = expectString(v, root.appending("role_arn"), "role_arn") {
            existing = true
            if !isRoleArn(arn) {
                report("FN-ROLE-ARN", root.appending("role_arn"), "\(Redaction.quoted(arn)) is not an IAM role ARN", fix: "use arn:aws:iam::ACCOUNT:role/NAME")
            }
            if let policies = o["additional_policies"]?.arrayValue, !policies.isEmpty {
                report("FN-ROLE-POLICIES", root.appending("additional_policies"), "with role_arn no role is generated, so additional_policies cannot be attached",
                       fix: "add the statements to the role itself, or remove role_arn")
            }
            if let managed = o["managed_policies"]?.arrayValue, !managed.isEmpty {
                report("FN-ROLE-POLICIES", root.appending("managed_policies"), "with role_arn no role is generated, so managed_policies cannot be attached",
                       fix: "attach them to the role itself, or remove role_arn")
            }
        }
        guard let v = o["managed_policies"], !v.isNull, let arns = expectStringArray(v, root.appending("managed_policies"), "managed_policies") else { return }
        for (i, arn) in arns.enumerated() where !isManagedPolicyArn(arn) {
            report("FN-MANAGED-POLICY", root.appending("managed_policies").appending(i), "\(Redaction.quoted(arn)) is not an IAM managed policy ARN",
                   fix: "use arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME")
        }
        if Set(arns).count != arns.count {
            report("FN-MANAGED-POLICY", root.appending("managed_policies"), "managed_policies lists a policy twice", fix: "remove the duplicate")
        }
        guard !existing else { return }
        // The modules attach basic execution always, VPC access with vpc_config, X-Ray with Active tracing.
        var own = 1
        if let vpc = o["vpc_config"], !vpc.isNull { own += 1 }
        if o["tracing_config"]?["mode"]?.stringValue == "Active" { own += 1 }
        let total = Set(arns).count + own
        if total > LambdaLimits.managedPoliciesMaximum {
            report("FN-MANAGED-POLICY", root.appending("managed_policies"), "\(arns.count) managed policies and the \(own) the modules attach exceed IAM's \(LambdaLimits.managedPoliciesMaximum) per role",
                   fix: "merge policies, or use additional_policies")
        } else if total > LambdaLimits.managedPoliciesDefaultQuota {
            report("FN-MANAGED-POLICY", root.appending("managed_policies"), "\(arns.count) managed policies and the \(own) the modules attach exceed IAM's default quota of \(LambdaLimits.managedPoliciesDefaultQuota) per role (it can be raised to \(LambdaLimits.managedPoliciesMaximum))",
                   fix: "raise the account's quota, or merge policies", severity: .warning)
        }
    }

    mutating func functionURL(_ value: JSONValue, _ p: JSONPointer) {
        guard let o = expectObject(value, p, "function_url") else { return }
        unknownFields(o, p, allowed: FunctionSchema.memberNames["function_url"]!, what: "function_url")
        if let a = o["auth_type"] {
            if let auth = expectString(a, p.appending("auth_type"), "function_url.auth_type"), !LambdaLimits.functionURLAuthTypes.contains(auth) {
                report("FN-FUNCTION-URL", p.appending("auth_type"), "auth_type must be AWS_IAM or NONE (a public URL), found \(Redaction.quoted(auth))",
                       fix: closestMatch(auth, in: LambdaLimits.functionURLAuthTypes).map { "did you mean \"\($0)\"?" } ?? "use \"AWS_IAM\"")
            } else if a.stringValue == "NONE" {
                // Since October 2025 a new public URL also needs lambda:InvokeFunction for calls made
                // through it, a condition the provider the modules are planned with cannot declare.
                report("FN-FUNCTION-URL-PUBLIC", p.appending("auth_type"),
                       "a public function URL also needs lambda:InvokeFunction granted to everyone for calls through the URL only, which the hashicorp/aws provider 5.100.0 cannot declare: the modules grant lambda:InvokeFunctionUrl, and the URL answers 403 until the other permission is added",
                       fix: "after apply, run aws lambda add-permission --function-name ENV-NAME --statement-id AllowInvokeViaFunctionUrl --action lambda:InvokeFunction --principal '*' --invoked-via-function-url; or use AWS_IAM",
                       severity: .warning)
            }
        } else {
            report("FN-REQUIRED", p.appending("auth_type"), "function_url requires auth_type (AWS_IAM, or NONE for a public URL)", fix: "add \"auth_type\": \"AWS_IAM\"")
        }
        if let m = o["invoke_mode"], let mode = expectString(m, p.appending("invoke_mode"), "function_url.invoke_mode"), !LambdaLimits.invokeModes.contains(mode) {
            report("FN-FUNCTION-URL", p.appending("invoke_mode"), "invoke_mode must be \(LambdaLimits.invokeModes.joined(separator: " or ")), found \(Redaction.quoted(mode))")
        }
        if let c = o["cors"], !c.isNull, let cors = expectObject(c, p.appending("cors"), "function_url.cors") {
            let cp = p.appending("cors")
            unknownFields(cors, cp, allowed: FunctionSchema.memberNames["function_url/cors"]!, what: "function_url.cors")
            for key in ["allow_origins", "allow_methods", "allow_headers", "expose_headers"] {
                if let v = cors[key] { _ = expectStringArray(v, cp.appending(key), "function_url.cors.\(key)") }
            }
            if let v = cors["max_age"], let age = expectInteger(v, cp.appending("max_age"), "function_url.cors.max_age"), !(0...86400).contains(age) {
                report("FN-FUNCTION-URL", cp.appending("max_age"), "cors.max_age must be between 0 and 86400 seconds, found \(age)")
            }
            if let v = cors["allow_credentials"] { expectBool(v, cp.appending("allow_credentials"), "function_url.cors.allow_credentials") }
        }
    }

    /// Event sources: each a `type` with the fields that type takes.
    mutating func events(_ value: JSONValue, _ p: JSONPointer) {
        guard let list = value.arrayValue else {
            report("FN-TYPE", p, "events must be an array of event sources, found \(value.typeDescription)")
            return
        }
        var seen: [String: Int] = [:]
        for (i, item) in list.enumerated() {
            let ep = p.appending(i)
            guard let o = expectObject(item, ep, "an event source") else { continue }
            guard let t = o["type"], let type = expectString(t, ep.appending("type"), "an event source's type") else {
                if o["type"] == nil { report("FN-REQUIRED", ep.appending("type"), "an event source requires type", fix: "add \"type\": one of \(LambdaLimits.eventTypes.joined(separator: ", "))") }
                continue
            }
            guard LambdaLimits.eventTypes.contains(type) else {
                report("FN-EVENT", ep.appending("type"), "\(Redaction.quoted(type)) is not an event source fnreg deploys (\(LambdaLimits.eventTypes.joined(separator: ", ")))",
                       fix: closestMatch(type, in: LambdaLimits.eventTypes).map { "did you mean \"\($0)\"?" })
                continue
            }
            let fields = Self.eventFields[type]!
            unknownFields(o, ep, allowed: ["type"] + fields.required + fields.optional, what: "a \(type) event source")
            for key in fields.required where o[key] == nil {
                report("FN-REQUIRED", ep.appending(key), "a \(type) event source requires \(key)")
            }
            event(type, o, ep)
            // The same source twice would be deployed twice (or fail as a duplicate).
            let identity = FieldChanges.eventIdentity(item)
            if let first = seen[identity] {
                report("FN-EVENT", ep, "this event source repeats events/\(first)", fix: "remove one of them")
            } else {
                seen[identity] = i
            }
        }
    }

    static let eventFields = LambdaLimits.eventFields

    private mutating func event(_ type: String, _ o: JSONObject, _ p: JSONPointer) {
        func arn(_ key: String, _ service: String, _ what: String) {
            guard let v = o[key], let s = expectString(v, p.appending(key), key) else { return }
            let ok = ARN(s).map { $0.service == service && !$0.region.isEmpty && $0.hasAccountID && !$0.resource.isEmpty
                && (service != "dynamodb" || $0.resource.contains("/stream/")) } ?? false
            if !ok { report("FN-EVENT", p.appending(key), "\(Redaction.quoted(s)) is not \(what)", fix: "use arn:aws:\(service):REGION:ACCOUNT:\(service == "dynamodb" ? "table/NAME/stream/LABEL" : "NAME")") }
        }
        switch type {
        case "sqs": arn("queue_arn", "sqs", "an SQS queue ARN")
        case "sns": arn("topic_arn", "sns", "an SNS topic ARN")
        case "dynamodb": arn("stream_arn", "dynamodb", "a DynamoDB stream ARN")
        case "kinesis": arn("stream_arn", "kinesis", "a Kinesis stream ARN")
        case "s3":
            if let v = o["bucket"], let bucket = expectString(v, p.appending("bucket"), "bucket"), !isBucketName(bucket) {
                report("FN-EVENT", p.appending("bucket"), "\(Redaction.quoted(bucket)) is not an S3 bucket name (3–63 lower-case letters, digits, '.' and '-')")
            }
            if let v = o["events"], let names = expectStringArray(v, p.appending("events"), "events") {
                if names.isEmpty { report("FN-EVENT", p.appending("events"), "an s3 event source needs at least one event", fix: "add \"s3:ObjectCreated:*\"") }
                for (i, name) in names.enumerated() where !(name.hasPrefix("s3:") && name.utf8.count > 3) {
                    report("FN-EVENT", p.appending("events").appending(i), "\(Redaction.quoted(name)) is not an S3 event name", fix: "e.g. \"s3:ObjectCreated:*\"")
                }
            }
            for key in ["prefix", "suffix"] { if let v = o[key] { _ = expectString(v, p.appending(key), key) } }
        case "schedule":
            if let v = o["expression"], let e = expectString(v, p.appending("expression"), "expression"), let problem = scheduleProblem(e) {
                report("FN-EVENT", p.appending("expression"), "\(Redaction.quoted(e)) \(problem)", fix: "use rate(5 minutes) or cron(0 12 * * ? *)")
            }
        case "eventbridge":
            if let v = o["pattern"], let pattern = expectObject(v, p.appending("pattern"), "pattern"), pattern.isEmpty {
                report("FN-EVENT", p.appending("pattern"), "an event pattern must match something", fix: "e.g. {\"source\": [\"aws.ec2\"]}")
            }
            if let v = o["event_bus"] { _ = expectString(v, p.appending("event_bus"), "event_bus") }
        default: break
        }
        if let v = o["batch_size"], let n = expectInteger(v, p.appending("batch_size"), "batch_size") {
            let maximum = type == "sqs" && (o["queue_arn"]?.stringValue?.hasSuffix(".fifo") ?? false) ? 10 : LambdaLimits.batchSizeRange.upperBound
            if n < LambdaLimits.batchSizeRange.lowerBound || n > maximum {
                report("FN-EVENT", p.appending("batch_size"), "batch_size must be between 1 and \(maximum), found \(n)")
            } else if type == "sqs", n > 10, (o["maximum_batching_window"]?.numberValue ?? 0) < 1 {
                // Lambda refuses a standard queue's batch above 10 without a batching window.
                report("FN-EVENT", p.appending("batch_size"), "an SQS batch_size above 10 needs a maximum_batching_window of at least 1 second, found batch_size \(n)",
                       fix: "add \"maximum_batching_window\": 1 (seconds), or a batch_size of at most 10")
            }
        }
        if let v = o["maximum_batching_window"], let n = expectInteger(v, p.appending("maximum_batching_window"), "maximum_batching_window"),
           !LambdaLimits.batchingWindowRange.contains(n) {
            report("FN-EVENT", p.appending("maximum_batching_window"), "maximum_batching_window must be between 0 and 300 seconds, found \(n)")
        }
        if let v = o["starting_position"], let s = expectString(v, p.appending("starting_position"), "starting_position"), !LambdaLimits.startingPositions.contains(s) {
            report("FN-EVENT", p.appending("starting_position"), "starting_position must be \(LambdaLimits.startingPositions.joined(separator: " or ")), found \(Redaction.quoted(s))",
                   fix: closestMatch(s, in: LambdaLimits.startingPositions).map { "did you mean \"\($0)\"?" })
        }
        if let v = o["enabled"] { expectBool(v, p.appending("enabled"), "enabled") }
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
func isRoleArn(_ s: String) -> Bool {
    guard let arn = ARN(s), arn.service == "iam", arn.region.isEmpty, arn.hasAccountID else { return false }
    return arn.hasIAMName(after: "role/")
}

/// `arn:PARTITION:iam::aws|ACCOUNT:policy/PATH/NAME`.
func isManagedPolicyArn(_ s: String) -> Bool {
    guard let arn = ARN(s), arn.service == "iam", arn.region.isEmpty, arn.account == "aws" || arn.hasAccountID else { return false }
    return arn.hasIAMName(after: "policy/")
}

/// S3's bucket naming rules (the common subset): 3–63 characters of lower-case letters, digits,
/// '.' and '-', starting and ending with a letter or digit, not like an IP address.
func isBucketName(_ s: String) -> Bool {
    let b = Array(s.utf8)
    guard (3...63).contains(b.count), let first = b.first, let last = b.last else { return false }
    let allowed: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    let edge: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    guard b.allSatisfy(allowed), edge(first), edge(last), !s.contains("..") else { return false }
    return s.split(separator: ".").count != 4 || !s.split(separator: ".").allSatisfy { $0.allSatisfy(\.isNumber) }
}

/// What is wrong with an EventBridge schedule expression, or nil: `rate(N unit)` (minute, hour,
/// day; singular for 1) or `cron(Minutes Hours Day-of-month Month Day-of-week Year)` with one of the
/// two day fields `?`.
func scheduleProblem(_ e: String) -> String? {
    if e.hasPrefix("rate(") && e.hasSuffix(")") {
        let inner = e.dropFirst(5).dropLast().split(separator: " ")
        guard inner.count == 2, let n = Int(inner[0]), n > 0 else { return "is not rate(N unit) with a positive N" }
        let unit = String(inner[1])
        let singular = ["minute", "hour", "day"], plural = ["minutes", "hours", "days"]
        if n == 1 ? !singular.contains(unit) : !plural.contains(unit) {
            return "has unit \"\(unit)\"; rate() takes \(n == 1 ? "minute, hour or day" : "minutes, hours or days") here"
        }
        return nil
    }
    if e.hasPrefix("cron(") && e.hasSuffix(")") {
        let fields = e.dropFirst(5).dropLast().split(separator: " ")
        guard fields.count == 6 else { return "has \(fields.count) cron fields; EventBridge needs 6 (minutes hours day-of-month month day-of-week year)" }
        if (fields[2] == "?") == (fields[4] == "?") { return "must have ? in exactly one of day-of-month and day-of-week" }
        let allowed = Set("0123456789*?,-/LW#ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if let bad = fields.first(where: { !$0.uppercased().allSatisfy(allowed.contains) }) { return "has a cron field \"\(bad)\" that is not one" }
        return nil
    }
    return "is neither rate(…) nor cron(…)"
}
