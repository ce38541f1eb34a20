import Foundation

/// Where fnreg works: the configuration repository's root (the git top level containing the
/// current directory, or the directory itself outside git), its git repository, and where its
/// database lives by default: in a place no commit can write.
public struct Workspace {
    /// The configuration repository's root.
    public let root: String
    /// The git repository around the root (nil outside git).
    let git: GitRepository?

    init(root: String, git: GitRepository?) {
        self.root = root
        self.git = git
    }

    /// The workspace containing `directory`: its git work tree's top level, or `directory` itself.
    public static func discover(from directory: String) throws -> Workspace {
        if let git = try GitRepository.open(containing: directory) {
            return Workspace(root: git.workTree, git: git)
        }
        return Workspace(root: realPath(directory) ?? directory, git: nil)
    }

    /// The workspace of a configuration repository at `path` (`import PATH`, `validate PATH`): the
    /// git repository containing it, with `path` as the configuration root.
    public static func at(_ path: String) throws -> Workspace {
        if let git = try GitRepository.open(containing: path) { return Workspace(root: git.root, git: git) }
        return Workspace(root: realPath(path) ?? path, git: nil)
    }

    /// The default database: `fnreg/registry.sqlite3` in the repository's git directory (shared by
    /// its worktrees; no commit can write there), or, outside git, a file of its own under
    /// `$XDG_STATE_HOME/fnreg/` (default `~/.local/state/fnreg/`) named after the directory's path.
    public func defaultDatabasePath() throws -> String {
        if let git {
            return try git.commonDirectory() + "/fnreg/registry.sqlite3"
        }
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (env["HOME"].map { $0 + "/.local/state" } ?? NSTemporaryDirectory() + "fnreg-\(getuid())")
        let id = hex(SHA256Hasher.hash(Array(root.utf8))).prefix(16)
        return "\(state)/fnreg/directories/\(id)/registry.sqlite3"
    }

    /// Where fnreg 0.4 kept the database: inside the checkout, where a commit could replace it.
    public var legacyDatabasePath: String { root + "/.fnreg/registry.sqlite3" }

    /// A database fnreg 0.4 left in the checkout that is the user's own: present, a regular file,
    /// and not committed (a committed one came from the repository and is ignored).
    public var hasOwnLegacyDatabase: Bool {
        var info = stat()
        guard lstat(legacyDatabasePath, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return false }
        guard let git else { return true }
        let index = GitIndex.read(git)
        return index?.entries[RepoPath(".fnreg/registry.sqlite3")] == nil
    }
}

extension GitRepository {
    /// The repository's common git directory (the main `.git` for every worktree of it).
    func commonDirectory() throws -> String {
        let r = try git(["rev-parse", "--git-common-dir"])
        guard r.status == 0 else { throw RegistryError.git("git could not name the git directory of \(workTree): \(r.stderrText).") }
        var dir = r.stdoutText.trimmingCharacters(in: .newlines)
        if !dir.hasPrefix("/") { dir = workTree + "/" + dir }
        return realPath(dir) ?? dir
    }
}

extension Workspace {
    /// The user's own git `user.name` (their global configuration, read, never executed), if any:
    /// who did something when nothing else says.
    public static func gitUserName() -> String? { GitRepository.userName() }
}
