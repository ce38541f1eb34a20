import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A git repository read with plumbing only (`ls-tree`, `log --raw`, `cat-file --batch`), never by checkout.
/// `prefix` is the configuration repository's path inside the git work tree ("" at the top).
public final class GitRepository {
    public let workTree: String
    public let prefix: String
    private var catFile: CatFileBatch?

    /// Opens the git repository containing `path`, or returns nil when `path` is not in a git work tree.
    public static func open(containing path: String) -> GitRepository? {
        guard let result = try? Subprocess.git(["rev-parse", "--show-toplevel", "--show-prefix"], in: path),
              result.status == 0 else { return nil }
        let lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let top = lines.first, !top.isEmpty else { return nil }
        return GitRepository(workTree: top, prefix: lines.count > 1 ? lines[1] : "")
    }

    init(workTree: String, prefix: String) {
        self.workTree = workTree
        self.prefix = prefix
    }

    deinit { catFile?.close() }

    func git(_ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.git(arguments, in: workTree)
    }

    func gitOrThrow(_ arguments: [String], what: String) throws -> Data {
        let r = try git(arguments)
        guard r.status == 0 else {
            throw RegistryError.git("git could not \(what): \(r.stderrText.split(separator: "\n").first ?? "exit \(r.status)").")
        }
        return r.stdout
    }

    /// The full commit id `ref` names, or nil.
    public func resolve(_ ref: String) throws -> String? {
        let r = try git(["rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}"])
        guard r.status == 0 else { return nil }
        return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var currentBranch: String? {
        guard let r = try? git(["symbolic-ref", "--quiet", "--short", "HEAD"]), r.status == 0 else { return nil }
        return r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var isShallow: Bool {
        (try? git(["rev-parse", "--is-shallow-repository"]).stdoutText.hasPrefix("true")) ?? false
    }

    /// Commit metadata.
    public struct CommitInfo: Sendable {
        public var id: String
        public var authorName: String
        public var authorEmail: String
        public var committedAt: Int64
        public var message: String
    }

    public func commitInfo(_ id: String) throws -> CommitInfo {
        let data = try gitOrThrow(["log", "-1", "--format=%H%x00%an%x00%ae%x00%ct%x00%B", id, "--"], what: "read commit \(id)")
        let fields = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count >= 5 else { throw RegistryError.git("git returned unreadable metadata for commit \(id).") }
        return CommitInfo(id: fields[0], authorName: fields[1], authorEmail: fields[2], committedAt: Int64(fields[3]) ?? 0,
                          message: fields[4].trimmingCharacters(in: .newlines))
    }

    /// Relevant files of a commit's tree (paths relative to the configuration repository).
    func tree(_ commit: String) throws -> SourceTree {
        var args = ["ls-tree", "-r", "-z", "--full-tree", commit, "--"]
        args += SourceTree.roots.map { prefix + $0 }
        let data = try gitOrThrow(args, what: "list the tree of \(commit)")
        var tree = SourceTree()
        tree.files.reserveCapacity(data.count / 80)
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
                guard let tab = (start..<end).first(where: { b[$0] == 9 }) else { continue }
                guard let space1 = (start..<tab).first(where: { b[$0] == 32 }),
                      let space2 = ((space1 + 1)..<tab).first(where: { b[$0] == 32 }) else { continue }
                let pathStart = tab + 1
                guard end - pathStart >= prefixBytes.count,
                      prefixBytes.isEmpty || b[pathStart..<(pathStart + prefixBytes.count)].elementsEqual(prefixBytes) else { continue }
                let mode = String(decoding: UnsafeBufferPointer(rebasing: b[start..<space1]), as: UTF8.self)
                let object = String(decoding: UnsafeBufferPointer(rebasing: b[(space2 + 1)..<tab]), as: UTF8.self)
                let path = String(decoding: UnsafeBufferPointer(rebasing: b[(pathStart + prefixBytes.count)..<end]), as: UTF8.self)
                tree.files[path] = FileRef(id: object, kind: FileRef.Kind(gitMode: mode))
            }
        }
        return tree
    }

    /// First-parent commits of `ref`, oldest first.
    public func firstParentCommits(_ ref: String) throws -> [String] {
        let data = try gitOrThrow(["rev-list", "--first-parent", "--reverse", ref, "--"], what: "list the commits of \(ref)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// A commit of the first-parent stream with its changes relative to its first parent.
    struct StreamedCommit {
        var info: CommitInfo
        /// path -> new file (nil: deleted), relevant paths only.
        var changes: [(String, FileRef?)]
    }

    /// `git log --first-parent --raw` over `range`, oldest first: one process for the whole history.
    func firstParentChanges(_ range: String) throws -> [StreamedCommit] {
        let data = try gitOrThrow(["log", "--first-parent", "--reverse", "--raw", "-z", "--no-abbrev", "--no-renames",
                                   "--diff-merges=first-parent", "--root", "--no-color", "--format=%x01%H%x00%an%x00%ae%x00%ct%x00%B%x00", range, "--"],
                                  what: "read the history of \(range)")
        return try data.withUnsafeBytes { raw -> [StreamedCommit] in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            func field() -> String {
                let start = i
                while i < b.count && b[i] != 0 { i += 1 }
                let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            var commits: [StreamedCommit] = []
            while i < b.count {
                if b[i] == 0x0A || b[i] == 0 { i += 1; continue }
                guard b[i] == 0x01 else { throw RegistryError.git("Unexpected output from git log --raw at byte \(i).") }
                i += 1
                let id = field(), an = field(), ae = field(), ct = field(), message = field()
                var changes: [(String, FileRef?)] = []
                while i < b.count && (b[i] == 0x0A || b[i] == 0) { i += 1 }
                while i < b.count && b[i] == UInt8(ascii: ":") {
                    // ":<old mode> <new mode> <old id> <new id> <status>\0<path>\0"
                    let header = field().dropFirst().split(separator: " ")
                    var path = field()
                    guard header.count >= 5 else { continue }
                    guard path.hasPrefix(prefix) else { continue }
                    path.removeFirst(prefix.count)
                    guard SourceTree.isRelevant(path) else { continue }
                    let status = header[4].first
                    if status == "D" {
                        changes.append((path, nil))
                    } else {
                        changes.append((path, FileRef(id: String(header[3]), kind: FileRef.Kind(gitMode: String(header[1])))))
                    }
                    while i < b.count && b[i] == 0x0A { i += 1 }
                }
                commits.append(StreamedCommit(info: CommitInfo(id: id, authorName: an, authorEmail: ae, committedAt: Int64(ct) ?? 0,
                                                               message: message.trimmingCharacters(in: .newlines)), changes: changes))
            }
            return commits
        }
    }

    /// True when the configuration files of the work tree equal HEAD's (nothing modified or untracked).
    func configurationIsClean() throws -> Bool {
        let r = try git(["status", "--porcelain", "-z", "--untracked-files=all", "--"] + SourceTree.roots.map { prefix + $0 })
        guard r.status == 0 else { return false }
        return r.stdout.isEmpty
    }

    /// Blob contents, in the order asked, through one long-lived `git cat-file --batch`.
    func read(_ ids: [String]) throws -> [Data] {
        if catFile == nil { catFile = try CatFileBatch(workTree: workTree) }
        do {
            return try catFile!.read(ids)
        } catch {
            catFile = nil  // it was stopped mid-batch; a later read starts a new one
            throw error
        }
    }
}

/// `git cat-file --batch` kept open; requests are written from another thread so that large batches
/// never deadlock on full pipes.
final class CatFileBatch {
    private let child: ChildProcess
    private var buffer: [UInt8] = []
    private var position = 0

    init(workTree: String) throws {
        child = try ChildProcess(GitExecutable.path, ["-C", workTree, "cat-file", "--batch"], pipeStdin: true, captureStderr: false)
    }

    func close() { child.wait() }

    private func fill() throws {
        if position > 0 && position == buffer.count { buffer.removeAll(keepingCapacity: true); position = 0 }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let fd = child.stdout
        var n: Int
        repeat { n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 1 << 16) } } while n < 0 && errno == EINTR
        guard n > 0 else { throw RegistryError.git("git cat-file stopped unexpectedly; the repository may be corrupt.") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func readLine() throws -> String {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[position..<newline], as: UTF8.self)
                position = newline + 1
                return line
            }
            try fill()
        }
    }

    private func readBytes(_ count: Int) throws -> Data {
        while buffer.count - position < count + 1 { try fill() }
        let data = Data(buffer[position..<position + count])
        position += count + 1  // contents are followed by a newline
        return data
    }

    func read(_ ids: [String]) throws -> [Data] {
        guard !ids.isEmpty else { return [] }
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
        var out: [Data] = []
        out.reserveCapacity(ids.count)
        for id in ids {
            let header = try readLine()
            let parts = header.split(separator: " ")
            guard parts.count == 3, let size = Int(parts[2]) else {
                throw RegistryError.git("git object \(id) is missing or unreadable (\(header.prefix(80))); the repository may be corrupt or shallow.")
            }
            out.append(try readBytes(size))
        }
        complete = true
        return out
    }
}
