import Foundation

/// One import: the state of all configuration at one source state.
public struct Revision: Sendable, Equatable {
    /// The revision's number (1, 2, 3, ... in the order the branch went through them).
    public var number: Int
    /// The commit it records (nil for a plain directory).
    public var commit: String?
    /// The commit's author.
    public var authorName: String?
    /// The author's email.
    public var authorEmail: String?
    /// Committer time (unix seconds); the import time for work-tree imports.
    public var committedAt: Int64
    /// The commit message.
    public var message: String
    /// When it was imported (seconds since 1970).
    public var importedAt: Int64
    /// `commit` or `worktree`.
    public var source: String
    /// Whether the commit was recorded as skipped (invalid, `--skip-invalid`).
    public var skipped: Bool
    /// Why it was skipped.
    public var skipReason: String?
    /// Set on the first revision recorded after the branch was rewritten: the revision of the commit
    /// that was no longer on the branch.
    public var rewriteOf: Int?
    /// The rules and allow-list this revision was validated under (documents validated under the
    /// same need no second look).
    var validation: String?

    /// A revision as stored.
    public init(number: Int, commit: String?, authorName: String?, authorEmail: String?, committedAt: Int64, message: String,
                importedAt: Int64, source: String, skipped: Bool, skipReason: String?, rewriteOf: Int? = nil, validation: String? = nil) {
        self.number = number
        self.commit = commit
        self.authorName = authorName
        self.authorEmail = authorEmail
        self.committedAt = committedAt
        self.message = message
        self.importedAt = importedAt
        self.source = source
        self.skipped = skipped
        self.skipReason = skipReason
        self.rewriteOf = rewriteOf
        self.validation = validation
    }

    /// The `worktree` point: the files of the work tree, never stored (number 0).
    public static func preview(at time: Int64) -> Revision {
        Revision(number: 0, commit: nil, authorName: nil, authorEmail: nil, committedAt: time, message: "the work tree",
                 importedAt: time, source: "worktree", skipped: false, skipReason: nil)
    }

    /// True for the `worktree` point.
    public var isPreview: Bool { number == 0 }

    /// The first line of the message.
    public var subject: String { String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "") }

    /// The revision as `log --format json` prints it.
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
        o["rewrite_of"] = rewriteOf.map { .number(Double($0)) } ?? .null
        return .object(o)
    }
}

/// ISO-8601 times in UTC, as fnreg prints and parses them.
public enum ISOTime {
    /// `seconds` as an ISO 8601 UTC time (`2026-11-26T10:00:00Z`).
    public static func format(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// `seconds` as a UTC day (`2026-11-26`).
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
              (1...12).contains(mo), (1...daysIn(month: mo, year: y)).contains(d) else { return nil }
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

    /// Like `parse`, and relative times as git writes them (`now`, `yesterday`, `3 days ago`).
    public static func parseOrNow(_ text: String) -> Int64? {
        parse(text) ?? relative(text, now: Int64(Date().timeIntervalSince1970))
    }

    /// The days of a month in the proleptic Gregorian calendar.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether `text` looks like a date (`YYYY-MM-DD…`) even if it is not a valid one.
    public static func looksLikeDate(_ text: String) -> Bool {
        let s = Array(text.utf8)
        guard s.count >= 10 else { return false }
        return s[0..<4].allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && s[4] == UInt8(ascii: "-") && s[7] == UInt8(ascii: "-")
    }

    /// Relative times as git writes them: `now`, `yesterday`, `3 days ago`, `2.weeks.ago`,
    /// `1 year 2 months ago` (units: seconds, minutes, hours, days, weeks, months, years; months
    /// and years are calendar months and years, as git counts them). Nil for anything else.
    public static func relative(_ text: String, now: Int64) -> Int64? {
        let t = text.lowercased().trimmingCharacters(in: .whitespaces)
        if t == "now" { return now }
        if t == "yesterday" { return now - 86_400 }
        var words = t.split(whereSeparator: { $0 == " " || $0 == "." || $0 == "_" }).map(String.init)
        guard words.count >= 3, words.removeLast() == "ago", words.count % 2 == 0 else { return nil }
        var seconds: Int64 = 0
        var months = 0
        var i = 0
        while i < words.count {
            guard let n = Int(words[i]), n >= 0, n < 1_000_000 else { return nil }
            var unit = words[i + 1]
            if unit.hasSuffix("s") && unit.count > 1 { unit.removeLast() }
            switch unit {
            case "second", "sec": seconds += Int64(n)
            case "minute", "min": seconds += Int64(n) * 60
            case "hour": seconds += Int64(n) * 3600
            case "day": seconds += Int64(n) * 86_400
            case "week": seconds += Int64(n) * 604_800
            case "month": months += n
            case "year": months += 12 * n
            default: return nil
            }
            i += 2
        }
        var result = now - seconds
        if months > 0 {
            var time = time_t(result)
            var parts = tm()
            gmtime_r(&time, &parts)
            var year = Int(parts.tm_year) + 1900, month = Int(parts.tm_mon) + 1 - months
            while month < 1 { month += 12; year -= 1 }
            let day = min(Int(parts.tm_mday), daysIn(month: month, year: year))
            result = daysFromCivil(year, month, day) * 86_400 + Int64(parts.tm_hour) * 3600 + Int64(parts.tm_min) * 60 + Int64(parts.tm_sec)
        }
        return result
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
