import Foundation
import Testing
@testable import Registry

/// `fnreg convert sam` turns a template with functions of each kind into a repository that
/// validates, imports and exports, and names everything it could not carry.
@Suite("Converting SAM templates", .serialized)
struct ConvertTests {
    static let template = EndToEndTests.packageRoot + "/Tests/Corpus/sam/template.yaml"

    func run(_ arguments: [String], in directory: String) throws -> EndToEndTests.Result {
        try EndToEndTests.run(arguments, in: directory, environment: ["FNREG_TODAY": "2026-11-26"])
    }

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "fnreg-convert-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func document(_ root: String, _ name: String) throws -> JSONValue {
        try JSONParser.parse(try String(contentsOfFile: "\(root)/lambda_functions/\(name)/function.json", encoding: .utf8))
    }

    @Test func aTemplateOfEveryKindBecomesARepositoryThatValidatesImportsAndExports() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var r = try run(["convert", "sam", Self.template, "--out", root, "--parameter", "AlarmTopicArn=arn:aws:sns:us-east-1:123456789012:alarms"], in: root)
        #expect(r.status == 0, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("Converted 7 function(s)") && r.stdout.contains("Validated: 0 error(s)"), "\(r.stdout)")
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/lambda_functions").sorted()
        #expect(names == ["NightlyReportFunction", "OrderWorkerFunction", "http_status", "orders_admin", "orders_api", "plain_lambda", "token_authorizer"])

        // Globals, parameters, mappings, pseudo parameters and policy templates resolved.
        let api = try document(root, "orders_api")
        #expect(api["runtime"] == "python3.13" && api["timeout"] == .number(30) && api["memory_size"] == .number(1024))
        #expect(api["environment_variables"] == ["LOG_LEVEL": "INFO", "QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/prod-orders",
                                                 "STAGE": "prod", "TABLE_NAME": "orders"])
        #expect(api["api"]?["methods"] == ["GET", "POST"] || api["api"]?["methods"] == ["POST", "GET"])
        #expect(api["api"]?["authorizer"] == "cognito" && api["api"]?["authorizer_arn"] == "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Orders1")
        #expect(api["api"]?["cors"]?["allowed_origins"] == ["https://app.example.com"] && api["api"]?["cors"]?["max_age"] == .number(600))
        #expect(api["vpc_config"]?["subnet_ids"] == ["subnet-0a1b2c3d", "subnet-4e5f6a7b"])
        #expect(api["managed_policies"] == ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"])
        #expect(api["additional_policies"]?.arrayValue?.count == 3)
        #expect(api["additional_policies"]?.arrayValue?.last?["Resource"] == "arn:aws:s3:::prod-order-uploads-123456789012/*")
        // Every event source type.
        let worker = try document(root, "OrderWorkerFunction")
        let types = (worker["events"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }.sorted()
        #expect(types == ["dynamodb", "kinesis", "s3", "sns", "sqs"], "\(types)")
        #expect(worker["events"]?.arrayValue?.first { $0["type"] == "sqs" }?["queue_arn"] == "arn:aws:sqs:us-east-1:123456789012:prod-orders")
        #expect(worker["events"]?.arrayValue?.first { $0["type"] == "s3" }?["bucket"] == "prod-order-uploads-123456789012")
        #expect(worker["role_arn"] == "arn:aws:iam::123456789012:role/service/order-worker" && worker["additional_policies"] == nil)
        #expect(worker["ephemeral_storage"] == .number(2048) && worker["reserved_concurrent_executions"] == .number(5))
        #expect(worker["logging_config"] == ["log_format": "JSON", "application_log_level": "DEBUG", "system_log_level": "WARN"])
        let report = try document(root, "NightlyReportFunction")
        #expect((report["events"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }.sorted() == ["eventbridge", "schedule", "schedule"])
        #expect(report["snap_start"] == ["apply_on": "PublishedVersions"] && report["architectures"] == ["arm64"])
        #expect(try document(root, "orders_admin")["api"]?["authorizer_function"] == "token_authorizer")
        #expect(try document(root, "token_authorizer")["function_url"]?["auth_type"] == "AWS_IAM")
        let http = try document(root, "http_status")
        #expect(http["api"]?["type"] == "http" && http["api"]?["authorizer"] == "iam" && http["api"]?["cors"]?["allowed_origins"] == ["https://status.example.com"])
        // A role of the template: its inline policies and managed policies, not a role_arn.
        let plain = try document(root, "plain_lambda")
        #expect(plain["role_arn"] == nil && plain["managed_policies"] == ["arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess"])
        #expect(plain["additional_policies"]?.arrayValue?.first?["Resource"] == "arn:aws:dynamodb:us-east-1:123456789012:table/orders")
        // Code: CodeUri's directory copied, inline code written as the handler's module.
        #expect(FileManager.default.fileExists(atPath: root + "/lambda_functions/orders_api/app.py"))
        #expect(try String(contentsOfFile: root + "/lambda_functions/http_status/index.py", encoding: .utf8).contains("def handler"))
        #expect(try String(contentsOfFile: root + "/lambda_functions/plain_lambda/index.py", encoding: .utf8).contains("\"plain\""))
        // Every value not carried is named with its pointer in the template.
        for pointer in ["/Resources/OrdersApiFunction/Properties/AutoPublishAlias", "/Resources/PlainLambda/Properties/KmsKeyArn",
                        "/Resources/NightlyReportFunction/Properties/Events/Iot", "/Resources/NightlyReportFunction/Properties/CodeUri",
                        "/Resources/OrderWorkerFunction/Properties/Events/Queue/Properties/FunctionResponseTypes",
                        "/Resources/DevOnlyFunction/Condition", "/Resources/ImageFunction"] {
            #expect(r.stdout.contains(pointer), "\(pointer) is not reported: \(r.stdout)")
        }

        // The converted repository is a configuration repository like any other.
        try FileManager.default.createDirectory(atPath: root + "/terraform/environments/prod", withIntermediateDirectories: true)
        try "{\"tags\": {\"Environment\": \"prod\"}}\n".write(toFile: root + "/terraform/environments/prod/environment.json", atomically: true, encoding: .utf8)
        try EndToEndTests.shell("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm converted", in: root)
        #expect(try run(["validate"], in: root).status == 0)
        r = try run(["import"], in: root)
        #expect(r.status == 0, "\(r.stderr)")
        r = try run(["export", "json", "--env", "prod"], in: root)
        #expect(r.status == 0 && r.stdout.contains("\"queue_arn\": \"arn:aws:sqs:us-east-1:123456789012:prod-orders\""), "\(r.stderr)")
    }

    @Test func parametersAndConditionsDecideWhatIsConverted() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try run(["convert", "sam", Self.template, "--out", root, "--parameter", "Stage=dev", "--region", "eu-west-1", "--account", "210987654321",
                         "--format", "json"], in: root)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONParser.parse(r.stdout)
        #expect(json["format_version"] == .number(1))
        let functions = json["functions"]?.arrayValue ?? []
        #expect(functions.contains { $0["logical_id"] == "DevOnlyFunction" }, "the IsDev condition is true with Stage=dev")
        let api = functions.first { $0["name"] == "orders_api" }?["document"]
        #expect(api?["memory_size"] == .number(256) && api?["environment_variables"]?["QUEUE_URL"] == "https://sqs.eu-west-1.amazonaws.com/210987654321/dev-orders")
        // Without a value for AlarmTopicArn, the SNS source is named as not carried.
        let worker = functions.first { $0["name"] == "OrderWorkerFunction" }
        #expect(worker?["not_carried"]?.arrayValue?.contains { $0["pointer"] == "/Resources/OrderWorkerFunction/Properties/Events/Alarms/Properties/Topic" } == true)
        #expect(worker?["document"]?["events"]?.arrayValue?.contains { $0["type"] == "sns" } == false)
    }

    @Test func refusalsWriteNothing() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A function directory that exists already: nothing is written.
        try FileManager.default.createDirectory(atPath: root + "/lambda_functions/orders_api", withIntermediateDirectories: true)
        var r = try run(["convert", "sam", Self.template, "--out", root], in: root)
        #expect(r.status == 3 && r.stderr.contains("already exists") && r.stderr.contains("Nothing was written"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/lambda_functions") == ["orders_api"])
        // --dry-run prints the documents and writes nothing.
        try FileManager.default.removeItem(atPath: root + "/lambda_functions")
        r = try run(["convert", "sam", Self.template, "--out", root, "--dry-run"], in: root)
        #expect(r.status == 0 && r.stdout.contains("Would convert") && r.stdout.contains("{\n  \"name\": \"orders_api\",\n"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: root + "/lambda_functions"))
        // Templates that are not: one sentence, exit 3 (usage: exit 2).
        for (text, message) in [("Resources: [", "is not valid YAML"), ("Description: none\n", "has no Resources section"),
                                ("Resources:\n  A: !Bogus x\n", "unknown tag !Bogus")] {
            try text.write(toFile: root + "/t.yaml", atomically: true, encoding: .utf8)
            r = try run(["convert", "sam", root + "/t.yaml", "--out", root], in: root)
            #expect(r.status == 3 && r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(text): \(r.stderr)")
        }
        r = try run(["convert", "sam", Self.template, "--out", root, "--parameter", "novalue"], in: root)
        #expect(r.status == 2 && r.stderr.contains("NAME=VALUE"), "\(r.stderr)")
        // Code outside the template's directory is never copied.
        try FileManager.default.createDirectory(atPath: root + "/t", withIntermediateDirectories: true)
        try "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: python3.13, Handler: app.h, CodeUri: ../../../etc, Description: d}\n"
            .write(toFile: root + "/t/t.yaml", atomically: true, encoding: .utf8)
        r = try run(["convert", "sam", root + "/t/t.yaml", "--out", root + "/o"], in: root)
        #expect(r.status == 0 && r.stdout.contains("outside the template's directory"), "\(r.stdout) \(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/o/lambda_functions/F") == ["function.json"])
    }

    @Test func jsonTemplatesAndIntrinsics() throws {
        let text = """
            {"Parameters": {"Env": {"Type": "String", "Default": "qa"}, "Names": {"Type": "CommaDelimitedList", "Default": "a,b,c"}},
             "Conditions": {"IsQa": {"Fn::Equals": [{"Ref": "Env"}, "qa"]}},
             "Resources": {"F": {"Type": "AWS::Lambda::Function", "Properties": {
               "FunctionName": {"Fn::Join": ["_", ["fn", {"Ref": "Env"}]]}, "Runtime": "python3.13", "Handler": "index.h",
               "Role": {"Fn::Sub": ["arn:aws:iam::${AWS::AccountId}:role/${Name}", {"Name": {"Fn::Select": [1, {"Ref": "Names"}]}}]},
               "Description": {"Fn::Sub": "literal ${!NotAVariable} in ${AWS::Partition}"},
               "MemorySize": {"Fn::If": ["IsQa", 512, 1024]},
               "Timeout": {"Fn::Length": [1, 2, 3]},
               "Environment": {"Variables": {"PARTS": {"Fn::Join": ["-", {"Fn::Split": [",", "x,y"]}]}, "GONE": {"Ref": "AWS::NoValue"}, "AZ": {"Fn::GetAZs": ""}}}}}}}
            """
        let template = try Template(text: text, path: "t.json", context: .init(accountID: "111122223333"))
        let c = SAMConverter.convert(template)
        let f = try #require(c.functions.first)
        #expect(f.name == "fn_qa")
        #expect(f.document["role_arn"] == "arn:aws:iam::111122223333:role/b")
        #expect(f.document["description"] == "literal ${NotAVariable} in aws")
        #expect(f.document["memory_size"] == .number(512) && f.document["timeout"] == .number(3))
        #expect(f.document["environment_variables"] == ["PARTS": "x-y"])
        #expect(f.notCarried.contains { $0.pointer.hasSuffix("/Environment/Variables/AZ") && $0.reason.contains("Fn::GetAZs") }, "\(f.notCarried)")
        // Short forms read as the long forms.
        let yaml = try Template(text: "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      A: !GetAtt Fn.Arn\n      B: !Sub x\n      C: !Ref P\n",
                                path: "t.yaml", context: .init())
        #expect(yaml.resources["Q"]?["Properties"] == ["A": ["Fn::GetAtt": ["Fn", "Arn"]], "B": ["Fn::Sub": "x"], "C": ["Ref": "P"]])
    }

    static let service = EndToEndTests.packageRoot + "/Tests/Corpus/serverless/serverless.yml"

    @Test func aServerlessServiceBecomesARepositoryThatValidatesAndImports() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var r = try run(["convert", "serverless", Self.service, "--out", root, "--stage", "prod"], in: root)
        #expect(r.status == 0 && r.stdout.contains("Converted 4 function(s)") && r.stdout.contains("Validated: 0 error(s)"), "\(r.stdout) \(r.stderr)")
        // The provider's settings are each function's defaults; variables resolved for the stage.
        let create = try document(root, "createOrder")
        #expect(create["runtime"] == "python3.13" && create["memory_size"] == .number(1024) && create["timeout"] == .number(20))
        #expect(create["environment_variables"] == ["TABLE_NAME": "orders-prod", "STAGE": "prod", "REGION": "eu-west-1", "FEATURE_FLAG": "off"])
        #expect(create["architectures"] == ["arm64"] && create["tracing_config"] == ["mode": "Active"])
        #expect(create["additional_policies"]?.arrayValue?.first?["Resource"] == "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-prod")
        #expect(create["managed_policies"] == ["arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"])
        // Two http events on one path: one route with both methods; cors covers them.
        #expect(create["api"]?["path"] == "/orders" && create["api"]?["methods"] == ["POST", "GET"] && create["api"]?["authorizer"] == "iam")
        #expect(create["api"]?["cors"]?["allowed_methods"] == ["POST", "OPTIONS", "GET"])
        let get = try document(root, "getOrder")
        #expect(get["api"]?["type"] == "http" && get["api"]?["authorizer"] == "lambda" && get["api"]?["authorizer_function"] == "authorizer")
        #expect(get["memory_size"] == .number(512))
        let worker = try document(root, "worker")
        let events = worker["events"]?.arrayValue ?? []
        #expect(events.map { $0["type"]?.stringValue ?? "" } == ["sqs", "sns", "s3", "schedule", "schedule", "eventbridge", "dynamodb"])
        #expect(events.first?["queue_arn"] == "arn:aws:sqs:eu-west-1:123456789012:orders-prod", "!GetAtt of a queue of the service's resources")
        #expect(events[1]["topic_arn"] == "arn:aws:sns:eu-west-1:123456789012:order-alarms" && events[2]["bucket"] == "orders-uploads-prod")
        #expect(worker["reserved_concurrent_executions"] == .number(5) && worker["ephemeral_storage"] == .number(2048))
        #expect(worker["dead_letter_config"] == ["target_arn": "arn:aws:sns:eu-west-1:123456789012:orders-dlq"])
        let authorizer = try document(root, "authorizer")
        #expect(authorizer["runtime"] == "nodejs22.x" && authorizer["function_url"]?["auth_type"] == "AWS_IAM" && authorizer["architectures"] == ["x86_64"])
        // The handler's file is copied keeping its path, so the handler still names it.
        #expect(FileManager.default.fileExists(atPath: root + "/lambda_functions/worker/src/worker.py"))
        #expect(FileManager.default.fileExists(atPath: root + "/lambda_functions/authorizer/src/auth.js"))
        // What is not carried is named; the caller's environment is never read.
        for pointer in ["/provider/environment/API_KEY", "/functions/getOrder/provisionedConcurrency", "/functions/worker/events/6",
                        "/functions/worker/events/0/sqs/functionResponseType", "/functions/imageFn"] {
            #expect(r.stdout.contains(pointer), "\(pointer) is not reported: \(r.stdout)")
        }
        r = try EndToEndTests.run(["convert", "serverless", Self.service, "--out", root + "/again", "--format", "json"], in: root,
                                  environment: ["FEATURE_FLAG": "on-from-the-caller", "FNREG_TODAY": "2026-11-26"])
        #expect(r.status == 0 && !r.stdout.contains("on-from-the-caller") && r.stdout.contains("\"STAGE\": \"dev\""), "the default stage is provider.stage's fallback")
        // It imports and exports like any repository.
        try FileManager.default.createDirectory(atPath: root + "/terraform/environments/prod", withIntermediateDirectories: true)
        try "{}\n".write(toFile: root + "/terraform/environments/prod/environment.json", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: root + "/again")
        try EndToEndTests.shell("git init -q -b main && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm converted", in: root)
        #expect(try run(["import"], in: root).status == 0)
        r = try run(["export", "json", "--env", "prod"], in: root)
        #expect(r.status == 0 && r.stdout.contains("\"authorizer_function\": \"authorizer\""), "\(r.stderr)")
    }
}

