import Foundation

/// One import: the state of all configuration at one source state.
public struct Revision: Sendable, Equatable {
    public var number: Int
    public var commit: String?
    public var authorName: String?
    public var authorEmail: String?
    /// Committer time (unix seconds); the import time for work-tree imports.
    public var committedAt: Int64
    public var message: String
    public var importedAt: Int64
    public var source: String
    public var skipped: Bool
    public var skipReason: String?

    public var subject: String { String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }

    public var json: JSONValue {
        var o = JSONObject()
        o["revision"] = .number(Double(number))
        o["commit"] = commit.map { .string($0) } ?? .null
        o["author"] = authorName.map { .string($0) } ?? .null
        o["author_email"] = authorEmail.map { .string($0) } ?? .null
        o["committed_at"] = .string(ISOTime.format(committedAt))
        o["imported_at"] = .string(ISOTime.format(importedAt))
        o["message"] = .string(message)
        o["source"] = .string(source)
        o["skipped"] = .bool(skipped)
        if let skipReason { o["skip_reason"] = .string(skipReason) }
        return .object(o)
    }
}

/// ISO-8601 times in UTC, as fnreg prints and parses them.
public enum ISOTime {
    public static func format(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    public static func day(_ seconds: Int64) -> String { String(format(seconds).prefix(10)) }

    /// Parses `2026-11-01`, `2026-11-01T12:00`, `2026-11-01T12:00:00`, with optional fraction and
    /// `Z` or `±hh:mm`; no zone means UTC (SPEC §4). Nil when it is not such a time.
    public static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= s.count else { return nil }
            var v = 0
            for i in from..<from + count {
                guard s[i] >= 0x30 && s[i] <= 0x39 else { return nil }
                v = v * 10 + Int(s[i] - 0x30)
            }
            return v
        }
        guard s.count >= 10, let y = num(0, 4), s[4] == UInt8(ascii: "-"), let mo = num(5, 2), s[7] == UInt8(ascii: "-"), let d = num(8, 2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var h = 0, mi = 0, se = 0, offset = 0
        var i = 10
        if i < s.count {
            guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") || s[i] == UInt8(ascii: "t"),
                  let hh = num(i + 1, 2), i + 3 < s.count, s[i + 3] == UInt8(ascii: ":"), let mm = num(i + 4, 2) else { return nil }
            h = hh; mi = mm; i += 6
            if i < s.count, s[i] == UInt8(ascii: ":") {
                guard let ss = num(i + 1, 2) else { return nil }
                se = ss; i += 3
                if i < s.count, s[i] == UInt8(ascii: ".") {
                    i += 1
                    while i < s.count, s[i] >= 0x30 && s[i] <= 0x39 { i += 1 }
                }
            }
            if i < s.count {
                if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
                    i += 1
                } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                    let sign = s[i] == UInt8(ascii: "+") ? 1 : -1
                    guard let oh = num(i + 1, 2) else { return nil }
                    var om = 0
                    if i + 3 < s.count, s[i + 3] == UInt8(ascii: ":") { guard let m = num(i + 4, 2) else { return nil }; om = m; i += 6 }
                    else if let m = num(i + 3, 2) { om = m; i += 5 } else { i += 3 }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
            guard i == s.count, h < 24, mi < 60, se <= 60 else { return nil }
        }
        return daysFromCivil(y, mo, d) * 86400 + Int64(h * 3600 + mi * 60 + se - offset)
    }

    /// Like `parse`, and "now" is the current time.
    public static func parseOrNow(_ text: String) -> Int64? {
        text == "now" ? Int64(Date().timeIntervalSince1970) : parse(text)
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm; no time zone database involved).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int64(era * 146097 + doe - 719468)
    }
}
