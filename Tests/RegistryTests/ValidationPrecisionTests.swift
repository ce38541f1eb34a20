import Foundation
import Testing
@testable import Registry

/// Findings that are true and say nothing they must not: advice that itself validates, no
/// credential repeated by any rule, every stored document scanned.
@Suite("Validation precision and masking")
struct ValidationPrecisionTests {
    static let full: JSONValue = {
        let corpus = try! JSONParser.parse(Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Corpus/function-cases.json")))
        return corpus["cases"]!.arrayValue!.first { $0["id"]?.stringValue == "every-field-at-maximum" }!["document"]!
    }()

    /// Credentials of known formats (random, not real).
    static let credentials = [
        "AKIAZ7QW3ERT5YUI8OPL",
        "ghp_Q8zR7kP2Lm9Xw4Vb6Nc1Jh5Tg3Fd0SaYeUiO",
        "postgres://app:Zq8%21mK2vL9x@db.internal:5432/app",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7Qw3Er5Ty8Ui\n-----END RSA PRIVATE KEY-----",
    ]

    /// Every string value and member name of a document, as pointers.
    static func places(_ value: JSONValue, _ p: JSONPointer = .root) -> [(JSONPointer, isName: Bool)] {
        switch value {
        case .string: return [(p, false)]
        case .array(let a): return a.enumerated().flatMap { places($0.element, p.appending($0.offset)) }
        case .object(let o): return o.flatMap { [(p.appending($0.key), true)] + places($0.value, p.appending($0.key)) }
        default: return []
        }
    }

    static func replacing(_ value: JSONValue, at tokens: ArraySlice<String>, name: Bool, with new: String) -> JSONValue {
        guard let first = tokens.first else { return name ? value : .string(new) }
        switch value {
        case .object(let o):
            var members: [(String, JSONValue)] = []
            for m in o {
                if m.key == first {
                    if tokens.count == 1 && name { members.append((new, m.value)) } else { members.append((m.key, replacing(m.value, at: tokens.dropFirst(), name: name, with: new))) }
                } else {
                    members.append((m.key, m.value))
                }
            }
            return .object(JSONObject(members))
        case .array(var a):
            let i = Int(first)!
            a[i] = replacing(a[i], at: tokens.dropFirst(), name: name, with: new)
            return .array(a)
        default: return value
        }
    }

    @Test func everyRuleHidesACredential() {
        let validator = ConfigValidator(today: "2026-11-26")
        var cases = 0
        for (pointer, isName) in Self.places(Self.full) {
            for credential in Self.credentials {
                for planted in [credential, "x " + credential, credential + " x"] {
                    // Member names are one line; a PEM key is not a name anyone writes.
                    if isName && planted.contains("\n") { continue }
                    let doc = Self.replacing(Self.full, at: pointer.tokens[...], name: isName, with: planted)
                    let found = validator.validate(FunctionSchema.normalizedBase(doc), file: "lambda_functions/f/function.json")
                    cases += 1
                    #expect(found.contains { $0.rule == "FN-SECRET" }, "a credential at \(pointer) (\(isName ? "name" : "value")) is found")
                    for d in found {
                        for text in [d.description, JSONWriter.canonical(d.json)] {
                            #expect(!text.contains(credential) && !text.contains(JSONWriter.canonical(.string(credential)).dropFirst().dropLast()),
                                    "\(d.rule) at \(pointer) repeats the credential: \(text)")
                        }
                    }
                }
            }
        }
        #expect(cases > 500)
    }

    @Test func valuesThatMayBeCredentialsAreNotShown() {
        #expect(Redaction.quoted("python3.99") == "\"python3.99\"")
        #expect(Redaction.quoted("q8Zr7Kp2Lm9Xw4Vb6Nc1Jh5T") == "a hidden value (24 bytes)")
        #expect(Redaction.quoted("AKIAZ7QW3ERT5YUI8OPL").hasPrefix("a hidden value"))
        #expect(Redaction.quoted("arn:aws:sqs:us-east-1:123456789012:orders_dead_letters") != "a hidden value (55 bytes)")
        #expect(Redaction.quoted("a\u{1B}[2Jb") == "\"a\\u001b[2Jb\"", "control characters are escaped")
        #expect(Redaction.quoted(String(repeating: "ab-", count: 40)).count < 60, "long values are cut")
    }

    @Test func runtimeAdviceValidates() {
        var checked = 0
        for (runtime, dates) in LambdaLimits.lifecycle {
            for day in [dates.deprecated, dates.createBlock, dates.updateBlock, "2026-12-01"] {
                let config: JSONValue = ["name": "f", "description": "d", "runtime": .string(runtime), "handler": "index.handler"]
                for d in ConfigValidator(today: day).validate(config, file: "f") where d.rule.hasPrefix("FN-RUNTIME") {
                    guard let fix = d.fix, fix.hasPrefix("move to "), fix != "move to a supported runtime" else { continue }
                    let successor = String(fix.dropFirst("move to ".count))
                    let moved: JSONValue = ["name": "f", "description": "d", "runtime": .string(successor), "handler": "index.handler"]
                    let after = ConfigValidator(today: day).validate(moved, file: "f", lifecycle: .newFunction)
                    #expect(after.isEmpty, "\(runtime) on \(day): the advice \"\(fix)\" does not validate: \(after)")
                    checked += 1
                }
            }
        }
        #expect(checked > 50)
        #expect(runtimeSuccessor("dotnet8", today: "2026-12-01") == nil, "dotnet9 is not a Lambda runtime and the provider does not know dotnet10")
        #expect(runtimeSuccessor("python3.9", today: "2026-12-01") == "python3.13", "python3.14 needs a newer provider")
    }

    @Test func iamResourcesAsIAMAcceptsThem() {
        for ok in ["*", "arn:aws:logs:*", "arn:aws:iot:*", "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:lambda:us-east-1:aws:layer:x:1",
                   "arn:*:s3:::bucket/*", "arn:aws-us-gov:s3:::b", "arn:aws:iam::*:role/app", "arn:aws:dynamodb:*:12345678901?:table/*",
                   "arn:aws:s3:::bucket/${aws:username}/*"] {
            #expect(policyResourceProblem(ok) == nil, "\(ok)")
        }
        for bad in ["bucket", "arn:aws:iam:us-east-1:123456789012:role/app", "arn:aws:logs:us-east-1", "arn:gcp:s3:::b",
                    "arn:aws:s3:::", "arn:aws:sqs:us-east-1:12345:q", "arn:aws:sqs:US-EAST-1:123456789012:q"] {
            #expect(policyResourceProblem(bad) != nil, "\(bad)")
        }
    }

    @Test func everyStoredDocumentIsScanned() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        // An environment with no functions at all: its environment.json is stored, never effective.
        try repo.write("terraform/environments/dev/environment.json", json: ["environment_variables": ["DB_PASSWORD": "Zq8!mK2vL9xW"]])
        var found = try WorkTreeState.validate(path: repo.root, today: "2026-11-26")
        #expect(found.errors.map(\.rule) == ["FN-SECRET"] && found.errors.first?.file == "terraform/environments/dev/environment.json", "\(found)")
        // A value every function's override replaces is still stored in environment.json.
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a"))
        try repo.write("terraform/environments/dev/overrides/a.json", json: ["environment_variables": ["DB_PASSWORD": "${DB_PASSWORD}"]])
        found = try WorkTreeState.validate(path: repo.root, today: "2026-11-26")
        #expect(found.errors.map(\.rule) == ["FN-SECRET"] && found.errors.first?.pointer.description == "/environment_variables/DB_PASSWORD", "\(found)")
        // An override of no function, and a credential as a member name.
        try repo.write("terraform/environments/dev/environment.json", json: ["timeout": 30])
        try repo.write("terraform/environments/dev/overrides/gone.json", json: ["tags": ["ghp_Q8zR7kP2Lm9Xw4Vb6Nc1Jh5Tg3Fd0SaYeUiO": "x"]])
        found = try WorkTreeState.validate(path: repo.root, today: "2026-11-26")
        #expect(Set(found.errors.map(\.rule)) == ["FN-SECRET", "OV-UNKNOWN-FUNCTION"], "\(found)")
        #expect(!found.map(\.description).joined().contains("ghp_Q8zR7"))
        // The allow-list covers a reviewed value in environment.json for the functions it names.
        try repo.remove("terraform/environments/dev/overrides/gone.json")
        try repo.write("terraform/environments/dev/environment.json", json: ["environment_variables": ["SAMPLE_TOKEN": "demo-7Fq2xK9pLm"]])
        #expect(try WorkTreeState.validate(path: repo.root, today: "2026-11-26").errors.map(\.rule) == ["FN-SECRET"])
        try repo.write("lambda_functions/allowed-secrets.json", json: ["secrets": [["function": "a", "pointer": "/environment_variables/SAMPLE_TOKEN", "reason": "published demo value"]]])
        #expect(try WorkTreeState.validate(path: repo.root, today: "2026-11-26").errors.isEmpty)
    }

    @Test func aCredentialCutIntoValuesIsFound() {
        let validator = ConfigValidator(today: "2026-11-26")
        let cut: JSONValue = ["name": "f", "description": "d", "runtime": "python3.13", "handler": "index.handler",
                              "environment_variables": ["KEY_A": "AKIAZ7QW3E", "KEY_B": "RT5YUI8OPL", "LOG_LEVEL": "INFO"]]
        let found = validator.validate(cut, file: "f")
        #expect(found.map(\.rule) == ["FN-SECRET"] && found.first?.pointer.description == "/environment_variables/KEY_A", "\(found)")
        #expect(!found[0].description.contains("AKIAZ7QW3E"))
        // Ordinary neighbouring values form nothing.
        let ordinary: JSONValue = ["name": "f", "description": "d", "runtime": "python3.13", "handler": "index.handler",
                                   "environment_variables": ["ORIGIN": "https://app.example.com:8443", "FROM": "noreply@example.com", "TABLE": "Devices"]]
        #expect(validator.validate(ordinary, file: "f").isEmpty)
    }
}
