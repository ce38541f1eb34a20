import Foundation
import Testing
@testable import Registry

/// Tests/Corpus/function-cases.json (scripts/generate-corpus.py): every invalid document triggers its
/// rule, every valid one passes; the JSON Schema is checked against the same corpus in Tests/schema.
@Suite("Validation corpus")
struct ValidationCorpusTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var id: String
        var valid: Bool
        var rule: String?
        var document: JSONValue
        var testDescription: String { id }
    }

    static let corpus: (today: String, cases: [Case]) = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Corpus/function-cases.json")
        let value = try! JSONParser.parse(Data(contentsOf: path))
        let cases = value["cases"]!.arrayValue!.map { c in
            Case(id: c["id"]!.stringValue!, valid: c["valid"]!.boolValue!, rule: c["rule"]?.stringValue, document: c["document"]!)
        }
        return (value["today"]!.stringValue!, cases)
    }()

    @Test func corpusIsLargeEnough() {
        #expect(Self.corpus.cases.filter { !$0.valid }.count >= 80)
        #expect(Self.corpus.cases.filter(\.valid).count >= 20)
    }

    @Test(arguments: corpus.cases)
    func validatorAgrees(_ c: Case) {
        let validator = ConfigValidator(today: Self.corpus.today)
        let file = "lambda_functions/corpus/function.json"
        let diagnostics = validator.validate(FunctionSchema.normalizedBase(c.document), file: file, lifecycle: .newFunction)
        if c.valid {
            #expect(diagnostics.errors.isEmpty, "\(diagnostics)")
        } else {
            #expect(diagnostics.errors.contains { $0.rule == c.rule }, "expected \(c.rule ?? "?"), got \(diagnostics.map(\.rule))")
        }
        for d in diagnostics {
            // One sentence naming file and pointer; never the secret itself.
            #expect(d.description.hasPrefix(file) && d.description.contains(d.shownPointer))
            #expect(!d.description.contains("\n"))
            if d.rule == "FN-SECRET", let secret = c.document.value(at: d.pointer)?.stringValue {
                #expect(!d.description.contains(secret))
            }
        }
    }

    @Test func unknownFieldsSuggestTheClosestName() {
        let validator = ConfigValidator(today: "2026-11-26")
        for (wrong, right) in [("timout", "timeout"), ("memory", "memory_size"), ("Tags", "tags"), ("enviroment_variables", "environment_variables")] {
            let doc: JSONValue = .object(JSONObject([("name", "a"), ("description", "d"), ("runtime", "python3.13"), ("handler", "i.h"), (wrong, 1)]))
            let d = validator.validate(doc, file: "f", lifecycle: .skip).first { $0.rule == "FN-UNKNOWN-FIELD" }
            #expect(d?.fix == "did you mean \"\(right)\"?")
        }
    }

    @Test func lifecycleDependsOnTheDayAndOnNewness() {
        let doc: JSONValue = ["name": "a", "description": "d", "runtime": "python3.11", "handler": "i.h"]
        func rules(_ day: String, _ lifecycle: ConfigValidator.Lifecycle) -> [String] {
            ConfigValidator(today: day).validate(doc, file: "f", lifecycle: lifecycle).map(\.rule)
        }
        #expect(rules("2026-01-01", .newFunction).isEmpty)
        #expect(rules("2026-07-01", .newFunction) == ["FN-RUNTIME-DEPRECATED"])
        #expect(rules("2026-08-01", .newFunction) == ["FN-RUNTIME-CREATE-BLOCKED"])
        #expect(rules("2026-08-01", .existingFunction) == ["FN-RUNTIME-DEPRECATED"])
        #expect(rules("2026-09-01", .existingFunction) == ["FN-RUNTIME-UPDATE-BLOCKED"])
    }

    @Test func allowListSilencesAReviewedFalsePositive() throws {
        let repo = try TestRepository()
        defer { repo.cleanup() }
        try repo.write("lambda_functions/a/function.json", json: TestRepository.function("a", extra: [("environment_variables", ["SAMPLE_TOKEN": "demo-7Fq2xK9pLm"])]))
        var diagnostics = try WorkTreeState.validate(path: repo.root, today: "2026-11-26")
        #expect(diagnostics.errors.map(\.rule) == ["FN-SECRET"])
        #expect(diagnostics.errors.first?.line == 4 && diagnostics.errors.first?.column == 21, "line and column of the offending value")
        try repo.write("lambda_functions/allowed-secrets.json", json: ["secrets": [["function": "a", "pointer": "/environment_variables/SAMPLE_TOKEN", "reason": "published demo value"]]])
        diagnostics = try WorkTreeState.validate(path: repo.root, today: "2026-11-26")
        #expect(diagnostics.errors.isEmpty)
    }
}
