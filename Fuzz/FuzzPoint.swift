// libFuzzer target: the point-in-history parser and the ISO-8601 time parser on arbitrary text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPoint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? Point.parse(text)
    _ = SnapshotReference(parsing: text)
    if let t = ISOTime.parse(text) {
        // A parsed time formats and parses back to itself (second precision).
        let formatted = ISOTime.format(t)
        if t > -62_000_000_000 && t < 250_000_000_000 { precondition(ISOTime.parse(formatted) == t, "\(text) -> \(formatted)") }
    }
    if let pointer = JSONPointer(parsing: text) {
        precondition(JSONPointer(parsing: pointer.description) == pointer, "pointer round trip: \(text)")
    }
    return 0
}
