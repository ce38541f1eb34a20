// libFuzzer target: the JSON parser, canonical writer, merge patch, RFC 6902 diff/patch and the
// configuration validator on arbitrary bytes. Invariants checked (a violation crashes the fuzzer):
// canonical JSON is idempotent, pretty and canonical parse back to the same value, diff then patch
// gives the right side, an empty merge patch is the identity, validation never crashes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    let canonical = JSONWriter.canonical(value)
    guard let again = try? JSONParser.parse(canonical) else { fatalError("canonical output does not parse: \(canonical.prefix(200))") }
    precondition(again == value, "canonical round trip changed the value")
    precondition(JSONWriter.canonical(again) == canonical, "canonical JSON is not idempotent")
    precondition((try? JSONParser.parse(JSONWriter.pretty(value))) == value, "pretty round trip changed the value")
    precondition(String(decoding: JSONWriter.prettyFromCanonical(Array(canonical.utf8)), as: UTF8.self) == JSONWriter.pretty(value))
    precondition(MergePatch.apply(.object(JSONObject()), to: value) == (value.objectValue != nil ? value : .object(JSONObject())))
    if case .object(let o) = value, let first = o.members.first {
        let other = first.value
        let ops = JSONPatch.diff(value, other)
        precondition((try? JSONPatch.apply(ops, to: value)) == other, "diff then patch does not give the right side")
        _ = MergePatch.apply(other, to: value)
    }
    _ = ConfigValidator(today: "2026-11-26").validate(value, file: "fuzz/function.json", lifecycle: .newFunction)
    _ = JSONParser.location(of: JSONPointer(["a", "0"]), in: bytes)
    return 0
}
