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
}

enum Output {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { writeStandardOutput($0) }
    }

    static func line(_ text: String = "") { write(text + "\n") }

    /// Writes raw bytes to stdout (all of them, retrying short writes); large outputs stream through this.
    static func writeStandardOutput(_ bytes: UnsafeBufferPointer<UInt8>) {
        if !writeAll(1, bytes) && errno == EPIPE {
            // The reader went away (`fnreg log | head`). SIGPIPE is ignored while git runs as a child
            // (a dead child must be an error, not fnreg's death); end the way any Unix tool does here.
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
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
        writeStandardError(text.hasSuffix("\n") ? text : text + "\n")
    }

    static func json(_ value: JSONValue) { write(JSONWriter.pretty(value)) }

    /// Left-aligned columns separated by two spaces.
    static func table(_ header: [String], _ rows: [[String]], style: Style) {
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
}
