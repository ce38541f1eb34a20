import Foundation

/// Turns the functions of a Serverless Framework service (`serverless.yml`) into `function.json`
/// documents: the provider's settings as each function's defaults, its events as `api` and
/// `events`, and every value that cannot be carried named with its JSON Pointer in the file.
public enum ServerlessConverter {
    /// Reads `path` (YAML or JSON) and converts its functions. `stage` is `${opt:stage}` / `${sls:stage}`
    /// (default: `provider.stage`, else `dev`).
    /// `regionGiven`: `context.region` was asked for explicitly (else `provider.region` wins when it is literal).
    public static func convert(path: String, stage: String?, context: Template.Context, regionGiven: Bool = false) throws -> SAMConverter.Conversion {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistryError.io("Cannot read \(path): no such file, or not readable; pass the path of a serverless.yml.")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw RegistryError.refused("\(path) is not UTF-8 text; serverless.yml is YAML.") }
        let root = try Template.parse(text, path: path)
        guard root["functions"]?.objectValue != nil || root["functions"]?.arrayValue != nil else {
            throw RegistryError.refused("\(path) has no functions section; it is not a Serverless Framework service.")
        }
        var service = ServiceConversion(root: root, path: path, stage: stage, context: context, regionGiven: regionGiven)
        return service.run()
    }
}

/// One service file being converted.
struct ServiceConversion {
    let root: JSONValue
    let path: String
    let context: Template.Context
    let stage: String
    /// CloudFormation resources of the service (`resources.Resources`), for `!GetAtt` and `!Ref`.
    var resources: TemplateConverter
    var names: [String: String] = [:]

    init(root: JSONValue, path: String, stage: String?, context: Template.Context, regionGiven: Bool) {
        self.root = root
        self.path = path
        var context = context
        if !regionGiven, let region = root["provider"]?["region"]?.stringValue, !region.contains("${") { context.region = region }
        self.context = context
        self.stage = stage ?? root["provider"]?["stage"]?.stringValue.flatMap { $0.contains("${") ? nil : $0 } ?? "dev"
        func template(_ resources: JSONValue) -> TemplateConverter {
            TemplateConverter(template: Template(root: .object(JSONObject([("Resources", resources)])), path: path, context: context))
        }
        resources = template(.object(JSONObject()))
        // The resources' own strings may hold serverless variables (`QueueName: orders-${sls:stage}`).
        resources = template(substituteStrings(root["resources"]?["Resources"] ?? .object(JSONObject())))
    }

    /// Every string with its variables replaced where they can be known (left as written otherwise).
    func substituteStrings(_ v: JSONValue) -> JSONValue {
        switch v {
        case .string(let s): if case .value(let x) = substitute(s, depth: 0) { return x } else { return v }
        case .array(let a): return .array(a.map(substituteStrings))
        case .object(let o): return .object(JSONObject(o.members.map { ($0.key, substituteStrings($0.value)) }))
        default: return v
        }
    }

    /// The functions in the order written, whether `functions` is a map or a list of maps.
    var functions: [(key: String, value: JSONValue)] {
        if let o = root["functions"]?.objectValue { return o.members.map { ($0.key, $0.value) } }
        return (root["functions"]?.arrayValue ?? []).flatMap { $0.objectValue?.members.map { ($0.key, $0.value) } ?? [] }
    }

    mutating func run() -> SAMConverter.Conversion {
        for f in functions { names[f.key] = TemplateConverter.isName(f.key) ? f.key : String(f.key.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }.prefix(64)) }
        var out: [SAMConverter.Function] = []
        var skipped: [SAMConverter.Loss] = []
        for f in functions {
            var one = ServerlessFunction(service: self, key: f.key, definition: f.value)
            if let reason = one.convert() { skipped.append(.init(pointer: "/functions/\(f.key)", reason: reason)) } else { out.append(one.result()) }
        }
        return .init(functions: out.sorted { $0.name < $1.name }, skipped: skipped)
    }

    // MARK: Variables

    /// `${self:…}`, `${opt:stage}`, `${sls:stage}`, `${aws:region}`, `${aws:accountId}`, fallbacks
    /// (`${env:X, 'default'}`), CloudFormation intrinsics of the service's resources; or why not.
    func resolve(_ v: JSONValue, depth: Int = 0) -> Resolved {
        guard depth < 32 else { return .unknown("variables nested too deeply") }
        switch v {
        case .string(let s):
            return substitute(s, depth: depth)
        case .array(let a):
            var out: [JSONValue] = []
            for x in a {
                switch resolve(x, depth: depth + 1) {
                case .value(let y): out.append(y)
                case .noValue: continue
                case .unknown(let why): return .unknown(why)
                }
            }
            return .value(.array(out))
        case .object(let o):
            if o.count == 1, let k = o.keys.first, k == "Ref" || k.hasPrefix("Fn::") {
                return resources.resolve(v)
            }
            var out = JSONObject()
            for m in o {
                switch resolve(m.value, depth: depth + 1) {
                case .value(let y): out[m.key] = y
                case .noValue: continue
                case .unknown(let why): return .unknown(why)
                }
            }
            return .value(.object(out))
        default:
            return .value(v)
        }
    }

    /// Replaces the innermost `${…}` until none is left; a string that is one variable takes its value's type.
    private func substitute(_ text: String, depth: Int) -> Resolved {
        var s = text
        var rounds = 0
        while let close = s.firstIndex(of: "}"), let open = s[..<close].range(of: "${", options: .backwards) {
            rounds += 1
            guard rounds < 64 else { return .unknown("variables nested too deeply") }
            let expression = String(s[open.upperBound..<close])
            let whole = open.lowerBound == s.startIndex && s.index(after: close) == s.endIndex
            switch variable(expression, depth: depth) {
            case .value(let v):
                if whole { return v.stringValue.map { .value(.string($0)) } ?? .value(v) }
                guard let piece = SAMConverter.text(v) else { return .unknown("${\(expression)} is not a string, a number or a boolean") }
                s.replaceSubrange(open.lowerBound...close, with: piece)
            case .noValue:
                return .noValue
            case .unknown(let why):
                return .unknown(why)
            }
        }
        return .value(.string(s))
    }

    private func variable(_ expression: String, depth: Int) -> Resolved {
        // `source:address, fallback` — the fallback is a quoted string, a number or another variable.
        var parts = splitFallback(expression)
        let reference = parts.removeFirst().trimmingCharacters(in: .whitespaces)
        let fallback: Resolved? = parts.first.map { f in
            let t = f.trimmingCharacters(in: .whitespaces)
            if (t.hasPrefix("'") && t.hasSuffix("'") || t.hasPrefix("\"") && t.hasSuffix("\"")) && t.count >= 2 { return .value(.string(String(t.dropFirst().dropLast()))) }
            if let n = Double(t) { return .value(.number(n)) }
            if t == "true" || t == "false" { return .value(.bool(t == "true")) }
            return .unknown("the fallback \(t) of ${\(expression)} is not a value")
        }
        let colon = reference.firstIndex(of: ":")
        let source = colon.map { String(reference[..<$0]) } ?? "self"
        let address = colon.map { String(reference[reference.index(after: $0)...]) } ?? reference
        let found: Resolved
        switch source {
        case "self":
            var current: JSONValue? = root
            for token in address.split(separator: ".").map(String.init) where !token.isEmpty {
                if let a = current?.arrayValue, let i = Int(token), i >= 0, i < a.count { current = a[i] } else { current = current?[token] }
            }
            found = current.map { resolve($0, depth: depth + 1) } ?? .unknown("${self:\(address)} names nothing in the file")
        case "opt", "sls":
            switch address {
            case "stage": found = .value(.string(stage))
            case "region": found = .value(.string(context.region))
            case "instanceId": found = .unknown("${sls:instanceId} is known only when deploying")
            default: found = .unknown("${\(source):\(address)} is given only on the serverless command line")
            }
        case "aws":
            switch address {
            case "region": found = .value(.string(context.region))
            case "accountId": found = .value(.string(context.accountID))
            default: found = .unknown("${aws:\(address)} is not known here")
            }
        case "env":
            // The converting machine's environment is not the deploying one's (and may hold secrets).
            found = .unknown("${env:\(address)} reads the deploying machine's environment")
        default:
            found = .unknown("${\(source):\(address)} is read from \(source) when deploying")
        }
        if case .unknown = found, let fallback { return fallback }
        return found
    }

    private func splitFallback(_ s: String) -> [String] {
        var depth = 0, quote: Character? = nil
        for (i, c) in s.enumerated() {
            if let q = quote { if c == q { quote = nil }; continue }
            if c == "'" || c == "\"" { quote = c } else if c == "(" || c == "[" { depth += 1 } else if c == ")" || c == "]" { depth -= 1 } else if c == ",", depth == 0 {
                let index = s.index(s.startIndex, offsetBy: i)
                return [String(s[..<index]), String(s[s.index(after: index)...])]
            }
        }
        return [s]
    }
}
