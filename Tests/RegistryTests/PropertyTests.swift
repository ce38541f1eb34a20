import PropertyBased
import Testing
@testable import Registry

/// Laws checked with swift-property-based over generated JSON documents.
@Suite("Properties")
struct PropertyTests {
    /// A JSON object generated from a seed (the generator shrinks the seed).
    static let documents = Gen.int(in: 0...Int.max).map { seed -> JSONValue in
        var rng = SeededRandom(seed: UInt64(seed))
        return RandomJSON.object(depth: 3, using: &rng)
    }

    /// The same value written with every object's members in reverse order.
    static func reversedText(_ v: JSONValue) -> String {
        switch v {
        case .object(let o): return "{" + o.members.reversed().map { JSONWriter.canonical(.string($0.key)) + ":" + reversedText($0.value) }.joined(separator: ",") + "}"
        case .array(let a): return "[" + a.map(reversedText).joined(separator: ",") + "]"
        default: return JSONWriter.canonical(v)
        }
    }

    @Test func canonicalJSONIsIdempotentAndKeyOrderIndependent() async {
        await propertyCheck(count: 300, input: Self.documents) { v in
            let canonical = JSONWriter.canonical(v)
            #expect((try? JSONParser.parse(canonical)).map(JSONWriter.canonical) == canonical)
            #expect((try? JSONParser.parse(Self.reversedText(v))).map(JSONWriter.canonical) == canonical)
        }
    }

    @Test func mergePatchLaws() async {
        await propertyCheck(count: 300, input: Self.documents, Self.documents) { target, patch in
            // RFC 7396: the empty patch is the identity on objects; applying a patch twice equals once.
            #expect(MergePatch.apply(.object(JSONObject()), to: target) == target)
            let once = MergePatch.apply(patch, to: target)
            #expect(MergePatch.apply(patch, to: once) == once)
            // Every non-null member of the patch is in the result (as the patch's own value when it is not an object).
            for m in patch.objectValue ?? JSONObject() where !m.value.isNull && m.value.objectValue == nil {
                #expect(once[m.key] == m.value)
            }
        }
    }

    @Test func diffThenPatchGivesTheRightSide() async {
        await propertyCheck(count: 300, input: Self.documents, Self.documents) { left, right in
            #expect((try? JSONPatch.apply(JSONPatch.diff(left, right), to: left)) == right)
            #expect(JSONPatch.diff(left, left).isEmpty)
        }
    }
}
