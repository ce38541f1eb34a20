import Foundation
import Registry

/// ANSI colour, only when writing to a terminal and NO_COLOR is unset.
struct Style {
    var enabled: Bool
    func paint(_ text: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func red(_ t: String) -> String { paint(t, "31") }
    func green(_ t: String) -> String { paint(t, "32") }
    func yellow(_ t: String) -> String { paint(t, "33") }
    func bold(_ t: String) -> String { paint(t, "1") }
    func dim(_ t: String) -> String { paint(t, "2") }

    /// The escape sequences `paint` writes: the only ones text output lets through.
    static let sequences: Set<String> = ["[0m", "[1m", "[2m", "[31m", "[32m", "[33m"]
}

/// Everything fnreg prints. Text never carries a control character from the repository or the
/// database (escape sequences could clear the screen or rewrite earlier lines): they are shown
/// escaped (`\u001b`); JSON escapes them as JSON does. A failed write to standard output is
/// remembered and ends fnreg with exit 4 (a full disk must not pass for success).
enum Output {
    /// The first failure writing to standard output (errno), if any.
    nonisolated(unsafe) static var failure: Int32?
    /// Whether colour sequences are being written (only `Style.sequences` then pass through).
    nonisolated(unsafe) static var colour = false
    /// Whether stdout goes to a pager (started on a terminal).
    nonisolated(unsafe) static var paged = false

    static func write(_ text: String) {
        var text = sanitize(text, keepStyles: colour)
        text.withUTF8 { writeStandardOutput($0) }
    }

    static func line(_ text: String = "") { write(text + "\n") }

    /// Control characters shown escaped; newlines and tabs kept unless `all`.
    static func sanitize(_ text: String, keepStyles: Bool = false, all: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0, all: all) }) else { return text }
        var out = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\u{1B}" && keepStyles {
                // Our own colour codes: ESC [ digits m, from the fixed set.
                var j = i + 1
                var sequence = ""
                while j < scalars.count, j - i <= 4 { sequence.unicodeScalars.append(scalars[j]); if scalars[j] == "m" { break }; j += 1 }
                if Style.sequences.contains(sequence) {
                    out.append(c)
                    out.append(contentsOf: sequence.unicodeScalars)
                    i = j + 1
                    continue
                }
            }
            if isControl(c, all: all) {
                out.append(contentsOf: String(format: "\\u%04x", c.value).unicodeScalars)
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(out)
    }

    private static func isControl(_ c: Unicode.Scalar, all: Bool) -> Bool {
        if !all && (c == "\n" || c == "\t") { return false }
        return c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029
            || (0x202A...0x202E).contains(c.value) || (0x2066...0x2069).contains(c.value)
    }

    /// One field of repository data on one line (newlines and tabs escaped too).
    static func field(_ text: String) -> String { sanitize(text, all: true) }

    /// Writes raw bytes to stdout (all of them, retrying short writes); large outputs stream through this.
    static func writeStandardOutput(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard failure == nil else { return }
        if !writeAll(1, bytes) {
            if errno == EPIPE {
                // The reader went away (`fnreg log | head`). SIGPIPE is ignored while git runs as a child
                // (a dead child must be an error, not fnreg's death); end the way any Unix tool does here.
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
            }
            failure = errno
        }
    }

    /// Writes all of `bytes` to `fd`; false on an error (errno says which).
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Writes to stderr; a closed stderr is ignored (there is nowhere left to say anything).
    static func writeStandardError(_ text: String) {
        var text = text
        _ = text.withUTF8 { writeAll(2, $0) }
    }

    static func error(_ text: String) {
        writeStandardError(sanitize(text.hasSuffix("\n") ? text : text + "\n"))
    }

    /// The version of the JSON documents fnreg prints; fields are only ever added within one version.
    static let formatVersion = 1

    /// A JSON document on stdout: an object gains `format_version`.
    static func json(_ value: JSONValue) {
        var value = value
        if case .object(var o) = value { o["format_version"] = .number(Double(formatVersion)); value = .object(o) }
        var text = JSONWriter.pretty(value)
        text.withUTF8 { writeStandardOutput($0) }
    }

    /// Canonical JSON bytes of an object on stdout, pretty-printed, with `format_version` added.
    static func json(canonicalObject bytes: [UInt8]) {
        JSONWriter.prettyFromCanonical(JSONWriter.addingMember("format_version", "\(formatVersion)", toCanonicalObject: bytes))
            .withUnsafeBufferPointer { writeStandardOutput($0) }
    }

    /// Left-aligned columns separated by two spaces; cells are repository data (escaped).
    static func table(_ header: [String], _ rows: [[String]], style: Style) {
        let rows = rows.map { $0.map(field) }
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        line(style.bold(render(header)))
        for row in rows { line(render(row)) }
    }

    /// A short display of a JSON value.
    static func brief(_ value: JSONValue?) -> String {
        value.map(FieldChanges.brief) ?? "(none)"
    }

    /// "revision 61 (1a2b3c4d5e6f, 2026-11-01T12:00:00Z)", or "the work tree".
    static func describe(_ r: Revision) -> String {
        if r.isPreview { return "the work tree (not recorded)" }
        return "revision \(r.number) (" + (r.commit.map { String($0.prefix(12)) + ", " } ?? "") + ISOTime.format(r.committedAt) + ")"
    }
}
