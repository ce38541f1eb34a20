import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A git repository read with plumbing only (`ls-tree`, `log --raw`, `cat-file --batch`, `rev-list`,
/// `merge-base`), never by checkout, and never with the caller's or the repository's configuration
/// deciding anything: every call runs with a fixed configuration and environment (`GitCommand`).
/// `prefix` is the configuration repository's path inside the git work tree ("" at the top).
final class GitRepository {
    /// The work tree's top level: the directory holding `.git` (never `core.worktree`).
    let workTree: String
    /// The git directory (`.git`, or where a `.git` file points).
    let gitDirectory: String
    let prefix: String
    private var catFile: CatFileBatch?

    /// Opens the git repository whose work tree contains `path`; nil when there is none. A repository
    /// git refuses (another user's, "dubious ownership") is an error with git's own message and fix.
    static func open(containing path: String) throws -> GitRepository? {
        guard let real = realPath(path) else { return nil }
        // The top level is found by looking for `.git`, as git does, and never taken from git's
        // answer: `core.worktree` in an untrusted `.git/config` must not move what fnreg reads.
        var top = real
        while true {
            var info = stat()
            if lstat(top + "/.git", &info) == 0 {
                if info.st_mode & S_IFMT == S_IFLNK {
                    throw RegistryError.refused("\(top)/.git is a symbolic link; fnreg reads only a repository's own .git directory or file.")
                }
                break
            }
            if top == "/" || top.isEmpty { return nil }
            top = (top as NSString).deletingLastPathComponent
        }
        let check = try GitCommand.run(["-C", top, "rev-parse", "--git-dir"])
        guard check.status == 0 else {
            let message = check.stderrText
            if message.contains("dubious ownership") {
                throw RegistryError.git("git refuses the repository at \(top): \(message.split(separator: "\n").first ?? "")"
                    + " (owned by another user); if you trust it, run `git config --global --add safe.directory \(top)` and retry.")
            }
            // A `.git` that git does not accept (a broken file, not a repository): not a git work tree.
            return nil
        }
        var gitDir = check.stdoutText.trimmingCharacters(in: .newlines)
        if !gitDir.hasPrefix("/") { gitDir = top + "/" + gitDir }
        let prefix = real == top ? "" : String(real.dropFirst(top == "/" ? 1 : top.count + 1)) + "/"
        return GitRepository(workTree: top, gitDirectory: gitDir, prefix: prefix)
    }

    init(workTree: String, gitDirectory: String, prefix: String) {
        self.workTree = workTree
        self.gitDirectory = gitDirectory
        self.prefix = prefix
    }

    deinit { catFile?.close() }

    /// The configuration repository's root on disk.
    var root: String { prefix.isEmpty ? workTree : workTree + "/" + String(prefix.dropLast()) }

    func git(_ arguments: [String]) throws -> Subprocess.Result {
        try GitCommand.run(["--git-dir=" + gitDirectory, "--work-tree=" + workTree, "-C", workTree] + arguments)
    }

    func gitOrThrow(_ arguments: [String], what: String) throws -> Data {
        let r = try git(arguments)
        guard r.status == 0 else {
            throw RegistryError.git("git could not \(what): \(r.stderrText.split(separator: "\n").first ?? "exit \(r.status)").")
        }
        return r.stdout
    }

    private func lines(_ data: Data) -> [String] {
        String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    private static func isObjectID(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    // MARK: - Refs and commits

    /// The full commit id `ref` names, or nil.
    func resolve(_ ref: String) throws -> String? {
        guard !ref.isEmpty, !ref.hasPrefix("-") else { return nil }
        let r = try git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"])
        guard r.status == 0 else { return nil }
        let id = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isObjectID(id) ? id : nil
    }

    /// The branch HEAD is on, nil when detached.
    var currentBranch: String? {
        guard let r = try? git(["symbolic-ref", "--quiet", "--short", "HEAD"]), r.status == 0 else { return nil }
        let name = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    /// The commit a branch name points at: the local branch, else the remote-tracking branch of
    /// `origin` (a CI checkout often has only that), else the only remote that has it.
    func branchTip(_ branch: String) throws -> String? {
        for ref in ["refs/heads/\(branch)", "refs/remotes/origin/\(branch)"] {
            if let id = try resolve(ref) { return id }
        }
        let remotes = lines(try gitOrThrow(["for-each-ref", "--format=%(refname)", "refs/remotes/"], what: "list remote branches"))
            .filter { $0.hasSuffix("/" + branch) && $0.split(separator: "/").count == 4 }
        if remotes.count == 1 { return try resolve(remotes[0]) }
        return nil
    }

    /// Whether the repository has this commit (a shallow clone may not).
    func hasCommit(_ id: String) throws -> Bool {
        try git(["cat-file", "-e", id + "^{commit}"]).status == 0
    }

    /// Which of `ids` name objects the repository has (`cat-file --batch-check`).
    func existingObjects(_ ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let child = try GitCommand.start(["--git-dir=" + gitDirectory, "-C", workTree, "cat-file", "--batch-check=%(objectname)"], pipeStdin: true)
        let request = Array(ids.map { $0 + "\n" }.joined().utf8)
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            child.write(request)
            child.closeStdin()
            group.leave()
        }
        let (out, _) = child.readToEnd()
        group.wait()
        child.wait()
        return Set(String(decoding: out, as: UTF8.self).split(separator: "\n").filter { !$0.hasSuffix(" missing") }.map(String.init))
    }

    /// Every local and remote-tracking branch name.
    func localAndRemoteBranches() throws -> [String] {
        lines(try gitOrThrow(["for-each-ref", "--format=%(refname:short)", "refs/heads/", "refs/remotes/"], what: "list branches"))
            .filter { !$0.hasSuffix("/HEAD") }
    }

    /// Branch names (local and remote-tracking) whose tip contains `commit`.
    func branches(containing commit: String) throws -> [String] {
        let r = try git(["for-each-ref", "--contains", commit, "--format=%(refname:short)", "refs/heads/", "refs/remotes/"])
        guard r.status == 0 else { return [] }
        return lines(r.stdout).filter { !$0.hasSuffix("/HEAD") }
    }

    var isShallow: Bool {
        (try? git(["rev-parse", "--is-shallow-repository"]).stdoutText.hasPrefix("true")) ?? false
    }

    /// Commit metadata.
    struct CommitInfo: Sendable {
        var id: String
        var authorName: String
        var authorEmail: String
        var committedAt: Int64
        var message: String
    }

    func commitInfo(_ id: String) throws -> CommitInfo {
        let data = try gitOrThrow(["log", "-1", "--no-show-signature", "--format=%H%x00%an%x00%ae%x00%ct%x00%B", id, "--"], what: "read commit \(id)")
        let fields = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count >= 5, Self.isObjectID(fields[0]) else { throw RegistryError.git("git returned unreadable metadata for commit \(id).") }
        return CommitInfo(id: fields[0], authorName: fields[1], authorEmail: fields[2], committedAt: Int64(fields[3]) ?? 0,
                          message: fields[4].trimmingCharacters(in: .newlines))
    }

    /// First-parent commits of `ref`, oldest first.
    func firstParentCommits(_ ref: String) throws -> [String] {
        lines(try gitOrThrow(["rev-list", "--first-parent", "--reverse", ref, "--"], what: "list the commits of \(ref)"))
    }

    /// The root commit of `tip`'s first-parent history: the repository's identity.
    func rootCommit(_ tip: String) throws -> String? {
        lines(try gitOrThrow(["rev-list", "--first-parent", "--max-parents=0", tip, "--"], what: "find the root commit of \(tip)")).last
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    func isAncestor(_ ancestor: String, of descendant: String) throws -> Bool {
        let r = try git(["merge-base", "--is-ancestor", ancestor, descendant])
        if r.status == 0 { return true }
        if r.status == 1 { return false }
        throw RegistryError.git("git could not compare \(ancestor.prefix(12)) with \(descendant.prefix(12)): \(r.stderrText.split(separator: "\n").first ?? "").")
    }

    /// True when `commit` is `tip` or one of its first-parent ancestors: the oldest first-parent
    /// commit of `tip` that descends from `commit` then has `commit` as its first parent.
    func isOnFirstParentHistory(_ commit: String, of tip: String) throws -> Bool {
        if commit == tip { return true }
        guard try isAncestor(commit, of: tip) else { return false }
        guard let oldest = try firstParentDescendants(of: commit, to: tip).first else { return false }
        return try resolve(oldest + "^1") == commit
    }

    /// The best common ancestor of two commits, nil for unrelated histories.
    func mergeBase(_ a: String, _ b: String) throws -> String? {
        let r = try git(["merge-base", a, b])
        guard r.status == 0 else { return nil }
        let id = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return Self.isObjectID(id) ? id : nil
    }

    /// `rev-list --first-parent --ancestry-path from..to`, oldest first: the first-parent commits of
    /// `to` that descend from `from`.
    func firstParentDescendants(of from: String, to: String) throws -> [String] {
        lines(try gitOrThrow(["rev-list", "--first-parent", "--ancestry-path", "--reverse", "\(from)..\(to)", "--"],
                             what: "list the commits between \(from.prefix(12)) and \(to.prefix(12))"))
    }

    /// `rev-list --first-parent base..to`, oldest first.
    func firstParentCommitsSince(_ base: String, to: String) throws -> [String] {
        lines(try gitOrThrow(["rev-list", "--first-parent", "--reverse", "\(base)..\(to)", "--"],
                             what: "list the commits between \(base.prefix(12)) and \(to.prefix(12))"))
    }

    /// The commit of `tip`'s first-parent history that brought `commit` in (the oldest first-parent
    /// commit that contains it), for a commit that is reachable but not itself on that history.
    func firstParentMerge(bringing commit: String, into tip: String) throws -> String? {
        try firstParentDescendants(of: commit, to: tip).first
    }

    // MARK: - Trees

    /// Every file of a commit's tree below the configuration root (paths relative to it).
    func tree(_ commit: String) throws -> SourceTree {
        var args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if !prefix.isEmpty { args += ["--", prefix] }
        let data = try gitOrThrow(args, what: "list the tree of \(commit)")
        var tree = SourceTree()
        let prefixBytes = Array(prefix.utf8)
        data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            // Records "<mode> SP <type> SP <object> TAB <path> NUL", parsed in place.
            while i < b.count {
                let start = i
                while i < b.count && b[i] != 0 { i += 1 }
                let end = i
                i += 1
                guard let tab = (start..<end).first(where: { b[$0] == 9 }),
                      let space1 = (start..<tab).first(where: { b[$0] == 32 }),
                      let space2 = ((space1 + 1)..<tab).first(where: { b[$0] == 32 }) else { continue }
                let pathStart = tab + 1
                guard end - pathStart > prefixBytes.count,
                      prefixBytes.isEmpty || b[pathStart..<(pathStart + prefixBytes.count)].elementsEqual(prefixBytes) else { continue }
                let path = RepoPath(bytes: UnsafeBufferPointer(rebasing: b[(pathStart + prefixBytes.count)..<end]))
                if case .export = RepositoryLayout.classify(path) { continue }
                let mode = String(decoding: UnsafeBufferPointer(rebasing: b[start..<space1]), as: UTF8.self)
                let object = String(decoding: UnsafeBufferPointer(rebasing: b[(space2 + 1)..<tab]), as: UTF8.self)
                tree.set(path, FileRef(id: object, kind: FileRef.Kind(gitMode: mode)))
            }
        }
        return tree
    }

    /// A commit of the first-parent stream with its changes relative to its first parent.
    struct StreamedCommit {
        var info: CommitInfo
        /// Changed files (nil: deleted), paths relative to the configuration root.
        var changes: [(RepoPath, FileRef?)]
    }

    /// `git log --first-parent --raw` over `range`, oldest first: one process for the whole history.
    func firstParentChanges(_ range: String) throws -> [StreamedCommit] {
        let data = try gitOrThrow(["log", "--first-parent", "--reverse", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff",
                                   "--no-textconv", "--no-show-signature", "--diff-merges=first-parent", "--root", "--no-color",
                                   "--format=%x01%H%x00%an%x00%ae%x00%ct%x00%B%x00", range, "--"] + (prefix.isEmpty ? [] : [prefix]),
                                  what: "read the history of \(range)")
        let prefixBytes = Array(prefix.utf8)
        return try data.withUnsafeBytes { raw -> [StreamedCommit] in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            func field() -> UnsafeBufferPointer<UInt8> {
                let start = i
                while i < b.count && b[i] != 0 { i += 1 }
                let s = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                return s
            }
            func text() -> String { String(decoding: field(), as: UTF8.self) }
            var commits: [StreamedCommit] = []
            while i < b.count {
                if b[i] == 0x0A || b[i] == 0 { i += 1; continue }
                guard b[i] == 0x01 else { throw RegistryError.git("Unexpected output from git log --raw at byte \(i).") }
                i += 1
                let id = text(), an = text(), ae = text(), ct = text(), message = text()
                var changes: [(RepoPath, FileRef?)] = []
                while i < b.count && (b[i] == 0x0A || b[i] == 0) { i += 1 }
                while i < b.count && b[i] == UInt8(ascii: ":") {
                    // ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0"
                    let header = String(decoding: field(), as: UTF8.self).dropFirst().split(separator: " ")
                    let rawPath = field()
                    guard header.count >= 5, rawPath.count > prefixBytes.count,
                          prefixBytes.isEmpty || rawPath.starts(with: prefixBytes) else { continue }
                    let path = RepoPath(bytes: rawPath.dropFirst(prefixBytes.count))
                    if case .export = RepositoryLayout.classify(path) { continue }
                    if header[4].first == "D" {
                        changes.append((path, nil))
                    } else {
                        changes.append((path, FileRef(id: String(header[3]), kind: FileRef.Kind(gitMode: header[1]))))
                    }
                    while i < b.count && b[i] == 0x0A { i += 1 }
                }
                commits.append(StreamedCommit(info: CommitInfo(id: id, authorName: an, authorEmail: ae, committedAt: Int64(ct) ?? 0,
                                                               message: message.trimmingCharacters(in: .newlines)), changes: changes))
            }
            return commits
        }
    }

    /// The files of the work tree that git does not ignore (tracked or not), relative to the
    /// configuration root: what a preview of the work tree reads.
    func unignoredFiles(tracked: Bool = true) throws -> [RepoPath] {
        var args = ["ls-files", "-z"] + (tracked ? ["--cached"] : []) + ["--others", "--exclude-standard", "--full-name"]
        if !prefix.isEmpty { args += ["--", prefix] }
        let data = try gitOrThrow(args, what: "list the files of the work tree")
        let prefixBytes = Array(prefix.utf8)
        return data.split(separator: 0).compactMap { raw in
            var bytes = Array(raw)
            guard bytes.count > prefixBytes.count, bytes.starts(with: prefixBytes) else { return nil }
            bytes.removeFirst(prefixBytes.count)
            if bytes.last == UInt8(ascii: "/") { bytes.removeLast() }  // an untracked nested repository
            return RepoPath(bytes: bytes)
        }
    }

    // MARK: - Contents

    /// Streams blob contents, in the order asked, through one long-lived `git cat-file --batch`.
    func streamBlobs(_ ids: [String], _ sink: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws {
        guard !ids.isEmpty else { return }
        if catFile == nil { catFile = try CatFileBatch(self) }
        do {
            try catFile!.stream(ids, sink)
        } catch {
            catFile = nil  // it was stopped mid-batch; a later read starts a new one
            throw error
        }
    }
}

extension GitRepository: ContentSource {
    func contents(_ refs: [FileRef], limit: Int) throws -> [Data?] {
        var out = [Data?](repeating: nil, count: refs.count)
        var current: Data?
        try streamBlobs(refs.map(\.id)) { index, size, piece in
            if piece.isEmpty {
                // A file starts: keep it only when it is within the limit.
                current = size <= limit ? Data(capacity: size) : nil
                if size == 0 && size <= limit { out[index] = Data() }
                return
            }
            guard current != nil else { return }
            current!.append(piece.bindMemory(to: UInt8.self))
            if current!.count == size { out[index] = current; current = nil }
        }
        return out
    }

    func stream(_ refs: [FileRef], _ sink: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws {
        try streamBlobs(refs.map(\.id), sink)
    }
}

/// How fnreg runs git: a fixed configuration (`-c` settings that outrank every configuration file),
/// no system or global configuration file, no `GIT_*` variable from the caller, no pager, so that no
/// setting of the user's or of an untrusted repository changes git's output (`log.showSignature`)
/// or makes git run a program (`core.fsmonitor`, `gpg.program`, hooks, pagers, external diffs).
enum GitCommand {
    /// Settings that override any configuration file.
    static let fixedSettings = [
        "core.fsmonitor=false", "core.untrackedCache=false", "core.hooksPath=/dev/null", "core.quotePath=false",
        "core.pager=cat", "core.askPass=", "core.sshCommand=false", "core.attributesFile=/dev/null", "core.splitIndex=false",
        "log.showSignature=false", "log.decorate=false", "log.mailmap=false", "log.follow=false", "log.abbrevCommit=false",
        "gpg.program=false", "gpg.ssh.program=false", "gpg.x509.program=false", "color.ui=false",
        "i18n.logOutputEncoding=UTF-8", "protocol.allow=never", "credential.helper=", "maintenance.auto=false", "gc.auto=0",
        "fetch.fsckObjects=false", "index.skipHash=false",
    ]

    /// The environment of every git child: the caller's without `GIT_*` (which could point git at
    /// another repository or configuration), and no configuration file but the repository's own.
    static let environment: [String] = {
        var out: [String] = []
        for (name, value) in ProcessInfo.processInfo.environment where !name.hasPrefix("GIT_") && name != "PAGER" && name != "EDITOR" {
            if name == "LC_ALL" || name == "LANG" || name == "LANGUAGE" { continue }
            out.append("\(name)=\(value)")
        }
        out += ["GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0", "GIT_OPTIONAL_LOCKS=0",
                "GIT_NO_REPLACE_OBJECTS=1", "GIT_PAGER=cat", "LC_ALL=C", "GIT_ATTR_NOSYSTEM=1"]
        return out
    }()

    /// `safe.directory` entries of the user's and the system's git configuration, honoured (they are
    /// the one setting of those files fnreg keeps: they say which repositories of other users to trust).
    static let safeDirectories: [String] = {
        var out: [String] = []
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }.map { "\($0.key)=\($0.value)" } + ["LC_ALL=C"]
        for scope in ["--system", "--global"] {
            guard let r = try? Subprocess.run(GitExecutable.path, ["config", scope, "--get-all", "safe.directory"], environment: inherited),
                  r.status == 0 else { continue }
            out += r.stdoutText.split(separator: "\n").map(String.init)
        }
        return out
    }()

    static func arguments(_ arguments: [String]) -> [String] {
        var out = ["--no-pager", "--no-replace-objects"]
        for setting in fixedSettings { out += ["-c", setting] }
        for directory in safeDirectories { out += ["-c", "safe.directory=" + directory] }
        return out + arguments
    }

    static func run(_ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run(GitExecutable.path, Self.arguments(arguments), environment: environment)
    }

    static func start(_ arguments: [String], pipeStdin: Bool) throws -> ChildProcess {
        try ChildProcess(GitExecutable.path, Self.arguments(arguments), environment: environment, pipeStdin: pipeStdin, captureStderr: false)
    }
}

extension GitRepository {
    /// The user's own git `user.name` (their global configuration, read, never executed), if any.
    static func userName() -> String? {
        let inherited = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }.map { "\($0.key)=\($0.value)" } + ["LC_ALL=C"]
        guard let r = try? Subprocess.run(GitExecutable.path, ["config", "--global", "--get", "user.name"], environment: inherited), r.status == 0 else { return nil }
        let name = r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }
}

/// `git cat-file --batch` kept open; requests are written from another thread so that large batches
/// never deadlock on full pipes, and contents are handed on in pieces as they arrive.
final class CatFileBatch {
    private let child: ChildProcess
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0

    init(_ repository: GitRepository) throws {
        child = try GitCommand.start(["--git-dir=" + repository.gitDirectory, "-C", repository.workTree, "cat-file", "--batch"], pipeStdin: true)
    }

    func close() { child.wait() }

    /// Reads more bytes after `end` (moving the unread part to the front, growing when it is full).
    private func fill() throws {
        if start > 0 {
            if start < end { buffer.withUnsafeMutableBytes { _ = memmove($0.baseAddress!, $0.baseAddress! + start, end - start) } }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let fd = child.stdout
        var n: Int
        repeat { n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + end, $0.count - end) } } while n < 0 && errno == EINTR
        guard n > 0 else { throw RegistryError.git("git cat-file stopped unexpectedly; the repository may be corrupt.") }
        end += n
    }

    private func readLine() throws -> String {
        var scanned = start
        while true {
            if let newline = buffer[scanned..<end].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                return line
            }
            let offset = scanned - start
            try fill()
            scanned = start + offset
        }
    }

    /// Hands `count` bytes to `body` in pieces, then skips the newline that follows contents.
    private func consume(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if start == end { try fill() }
            let n = min(remaining, end - start)
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
            start += n
            remaining -= n
        }
        if start == end { try fill() }
        start += 1
    }

    func stream(_ ids: [String], _ sink: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let request = Array(ids.map { $0 + "\n" }.joined().utf8)
        let child = self.child
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            child.write(request)
            group.leave()
        }
        var complete = false
        defer {
            // Stopped early (a missing object): git would go on answering into a pipe nobody reads,
            // stop reading its requests, and leave the writer blocked. End git so the writer returns.
            if !complete { child.terminate() }
            group.wait()
        }
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        for (index, id) in ids.enumerated() {
            let header = try readLine()
            let parts = header.split(separator: " ")
            guard parts.count == 3, let size = Int(parts[2]) else {
                throw RegistryError.git("git object \(id) is missing or unreadable (\(header.prefix(80))); the repository may be corrupt or shallow.")
            }
            try sink(index, size, empty)
            try consume(size) { try sink(index, size, $0) }
        }
        complete = true
    }
}

/// The canonical absolute path of `path` (symbolic links resolved), or nil when it does not exist.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}
