import Foundation
import Testing
@testable import Registry

@Suite("JSON parsing, canonical form and merge patch")
struct JSONTests {
    @Test("RFC 8785 number forms", arguments: [
        (1.0, "1"), (0.0, "0"), (-0.0, "0"), (30.0, "30"), (1.5, "1.5"), (-2.25, "-2.25"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (0.000001, "0.000001"), (1e-7, "1e-7"), (123456789012345680000.0, "123456789012345680000"), (Double.leastNonzeroMagnitude, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1"), (4.5e15, "4500000000000000"), (333333333.3333333, "333333333.3333333"),
    ])
    func numbers(_ value: Double, _ expected: String) {
        #expect(JSONNumber.format(value) == expected)
    }

    @Test func canonicalSortsKeysByCodePointAndEscapes() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": [true, null, "x\n\u0001é"], "\u00e9": 2, "Z": {"y": 1.50, "x": 2e0}}"#)
        #expect(JSONWriter.canonical(value) == "{\"Z\":{\"x\":2,\"y\":1.5},\"a\":[true,null,\"x\\n\\u0001é\"],\"b\":1,\"é\":2}")
    }

    @Test func canonicalIsIdempotent() throws {
        for _ in 0..<200 {
            var rng = SystemRandomNumberGenerator()
            let v = RandomJSON.value(depth: 3, using: &rng)
            let once = JSONWriter.canonical(v)
            #expect(JSONWriter.canonical(try JSONParser.parse(once)) == once)
            #expect(try JSONParser.parse(JSONWriter.pretty(v)) == v)
        }
    }

    @Test("rejects malformed documents", arguments: [
        "", "{", "{\"a\":1,}", "[1 2]", "{\"a\":1,\"a\":2}", "{'a':1}", "01", "1e999", "\"\\x\"", "nul", "{\"a\":1} x", "\"\u{01}\"",
        "[1,]", "\"\\ud800\"", "-", "1.", ".5",
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func reportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("{\n  \"a\": 1,\n  \"b\": tru\n}")
            Issue.record("expected an error")
        } catch let e as JSONSyntaxError {
            #expect(e.line == 3)
            #expect(e.column == 8)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(deep) }
    }

    /// RFC 7396 Appendix A.
    @Test("RFC 7396 examples", arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatch(_ target: String, _ patch: String, _ expected: String) throws {
        #expect(MergePatch.apply(try JSONParser.parse(patch), to: try JSONParser.parse(target)) == (try JSONParser.parse(expected)))
    }

    @Test func emptyPatchIsIdentity() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let v = RandomJSON.object(depth: 3, using: &rng)
            #expect(MergePatch.apply(.object(JSONObject()), to: v) == v)
        }
    }

    @Test func diffThenPatchGivesRight() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let a = RandomJSON.object(depth: 3, using: &rng), b = RandomJSON.object(depth: 3, using: &rng)
            #expect(try JSONPatch.apply(JSONPatch.diff(a, b), to: a) == b)
            #expect(JSONPatch.diff(a, a).isEmpty)
        }
    }

    @Test func pointerEscaping() {
        let p = JSONPointer(["a/b", "c~d"])
        #expect(p.description == "/a~1b/c~0d")
        #expect(JSONPointer(parsing: p.description) == p)
    }
}

/// Random JSON values for property tests.
enum RandomJSON {
    static let keys = ["a", "b", "c", "timeout", "é", "Z", "x y", "~/", "😀", "\u{FFFD}", "q\"x"]

    static func value<R: RandomNumberGenerator>(depth: Int, using rng: inout R) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 7 : 5), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(Double(Int.random(in: -1000...1000, using: &rng)) / [1, 2, 10, 1000][Int.random(in: 0..<4, using: &rng)])
        case 3: return .string(["", "x", "hello", "ü\n\"", "\u{1F600}"][Int.random(in: 0..<5, using: &rng)])
        case 4: return .number(Double(Int.random(in: 0...5, using: &rng)))
        case 5: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth: depth - 1, using: &rng) })
        default: return object(depth: depth - 1, using: &rng)
        }
    }

    static func object<R: RandomNumberGenerator>(depth: Int, using rng: inout R) -> JSONValue {
        var o = JSONObject()
        for _ in 0..<Int.random(in: 0...4, using: &rng) {
            o[keys[Int.random(in: 0..<keys.count, using: &rng)]] = value(depth: depth, using: &rng)
        }
        return .object(o)
    }
}

@Suite("Pretty output")
struct PrettyTests {
    @Test func prettyFromCanonicalEqualsPretty() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let v = RandomJSON.object(depth: 4, using: &rng)
            let viaCanonical = String(decoding: JSONWriter.prettyFromCanonical(JSONWriter.canonicalBytes(v)), as: UTF8.self)
            #expect(viaCanonical == JSONWriter.pretty(v))
        }
    }
}

@Suite("Canonical splice")
struct CanonicalSpliceTests {
    static let keys = ["name", "timeout", "layers", "api", "tags", "tracing_config", "vpc_config", "$schema", "zeta", "environment_variables", "é",
                       "code_hash", "a\"b", "\u{FFFD}", "😀"]

    static func object<R: RandomNumberGenerator>(_ rng: inout R, nulls: Bool) -> JSONObject {
        var o = JSONObject()
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            let key = keys.randomElement(using: &rng)!
            o[key] = nulls && Bool.random(using: &rng) && Bool.random(using: &rng) ? .null : RandomJSON.value(depth: 2, using: &rng)
        }
        return o
    }

    @Test func spliceEqualsLayeringThenCanonical() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let base = JSONValue.object(Self.object(&rng, nulls: true))
            let env = Bool.random(using: &rng) ? Self.object(&rng, nulls: true) : nil
            let override = Bool.random(using: &rng) ? Self.object(&rng, nulls: true) : nil
            let code = Bool.random(using: &rng) ? "sha256:abc" : nil
            var expected = LayerStack(base: base, environmentPatch: env.map { .object($0) }, override: override.map { .object($0) }).effective()
            if let code, case .object(var o) = expected { o["code_hash"] = .string(code); expected = .object(o) }
            let spliced = try CanonicalSplice.effective(base: JSONWriter.canonicalBytes(base), environmentPatch: env, override: override, codeHash: code)
            #expect(String(decoding: spliced, as: UTF8.self) == JSONWriter.canonical(expected))
        }
    }
}

/// Inputs the fuzzers found (Tests/Fuzz/regressions), kept as regression tests.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions")

    @Test func pointerWithCombiningMarkAfterSlashRoundTrips() throws {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("point-pointer-combining-mark"))
        let text = String(decoding: data, as: UTF8.self)
        let pointer = try #require(JSONPointer(parsing: text))
        #expect(JSONPointer(parsing: pointer.description) == pointer)
        #expect(JSONPointer(parsing: "/\u{484}a/b")?.tokens == ["\u{484}a", "b"])
        #expect(JSONPointer(parsing: "/a~01/~1~0")?.tokens == ["a~1", "/~"])
    }

    @Test func pathsSplitOnBytesNotCharacters() {
        #expect(RepositoryLayout.environment(of: "terraform/environments/dev/\u{301}x.tf") == "dev")
        #expect(RepositoryLayout.classify("terraform/environments/dev/overrides/\u{301}f.json") == .override(environment: "dev", function: "\u{301}f"))
        #expect(RepositoryLayout.classify("lambda_functions/\u{301}a/function.json") == .functionJSON)
        #expect(RepositoryLayout.classify("terraform/environments/dev/functions.auto.tfvars.json") == .export(environment: "dev"))
        // NFC and NFD spellings are two paths (Swift's String == would call them equal).
        #expect(RepoPath("lambda_functions/a/\u{e9}.py") != RepoPath("lambda_functions/a/e\u{301}.py"))
    }

    @Test func everyRegressionInputIsHandled() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.directory.path) {
            let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
            let text = String(decoding: data, as: UTF8.self)
            _ = try? Point.parse(text)
            if let p = JSONPointer(parsing: text) { #expect(JSONPointer(parsing: p.description) == p, "\(name)") }
            if let v = try? JSONParser.parse(data) { #expect(try JSONParser.parse(JSONWriter.canonical(v)) == v) }
        }
    }
}
