/// A point in history: which revision (or the work tree) a snapshot is taken at.
public enum Point: Equatable, Sendable {
    case head(back: Int)
    case revision(Int)
    case commit(prefix: String)
    case time(Int64)
    case deployment(Int)
    case deployed(Int64)
    /// The files of the work tree, never stored.
    case worktree
    /// A git revision (`v1.4.0`, `main~3`, `origin/main`) resolved inside the repository.
    case git(String)

    /// Parses every form of a point; `nil` or "" is HEAD (the latest revision).
    public static func parse(_ text: String?) throws -> Point {
        guard let raw = text?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw != "HEAD" else { return .head(back: 0) }
        func bad(_ reason: String) -> RegistryError { .unknownPoint(raw, reason: reason, candidates: []) }
        if raw == "worktree" { return .worktree }
        if raw.hasPrefix("HEAD~"), raw.dropFirst(5).allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let n = Int(raw.dropFirst(5)), n >= 0 else { throw bad("HEAD~N needs a non-negative number N") }
            return .head(back: n)
        }
        if raw.hasPrefix("rev:") {
            guard let n = Int(raw.dropFirst(4)), n >= 1 else { throw bad("rev:N needs a revision number of 1 or more") }
            return .revision(n)
        }
        if raw.hasPrefix("commit:") {
            let prefix = raw.dropFirst(7).lowercased()
            guard prefix.count >= 4, prefix.count <= 64, prefix.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
                throw bad("commit: needs 4 or more hexadecimal characters of a commit id")
            }
            return .commit(prefix: prefix)
        }
        if raw.hasPrefix("time:") {
            let value = String(raw.dropFirst(5))
            guard let t = ISOTime.parseOrNow(value) else {
                throw bad(ISOTime.looksLikeDate(value) ? "\(value) is not a valid date or time" : "time: needs an ISO-8601 date or time such as 2026-11-01T12:00:00Z, or a relative time such as 3.days.ago")
            }
            return .time(t)
        }
        if raw.hasPrefix("deploy:") {
            guard let n = Int(raw.dropFirst(7)), n >= 1 else { throw bad("deploy:N needs a deployment number") }
            return .deployment(n)
        }
        if raw.hasPrefix("deployed:") {
            let value = String(raw.dropFirst(9))
            guard let t = ISOTime.parseOrNow(value) else {
                throw bad(ISOTime.looksLikeDate(value) ? "\(value) is not a valid date or time" : "deployed: needs an ISO-8601 date or time, or a relative time such as now")
            }
            return .deployed(t)
        }
        if raw.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let n = Int(raw), n >= 1 else { throw bad("revision numbers start at 1") }
            return .revision(n)
        }
        if raw.count >= 7, raw.count <= 64, raw.allSatisfy({ $0.isASCII && $0.isHexDigit }), raw.contains(where: \.isLetter) {
            return .commit(prefix: raw.lowercased())
        }
        if ISOTime.looksLikeDate(raw) {
            guard let t = ISOTime.parse(raw) else { throw bad("\(raw) is not a valid date or time") }
            return .time(t)
        }
        if let t = ISOTime.relative(raw, now: Int64(Date().timeIntervalSince1970)) { return .time(t) }
        return .git(raw)
    }
}

import Foundation

/// `ENV[@POINT]`, one side of a diff.
public struct SnapshotReference: Equatable, Sendable {
    /// The environment.
    public var environment: String
    /// The point in history (nil: HEAD).
    public var point: String?

    /// Parses `ENV` or `ENV@POINT`.
    public init(parsing text: String) {
        if let at = text.firstIndex(of: "@") {
            environment = String(text[..<at])
            point = String(text[text.index(after: at)...])
        } else {
            environment = text
            point = nil
        }
    }
}
