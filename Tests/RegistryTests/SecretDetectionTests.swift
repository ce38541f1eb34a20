import Foundation
import Testing
@testable import Registry

/// Secret detection measured on a labelled set of realistic environment variables
/// (Tests/Corpus/secrets.json, scripts/generate-secret-corpus.py): half credentials, half look-alikes.
@Suite("Secret detection")
struct SecretDetectionTests {
    struct Entry { var name: String; var value: String; var secret: Bool; var knownFormat: Bool }

    static let entries: [Entry] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Corpus/secrets.json")
        let value = try! JSONParser.parse(Data(contentsOf: path))
        return value["entries"]!.arrayValue!.map { Entry(name: $0["name"]!.stringValue!, value: $0["value"]!.stringValue!, secret: $0["secret"]!.boolValue!, knownFormat: $0["known_format"]!.boolValue!) }
    }()

    @Test func precisionAndRecallOnTheLabelledSet() {
        #expect(Self.entries.count >= 200)
        var truePositives = 0, falsePositives = 0, falseNegatives = 0
        var missedKnownFormats: [String] = [], wrong: [String] = []
        for e in Self.entries {
            let found = SecretScanner.secretKind(value: e.value, name: e.name) != nil
            switch (found, e.secret) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1; wrong.append("flagged \(e.name)=\(e.value.prefix(30))")
            case (false, true):
                falseNegatives += 1
                wrong.append("missed \(e.name)")
            default: break
            }
            // A credential of a known format is found from its value alone, under any name.
            if e.knownFormat && SecretScanner.secretKind(value: e.value, name: nil) == nil { missedKnownFormats.append(e.name) }
        }
        #expect(Self.entries.filter(\.knownFormat).count >= 60)
        let precision = Double(truePositives) / Double(max(1, truePositives + falsePositives))
        let recall = Double(truePositives) / Double(max(1, truePositives + falseNegatives))
        print("secret detection on \(Self.entries.count) labelled variables: precision \(String(format: "%.3f", precision)), recall \(String(format: "%.3f", recall)) (\(truePositives) true positives, \(falsePositives) false positives, \(falseNegatives) false negatives): \(wrong)")
        #expect(precision >= 0.98, "\(wrong)")
        #expect(recall >= 0.98, "\(wrong)")
        #expect(missedKnownFormats.isEmpty, "every credential of a known format is found: \(missedKnownFormats)")
    }

    @Test func namesSplitAtCaseDigitsAndSeparators() {
        #expect(SecretScanner.words("dbPassword") == ["DB", "PASSWORD"])
        #expect(SecretScanner.words("MONGO_DB_PASS") == ["MONGO", "DB", "PASS"])
        #expect(SecretScanner.words("APIKey2") == ["API", "KEY", "2"])
        for name in ["MONGO_DB_PASS", "dbPassword", "CLIENTSECRET", "x-api-key", "ApiKey", "SLACK_TOKEN"] { #expect(SecretScanner.nameSaysCredential(name), "\(name)") }
        for name in ["SECRET_NAME", "TOKEN_TABLE", "API_KEY_HEADER", "PASSWORD_MIN_LENGTH", "PRIMARY_KEY", "IS_TOKEN_REQUIRED"] { #expect(!SecretScanner.nameSaysCredential(name), "\(name)") }
    }
}
