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
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func line(_ text: String = "") { write(text + "\n") }

    /// Writes raw bytes to stdout (all of them, retrying short writes); large outputs stream through this.
    static func writeStandardOutput(_ bytes: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }  // stdout closed (a pager quit): nothing more to say
            offset += n
        }
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
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
