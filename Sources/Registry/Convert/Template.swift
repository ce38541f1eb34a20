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
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" || $0 == "\u{FEFF}" }
        if trimmed.first == "{" {
            do { root = try JSONParser.parse(text) } catch {
                throw RegistryError.refused("\(path) is not valid JSON (\(error)); fix the template or give it as YAML.")
            }
        } else {
            let node: Node?
            do { node = try Yams.compose(yaml: text) } catch {
                throw RegistryError.refused("\(path) is not valid YAML: \(Template.describe(error)); fix the template.")
            }
            guard let node else { throw RegistryError.refused("\(path) is empty; a template has a Resources section.") }
            root = try Template.json(node, path: path)
        }
        guard root["Resources"]?.objectValue != nil else {
            throw RegistryError.refused("\(path) has no Resources section; it is not a CloudFormation or SAM template.")
        }
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

/// What an expression of a template stands for before the stack exists.
public enum Resolved: Equatable, Sendable {
    /// A value known now.
    case value(JSONValue)
    /// `AWS::NoValue`: the property is left out.
    case noValue
    /// Known only once the stack exists (or not at all here): why, in words.
    case unknown(String)

    var value: JSONValue? { if case .value(let v) = self { return v } else { return nil } }
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
            switch d {
            case .string(let s): text = s
            case .number(let n): text = n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case .bool(let b): text = b ? "true" : "false"
            case .array(let a): text = a.compactMap(\.stringValue).joined(separator: ",")
            default: return .unknown("parameter \(name) has a default that is not a value")
            }
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

/// Evaluates intrinsic functions (Ref, Fn::Sub, Fn::Join, Fn::If, …) over a template.
private struct Resolver {
    let template: Template
    let reference: (String, String?) -> String?
    var depth = 0

    private static let functions: Set<String> = ["Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
                                                 "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::FindInMap", "Fn::ImportValue", "Fn::Base64",
                                                 "Fn::GetAZs", "Fn::Cidr", "Fn::Transform", "Fn::ToJsonString", "Fn::Length"]

    mutating func resolve(_ v: JSONValue) -> Resolved {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { return .unknown("expressions nested too deeply") }
        switch v {
        case .array(let items):
            var out: [JSONValue] = []
            for item in items {
                switch resolve(item) {
                case .value(let x): out.append(x)
                case .noValue: continue
                case .unknown(let why): return .unknown(why)
                }
            }
            return .value(.array(out))
        case .object(let o):
            if o.count == 1, let (key, argument) = o.members.first.map({ ($0.key, $0.value) }), Resolver.functions.contains(key) {
                return function(key, argument)
            }
            var out = JSONObject()
            for member in o {
                switch resolve(member.value) {
                case .value(let x): out[member.key] = x
                case .noValue: continue
                case .unknown(let why): return .unknown(why)
                }
            }
            return .value(.object(out))
        default:
            return .value(v)
        }
    }

    private mutating func string(_ v: JSONValue) -> Result<String, Reason> {
        switch resolve(v) {
        case .value(.string(let s)): return .success(s)
        case .value(.number(let n)): return .success(n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n))
        case .value(.bool(let b)): return .success(b ? "true" : "false")
        case .value(let other): return .failure(Reason("a string was expected, not \(other.typeDescription)"))
        case .noValue: return .failure(Reason("AWS::NoValue where a string was expected"))
        case .unknown(let why): return .failure(Reason(why))
        }
    }

    struct Reason: Error { let text: String; init(_ t: String) { text = t } }

    private mutating func function(_ name: String, _ argument: JSONValue) -> Resolved {
        switch name {
        case "Ref":
            guard let target = argument.stringValue else { return .unknown("Ref of something that is not a name") }
            if let p = template.pseudo(target) { return p }
            if let p = template.parameter(target) { return p }
            if let known = reference(target, nil) { return .value(.string(known)) }
            if let r = template.resource(target) { return .unknown("Ref to \(target) (\(r.type)) is known only once the stack exists") }
            return .unknown("Ref to \(target), which the template does not declare")
        case "Fn::GetAtt":
            guard let parts = argument.arrayValue, parts.count == 2, let resource = parts[0].stringValue else {
                return .unknown("Fn::GetAtt takes a resource and an attribute")
            }
            guard case .success(let attribute) = string(parts[1]) else { return .unknown("Fn::GetAtt of an attribute that is not known") }
            if let known = reference(resource, attribute) { return .value(.string(known)) }
            let type = template.resource(resource)?.type ?? "undeclared"
            return .unknown("Fn::GetAtt \(resource).\(attribute) (\(type)) is known only once the stack exists")
        case "Fn::Sub":
            let text: String
            var variables: [String: JSONValue] = [:]
            if let s = argument.stringValue {
                text = s
            } else if let a = argument.arrayValue, a.count == 2, let s = a[0].stringValue, let vars = a[1].objectValue {
                text = s
                for m in vars { variables[m.key] = m.value }
            } else {
                return .unknown("Fn::Sub takes a string, or a string and a map of variables")
            }
            return substitute(text, variables)
        case "Fn::Join":
            guard let a = argument.arrayValue, a.count == 2, let delimiter = a[0].stringValue else { return .unknown("Fn::Join takes a delimiter and a list") }
            guard case .value(.array(let items)) = resolve(a[1]) else { return resolve(a[1]).unknownOr("Fn::Join of something that is not a list") }
            var parts: [String] = []
            for item in items {
                switch string(item) {
                case .success(let s): parts.append(s)
                case .failure(let r): return .unknown(r.text)
                }
            }
            return .value(.string(parts.joined(separator: delimiter)))
        case "Fn::Select":
            guard let a = argument.arrayValue, a.count == 2 else { return .unknown("Fn::Select takes an index and a list") }
            guard case .success(let indexText) = string(a[0]), let index = Int(indexText) else { return .unknown("Fn::Select with an index that is not known") }
            guard case .value(.array(let items)) = resolve(a[1]) else { return resolve(a[1]).unknownOr("Fn::Select of something that is not a list") }
            guard index >= 0, index < items.count else { return .unknown("Fn::Select index \(index) is outside the list") }
            return .value(items[index])
        case "Fn::Split":
            guard let a = argument.arrayValue, a.count == 2, let delimiter = a[0].stringValue, !delimiter.isEmpty else { return .unknown("Fn::Split takes a delimiter and a string") }
            switch string(a[1]) {
            case .success(let s): return .value(.array(s.components(separatedBy: delimiter).map(JSONValue.string)))
            case .failure(let r): return .unknown(r.text)
            }
        case "Fn::FindInMap":
            guard let a = argument.arrayValue, a.count >= 3 else { return .unknown("Fn::FindInMap takes a map and two keys") }
            var keys: [String] = []
            for k in a.prefix(3) {
                switch string(k) {
                case .success(let s): keys.append(s)
                case .failure(let r): return .unknown(r.text)
                }
            }
            guard let found = template.root["Mappings"]?[keys[0]]?[keys[1]]?[keys[2]] else {
                return .unknown("Fn::FindInMap: the mapping \(keys[0]) has no \(keys[1])/\(keys[2])")
            }
            return resolve(found)
        case "Fn::If":
            guard let a = argument.arrayValue, a.count == 3, let condition = a[0].stringValue else { return .unknown("Fn::If takes a condition and two values") }
            switch self.condition(condition) {
            case .success(let truth): return resolve(truth ? a[1] : a[2])
            case .failure(let r): return .unknown(r.text)
            }
        case "Condition":
            guard let condition = argument.stringValue else { return .unknown("Condition takes a condition's name") }
            switch self.condition(condition) {
            case .success(let truth): return .value(.bool(truth))
            case .failure(let r): return .unknown(r.text)
            }
        case "Fn::Equals":
            guard let a = argument.arrayValue, a.count == 2 else { return .unknown("Fn::Equals takes two values") }
            guard case .value(let x) = resolve(a[0]), case .value(let y) = resolve(a[1]) else { return .unknown("Fn::Equals of values not known yet") }
            return .value(.bool(x == y || JSONWriter.canonical(x) == JSONWriter.canonical(y)))
        case "Fn::Not", "Fn::And", "Fn::Or":
            guard let a = argument.arrayValue, !a.isEmpty else { return .unknown("\(name) takes a list of conditions") }
            var truths: [Bool] = []
            for item in a {
                guard case .value(.bool(let b)) = resolve(item) else { return .unknown("\(name) of a condition not known yet") }
                truths.append(b)
            }
            switch name {
            case "Fn::Not": return .value(.bool(!truths[0]))
            case "Fn::And": return .value(.bool(truths.allSatisfy { $0 }))
            default: return .value(.bool(truths.contains(true)))
            }
        case "Fn::Base64":
            switch string(argument) {
            case .success(let s): return .value(.string(Data(s.utf8).base64EncodedString()))
            case .failure(let r): return .unknown(r.text)
            }
        case "Fn::ToJsonString":
            guard case .value(let x) = resolve(argument) else { return .unknown("Fn::ToJsonString of a value not known yet") }
            return .value(.string(JSONWriter.canonical(x)))
        case "Fn::Length":
            guard case .value(.array(let items)) = resolve(argument) else { return .unknown("Fn::Length of a list not known yet") }
            return .value(.number(Double(items.count)))
        case "Fn::ImportValue":
            return .unknown("Fn::ImportValue reads another stack's export, known only once that stack exists")
        case "Fn::GetAZs":
            return .unknown("Fn::GetAZs is known only in the account")
        default:
            return .unknown("\(name) is evaluated by CloudFormation only")
        }
    }

    private mutating func condition(_ name: String) -> Result<Bool, Reason> {
        guard let expression = template.root["Conditions"]?[name] else { return .failure(Reason("condition \(name) is not declared")) }
        switch resolve(expression) {
        case .value(.bool(let b)): return .success(b)
        case .unknown(let why): return .failure(Reason("condition \(name): \(why)"))
        default: return .failure(Reason("condition \(name) is not true or false"))
        }
    }

    /// `${Name}`, `${Resource.Attribute}`, `${!Literal}` in Fn::Sub.
    private mutating func substitute(_ text: String, _ variables: [String: JSONValue]) -> Resolved {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[rest.startIndex..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "}") else { out += rest[open.lowerBound...]; rest = ""; break }
            let name = String(after[after.startIndex..<close]).trimmingCharacters(in: .whitespaces)
            rest = after[after.index(after: close)...]
            if name.hasPrefix("!") { out += "${" + name.dropFirst() + "}"; continue }
            let replacement: Result<String, Reason>
            if let v = variables[name] {
                replacement = string(v)
            } else if name.contains("."), !name.hasPrefix("AWS::") {
                let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
                replacement = string(.object(JSONObject([("Fn::GetAtt", .array(parts.map(JSONValue.string)))])))
            } else {
                replacement = string(.object(JSONObject([("Ref", .string(name))])))
            }
            switch replacement {
            case .success(let s): out += s
            case .failure(let r): return .unknown("Fn::Sub ${\(name)}: \(r.text)")
            }
        }
        out += rest
        return .value(.string(out))
    }
}

private extension Resolved {
    func unknownOr(_ why: String) -> Resolved {
        if case .unknown = self { return self }
        return .unknown(why)
    }
}
