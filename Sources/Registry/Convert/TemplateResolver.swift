import Foundation

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

/// Evaluates intrinsic functions (Ref, Fn::Sub, Fn::Join, Fn::If, …) over a template.
struct Resolver {
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
        case .value(let v):
            guard let s = SAMConverter.text(v) else { return .failure(Reason("a string was expected, not \(v.typeDescription)")) }
            return .success(s)
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
