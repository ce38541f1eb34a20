/// `fnreg export json`: a snapshot as the stable, versioned JSON document (`format_version`,
/// `environment`, `revision`, `commit`, `functions`, `snapshot_hash`), pretty-printed with sorted keys.
extension Snapshot {
    /// The `format_version` of the JSON documents fnreg prints.
    public static let formatVersion = 1

    /// The exact bytes of `fnreg export json` (pretty, sorted keys, a final newline), handed to `sink`
    /// in pieces of about 64 KiB as they are printed (nothing the size of the snapshot is built).
    public func writeExport(_ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var head = JSONWriter(capacity: 256)
        head.append("{\"commit\":")
        head.writeCanonical(revision.commit.map { .string($0) } ?? .null)
        head.append(",\"environment\":")
        head.writeString(environment)
        head.append(",\"format_version\":\(Snapshot.formatVersion),\"functions\":")
        var tail = JSONWriter(capacity: 128)
        tail.append(",\"revision\":\(revision.isPreview ? "null" : String(revision.number)),\"snapshot_hash\":")
        tail.writeString(hash)
        tail.append("}")
        var printer = PrettyPrinter()
        printer.feed(head.bytes)
        try Self.canonicalFunctionPieces(canonicalMembers) { piece in
            printer.feed(piece)
            if printer.output.count >= 1 << 16 { try printer.drain(sink) }
        }
        printer.feed(tail.bytes)
        printer.finish()
        try printer.drain(sink)
    }

    /// The exact bytes of `fnreg export json`, whole.
    public func exportBytes() -> [UInt8] {
        var out: [UInt8] = []
        writeExport { out.append(contentsOf: $0) }
        return out
    }
}
