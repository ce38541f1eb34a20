import Foundation

/// The conversion of one template.
struct TemplateConverter {
    let template: Template
    /// Registry name by logical ID, for every function resource.
    var names: [String: String] = [:]

    init(template: Template) {
        self.template = template
        for m in template.resources {
            guard let type = m.value["Type"]?.stringValue, TemplateConverter.functionTypes.contains(type) else { continue }
            let given = template.resolve(m.value["Properties"]?["FunctionName"] ?? .null).value?.stringValue
            names[m.key] = given.flatMap { TemplateConverter.isName($0) ? $0 : nil } ?? m.key
        }
    }

    static let functionTypes: Set<String> = ["AWS::Serverless::Function", "AWS::Lambda::Function"]

    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 64 && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 }
    }

    var region: String { template.context.region }
    var account: String { template.context.accountID }
    var partition: String { template.context.partition }

    mutating func run() -> SAMConverter.Conversion {
        var functions: [SAMConverter.Function] = []
        var skipped: [SAMConverter.Loss] = []
        for m in template.resources {
            guard let type = m.value["Type"]?.stringValue, TemplateConverter.functionTypes.contains(type) else { continue }
            if let condition = m.value["Condition"]?.stringValue {
                switch template.resolve(.object(JSONObject([("Condition", .string(condition))]))) {
                case .value(.bool(false)):
                    skipped.append(.init(pointer: "/Resources/\(m.key)/Condition", reason: "its condition \(condition) is false with these parameters"))
                    continue
                case .value: break
                default:
                    skipped.append(.init(pointer: "/Resources/\(m.key)/Condition", reason: "its condition \(condition) cannot be decided now; converted as if it were true"))
                }
            }
            var one = FunctionConversion(converter: self, logicalID: m.key, serverless: type == "AWS::Serverless::Function")
            if let reason = one.convert() {
                skipped.append(.init(pointer: "/Resources/\(m.key)", reason: reason))
            } else {
                functions.append(one.result())
            }
        }
        return .init(functions: functions.sorted { $0.name < $1.name }, skipped: skipped)
    }

    /// Physical names and attributes this template lets us know before it is deployed.
    func reference(_ logicalID: String, _ attribute: String?) -> String? {
        if let name = names[logicalID] {
            if attribute == nil { return name }
            if attribute == "Arn" { return "arn:\(partition):lambda:\(region):\(account):function:\(name)" }
            return nil
        }
        guard let (type, properties) = template.resource(logicalID) else { return nil }
        func literal(_ key: String) -> String? { template.resolve(properties[key] ?? .null).value?.stringValue }
        switch (type, attribute) {
        case ("AWS::SQS::Queue", "Arn"): return literal("QueueName").map { "arn:\(partition):sqs:\(region):\(account):\($0)" }
        case ("AWS::SQS::Queue", "QueueName"): return literal("QueueName")
        case ("AWS::SQS::Queue", nil): return literal("QueueName").map { "https://sqs.\(region).amazonaws.com/\(account)/\($0)" }
        case ("AWS::SNS::Topic", nil), ("AWS::SNS::Topic", "TopicArn"): return literal("TopicName").map { "arn:\(partition):sns:\(region):\(account):\($0)" }
        case ("AWS::SNS::Topic", "TopicName"): return literal("TopicName")
        case ("AWS::S3::Bucket", nil): return literal("BucketName")
        case ("AWS::S3::Bucket", "Arn"): return literal("BucketName").map { "arn:\(partition):s3:::\($0)" }
        case ("AWS::DynamoDB::Table", nil), ("AWS::Serverless::SimpleTable", nil): return literal("TableName")
        case ("AWS::DynamoDB::Table", "Arn"): return literal("TableName").map { "arn:\(partition):dynamodb:\(region):\(account):table/\($0)" }
        case ("AWS::Kinesis::Stream", nil): return literal("Name")
        case ("AWS::Kinesis::Stream", "Arn"): return literal("Name").map { "arn:\(partition):kinesis:\(region):\(account):stream/\($0)" }
        case ("AWS::IAM::Role", nil): return literal("RoleName")
        case ("AWS::IAM::Role", "Arn"):
            return literal("RoleName").map { "arn:\(partition):iam::\(account):role\(literal("Path") ?? "/")\($0)" }
        case ("AWS::Events::EventBus", nil), ("AWS::Events::EventBus", "Name"): return literal("Name")
        case ("AWS::Events::EventBus", "Arn"): return literal("Name").map { "arn:\(partition):events:\(region):\(account):event-bus/\($0)" }
        case ("AWS::SecretsManager::Secret", nil): return nil
        case ("AWS::Cognito::UserPool", _): return nil
        default: return nil
        }
    }

    func resolve(_ v: JSONValue) -> Resolved { template.resolve(v, reference: reference) }
}

extension TemplateConverter {
    /// Why the properties function.json cannot carry are left out.
    static let unsupported: [String: String] = [
        "AutoPublishAlias": "fnreg's modules deploy $LATEST (aliases are not part of function.json)",
        "DeploymentPreference": "gradual deployments (CodeDeploy) are not part of function.json",
        "ProvisionedConcurrencyConfig": "provisioned concurrency needs an alias, which function.json does not describe",
        "KmsKeyArn": "function.json has no customer-managed key for environment variables",
        "FileSystemConfigs": "function.json has no EFS mounts",
        "ImageConfig": "container images are not function.json's",
        "ImageUri": "container images are not function.json's",
        "EventInvokeConfig": "function.json has no asynchronous invocation settings (destinations, retries)",
        "CodeSigningConfigArn": "function.json has no code signing",
        "RuntimeManagementConfig": "function.json has no runtime management setting",
        "RecursiveLoop": "function.json has no recursive loop setting",
        "AssumeRolePolicyDocument": "the role fnreg generates is assumed by Lambda only",
        "PermissionsBoundary": "the role fnreg generates has no permissions boundary",
        "VersionDescription": "fnreg's modules deploy $LATEST",
        "AutoPublishCodeSha256": "fnreg's modules deploy $LATEST",
    ]
}
