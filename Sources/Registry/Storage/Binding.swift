import Foundation

/// What a registry records (stored at its first import): one branch of one git repository, or one
/// plain directory. Every later import must come from the same source.
public struct Binding: Equatable, Sendable {
    /// A git branch, or a plain directory.
    public enum Kind: String, Sendable { case git, directory }
    /// Which of the two.
    public var kind: Kind
    /// Git: the root commit of the branch's first-parent history (a clone, a CI checkout and a
    /// worktree of the repository share it).
    public var rootCommit: String?
    /// Git: the tracked branch.
    public var branch: String?
    /// Git: the configuration root's path inside the work tree, "" at the top (else ending in "/").
    public var prefix: String
    /// Where the first import read, for display.
    public var sourcePath: String?
    /// When the first import bound the registry (seconds since 1970).
    public var boundAt: Int64

    /// A binding.
    public init(kind: Kind, rootCommit: String? = nil, branch: String? = nil, prefix: String = "", sourcePath: String? = nil, boundAt: Int64) {
        self.kind = kind
        self.rootCommit = rootCommit
        self.branch = branch
        self.prefix = prefix
        self.sourcePath = sourcePath
        self.boundAt = boundAt
    }

    /// One phrase naming the binding: "branch main of the git repository whose first commit is 1a2b3c4d5e6f".
    public var description: String {
        switch kind {
        case .git:
            let at = prefix.isEmpty ? "" : " (configuration in \(prefix.dropLast())/)"
            return "branch \(branch ?? "?") of the git repository whose first commit is \(rootCommit.map { String($0.prefix(12)) } ?? "?")\(at)"
        case .directory:
            return "the plain directory \(sourcePath ?? "?") (not a git work tree)"
        }
    }

    /// The binding as `status` and `doctor` print it in JSON.
    public var json: JSONValue {
        var o = JSONObject()
        o["kind"] = .string(kind.rawValue)
        o["root_commit"] = rootCommit.map { .string($0) } ?? .null
        o["branch"] = branch.map { .string($0) } ?? .null
        o["prefix"] = .string(prefix)
        o["source_path"] = sourcePath.map { .string($0) } ?? .null
        o["bound_at"] = .string(ISOTime.format(boundAt))
        return .object(o)
    }
}
