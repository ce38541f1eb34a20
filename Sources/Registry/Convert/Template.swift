import Foundation
import Yams

/// A CloudFormation or SAM template, read from YAML or JSON, with what can be known before the
/// stack exists: parameters (their defaults, or values given), pseudo parameters, mappings and
/// conditions. Short-form tags (`!Ref`, `!Sub`, `!GetAtt`, …) read as their long forms.
public struct Template: Sendable {
    /// The template's own text, as JSON (intrinsic functions as `{"Ref": …}`, `{"Fn::Sub": …}`).
    public let root: JSONValue
    /// Where it was read from, as error messages name it.
    public let path: String
    /// Values for the template's parameters and AWS's pseudo parameters.
    public let context: Context

    /// What `AWS::Region`, `AWS::AccountId`, … and the template's parameters stand for.
    public struct Context: Sendable {
        public var region: String
        public var accountID: String
        public var partition: String
        public var stackName: String
        /// Values given for parameters (override the template's defaults).
        public var parameters: [String: String]

        public init(region: String = "us-east-1", accountID: String = "123456789012", partition: String = "aws",
                    stackName: String = "stack", parameters: [String: String] = [:]) {
            self.region = region
            self.accountID = accountID
            self.partition = partition
            self.stackName = stackName
            self.parameters = parameters
        }
    }

    /// Reads the template at `path` (YAML, or JSON when it starts with `{`).
    public static func read(path: String, context: Context) throws -> Template {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.io("Cannot read \(path): no such file, or not readable; pass the path of a SAM or CloudFormation template.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RegistryError.refused("\(path) is not UTF-8 text; a template is YAML or JSON.")
        }
        return try Template(text: text, path: path, context: context)
    }

    /// Parses `text` (named `path` in errors).
    public init(text: String, path: String, context: Context) throws {
        self.path = path
        self.context = context
        root = try Template.parse(text, path: path)
        guard root["Resources"]?.objectValue != nil else {
            throw RegistryError.refused("\(path) has no Resources section; it is not a CloudFormation or SAM template.")
        }
    }

    /// A template made of parts of another document (the `resources` of a serverless.yml).
    init(root: JSONValue, path: String, context: Context) {
        self.root = root
        self.path = path
        self.context = context
    }

    /// YAML (with CloudFormation's short-form tags) or JSON text as JSON, or why it is not.
    static func parse(_ text: String, path: String) throws -> JSONValue {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }
        if trimmed.first == "{" {
            do { return try JSONParser.parse(text) } catch {
                throw RegistryError.refused("\(path) is not valid JSON (\(error)); fix it or give it as YAML.")
            }
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw RegistryError.refused("\(path) is not valid YAML: \(describe(error)); fix it.")
        }
        guard let node else { throw RegistryError.refused("\(path) is empty: there is nothing to convert.") }
        return try json(node, path: path)
    }

    private static func describe(_ error: Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "")
    }

    /// The template's resources by logical ID.
    public var resources: JSONObject { root["Resources"]?.objectValue ?? JSONObject() }

    /// The resource with a logical ID and its type, if the template has it.
    func resource(_ logicalID: String) -> (type: String, properties: JSONValue)? {
        guard let r = resources[logicalID], let type = r["Type"]?.stringValue else { return nil }
        return (type, r["Properties"] ?? .object(JSONObject()))
    }

    // MARK: YAML to JSON

    private static let tagNames: [String: String] = [
        "!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join",
        "!Select": "Fn::Select", "!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not",
        "!And": "Fn::And", "!Or": "Fn::Or", "!FindInMap": "Fn::FindInMap", "!ImportValue": "Fn::ImportValue",
        "!Base64": "Fn::Base64", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
        "!ToJsonString": "Fn::ToJsonString", "!Length": "Fn::Length",
    ]

    static func json(_ node: Node, path: String) throws -> JSONValue {
        let tag = node.tag.rawValue
        let value: JSONValue
        switch node {
        case .scalar(let scalar):
            if tag.hasPrefix("!") && tag != "!" {
                value = .string(scalar.string)
            } else {
                switch tag {
                case Tag.Name.null.rawValue: value = .null
                case Tag.Name.bool.rawValue: value = node.bool.map(JSONValue.bool) ?? .string(scalar.string)
                case Tag.Name.int.rawValue: value = node.int.map { .number(Double($0)) } ?? .string(scalar.string)
                case Tag.Name.float.rawValue: value = node.float.map { $0.isFinite ? .number($0) : .string(scalar.string) } ?? .string(scalar.string)
                default: value = .string(scalar.string)
                }
            }
        case .mapping(let mapping):
            var o = JSONObject()
            for (k, v) in mapping {
                guard let key = k.string else { throw RegistryError.refused("\(path): a mapping key is not a string; CloudFormation keys are strings.") }
                o[key] = try json(v, path: path)
            }
            value = .object(o)
        case .sequence(let sequence):
            value = .array(try sequence.map { try json($0, path: path) })
        case .alias:
            throw RegistryError.refused("\(path) uses a YAML alias (*name); CloudFormation does not accept aliases: write the value out.")
        }
        guard tag.hasPrefix("!"), tag != "!" else { return value }
        guard let function = tagNames[tag] else {
            throw RegistryError.refused("\(path): unknown tag \(tag); CloudFormation's short forms are \(tagNames.keys.sorted().joined(separator: ", ")).")
        }
        if function == "Fn::GetAtt", let dotted = value.stringValue {
            // `!GetAtt Resource.Attribute.Part` is ["Resource", "Attribute.Part"].
            let parts = dotted.split(separator: ".", maxSplits: 1).map(String.init)
            return .object(JSONObject([(function, .array(parts.map(JSONValue.string)))]))
        }
        return .object(JSONObject([(function, value)]))
    }
}

extension Template {
    /// Resolves every intrinsic function in `v` that can be resolved before the stack exists.
    /// `reference` names a resource's physical name or attribute when the converter knows it
    /// (e.g. a function's name); `nil` leaves it unknown.
    func resolve(_ v: JSONValue, reference: @escaping (String, String?) -> String? = { _, _ in nil }) -> Resolved {
        var r = Resolver(template: self, reference: reference)
        return r.resolve(v)
    }

    /// A parameter's value: given, else its default; lists split at commas.
    func parameter(_ name: String) -> Resolved? {
        guard let declaration = root["Parameters"]?[name] else { return nil }
        let type = declaration["Type"]?.stringValue ?? "String"
        let text: String
        if let given = context.parameters[name] {
            text = given
        } else if let d = declaration["Default"] {
            if let t = SAMConverter.text(d) { text = t }
            else if let a = d.arrayValue { text = a.compactMap(\.stringValue).joined(separator: ",") }
            else { return .unknown("parameter \(name) has a default that is not a value") }
        } else {
            return .unknown("parameter \(name) has no default (give one with --parameter \(name)=VALUE)")
        }
        if type.hasPrefix("List<") || type == "CommaDelimitedList" {
            return .value(.array(text.split(separator: ",", omittingEmptySubsequences: false).map { .string($0.trimmingCharacters(in: .whitespaces)) }))
        }
        if type == "Number", let n = Double(text) { return .value(.number(n)) }
        return .value(.string(text))
    }

    func pseudo(_ name: String) -> Resolved? {
        switch name {
        case "AWS::Region": return .value(.string(context.region))
        case "AWS::AccountId": return .value(.string(context.accountID))
        case "AWS::Partition": return .value(.string(context.partition))
        case "AWS::StackName": return .value(.string(context.stackName))
        case "AWS::URLSuffix": return .value(.string(context.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"))
        case "AWS::NoValue": return .noValue
        case "AWS::StackId": return .unknown("AWS::StackId is known only once the stack exists")
        case "AWS::NotificationARNs": return .unknown("AWS::NotificationARNs is known only once the stack exists")
        default: return nil
        }
    }
}
