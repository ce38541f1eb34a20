import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A configuration repository read from disk: the files below `lambda_functions/` and
/// `terraform/environments/` (or, in a git checkout, only those git does not ignore), never
/// following a link while walking, plus the files that links in functions' directories reach
/// inside the repository. Every file gets the id git would give it; bytes are read in pieces, and
/// only small files are kept in memory, so memory does not grow with file sizes.
final class WorkTreeSource: ContentSource {
    let root: String
    /// Git's unignored files (nil: a plain directory, every file counts).
    private let listed: Set<RepoPath>?
    private var listedDirectories: Set<RepoPath> = []

    private var tree = SourceTree()
    /// Where each id's bytes are, and their size.
    private var located: [String: (path: RepoPath, size: Int)] = [:]
    private var kept: [String: Data] = [:]
    private var keptBytes = 0
    private static let keepFileLimit = 1 << 20
    private static let keepTotalLimit = 256 << 20
    /// Files below an environment that are not documents: their bytes never matter to the state
    /// (only that they exist), so they are not read unless a link reaches them.
    static let unreadID = "-"

    /// git's index: a file whose `stat` data it vouches for is not read to learn its blob id.
    private let index: GitIndex?

    /// `unignored`: git's list of files that are not ignored (a git checkout), or nil (a plain directory).
    init(root: String, unignored: [RepoPath]? = nil, index: GitIndex? = nil) {
        self.root = root
        self.index = index
        if let unignored {
            listed = Set(unignored)
            for path in unignored { for dir in path.ancestors { listedDirectories.insert(dir) } }
        } else {
            listed = nil
        }
    }

    /// Opens a work tree: a git checkout lists its unignored files through git; anything else is a plain directory.
    static func open(root: String, git: GitRepository?) throws -> WorkTreeSource {
        guard let git else { return WorkTreeSource(root: root) }
        // The tracked files come from the index itself (no git call), the untracked ones from git.
        if let head = try git.resolve("HEAD"), let index = GitIndex.read(git, objectIDLength: head.count) {
            return WorkTreeSource(root: root, unignored: Array(index.entries.keys) + (try git.unignoredFiles(tracked: false)), index: index)
        }
        return WorkTreeSource(root: root, unignored: try git.unignoredFiles())
    }

    // MARK: - Scanning

    /// The files of the work tree, with every link of a function's directory resolved (the files
    /// it reaches are part of the tree, so the tree's digest covers them).
    func scan() throws -> SourceTree {
        tree = SourceTree()
        if let listed {
            for path in listed.sorted() where RepositoryLayout.isInRoots(path) {
                var info = stat()
                guard lstat(path.absolute(in: root), &info) == 0 else { continue }  // deleted in the work tree
                try record(path, info)
            }
        } else {
            for top in [RepositoryLayout.functionsRoot, RepositoryLayout.environmentsRoot] {
                var info = stat()
                guard lstat(top.absolute(in: root), &info) == 0 else { continue }
                if info.st_mode & S_IFMT == S_IFDIR { try walk(top) }
            }
        }
        // Resolve every link below lambda_functions/ now: what it reaches joins the tree.
        let links = tree.files.filter { $0.value.kind == .symlink && $0.key.isWithin(RepositoryLayout.functionsRoot) }.map(\.key)
        let lookup = diskLookup()
        for link in links.sorted() {
            _ = try CodePackage.resolve(directory: link.parent, own: [link], lookup: lookup)
        }
        return tree
    }

    private func walk(_ directory: RepoPath) throws {
        guard let dir = opendir(directory.absolute(in: root)) else {
            throw RegistryError.io("Cannot read the directory \(directory); check its permissions.")
        }
        defer { closedir(dir) }
        var entries: [RepoPath] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                Array(raw.prefix { $0 != 0 })
            }
            if name == Array(".".utf8) || name == Array("..".utf8) || name == Array(".git".utf8) { continue }
            entries.append(directory.appending(RepoPath(bytes: name)))
        }
        for path in entries.sorted() {
            if case .export = RepositoryLayout.classify(path) { continue }
            var info = stat()
            guard lstat(path.absolute(in: root), &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR { try walk(path) } else { try record(path, info) }
        }
    }

    /// Adds one file found on disk to the tree.
    private func record(_ path: RepoPath, _ info: stat) throws {
        if case .export = RepositoryLayout.classify(path) { return }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            let isDocument = RepositoryLayout.isDocument(path)
            if !isDocument, case .environmentFile = RepositoryLayout.classify(path) {
                tree.set(path, FileRef(id: Self.unreadID, kind: .regular))
            } else if let id = index?.id(of: path, info) {
                // git's index vouches for these bytes: read them only if they are needed.
                if located[id] == nil { located[id] = (path, Int(info.st_size)) }
                tree.set(path, FileRef(id: id, kind: .regular))
            } else {
                tree.set(path, try readRegular(path))
            }
        case S_IFLNK:
            tree.set(path, try readLink(path))
        case S_IFDIR:
            // Listed by git as one entry: another repository inside this one.
            tree.set(path, FileRef(id: "submodule", kind: .submodule))
        default:
            tree.set(path, FileRef(id: "special", kind: .special))
        }
    }

    /// Reads a regular file in pieces, computing its blob id; keeps the bytes when small.
    private func readRegular(_ path: RepoPath) throws -> FileRef {
        let fd = Glibc.open(path.absolute(in: root), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw RegistryError.io("Cannot read \(path); check its permissions.") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return FileRef(id: "special", kind: .special) }
        let size = Int(info.st_size)
        var hasher = GitBlobHasher(size: size)
        let keep = size <= Self.keepFileLimit && keptBytes + size <= Self.keepTotalLimit
        var bytes = Data()
        if keep { bytes.reserveCapacity(size) }
        var chunk = [UInt8](repeating: 0, count: min(max(size, 1), 1 << 16))
        var done = 0
        while done < size {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, size - done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            if keep { bytes.append(contentsOf: chunk[0..<n]) }
            done += n
        }
        guard done == size else {
            _ = hasher.finalize()
            throw RegistryError.io("\(path) changed size while it was read; retry when nothing is writing to the work tree.")
        }
        let id = hasher.finalize()
        if located[id] == nil { located[id] = (path, size) }
        if keep && kept[id] == nil { kept[id] = bytes; keptBytes += size }
        return FileRef(id: id, kind: .regular)
    }

    private func readLink(_ path: RepoPath) throws -> FileRef {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path.absolute(in: root), &buffer, buffer.count - 1)
        guard n >= 0 else { throw RegistryError.io("Cannot read the symbolic link \(path).") }
        let target = Data(buffer[0..<n].map { UInt8(bitPattern: $0) })
        let id = gitBlobID(Array(target))
        kept[id] = target
        return FileRef(id: id, kind: .symlink)
    }

    /// Lookups for link resolution: the scanned tree inside the two roots, the disk (within what git
    /// does not ignore, in a checkout) outside them.
    private func diskLookup() -> CodePackage.Lookup {
        func inRoots(_ p: RepoPath) -> Bool { RepositoryLayout.isInRoots(p) }
        func visible(_ p: RepoPath) -> Bool { listed.map { $0.contains(p) || listedDirectories.contains(p) } ?? true }
        return CodePackage.Lookup(
            file: { [self] path in
                if let ref = tree[path] {
                    guard ref.id == Self.unreadID else { return ref }
                    let read = try readRegular(path)
                    tree.set(path, read)
                    return read
                }
                if inRoots(path) || path.isEmpty || !visible(path) { return nil }
                var info = stat()
                guard lstat(path.absolute(in: root), &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { return nil }
                if path.components.contains(RepoPath(".git")) { return nil }
                try record(path, info)
                return tree[path]
            },
            isDirectory: { [self] path in
                if path.isEmpty { return true }
                if inRoots(path) || path == RepositoryLayout.environmentsRoot { return tree.isDirectory(path) }
                guard visible(path), !path.components.contains(RepoPath(".git")) else { return false }
                var info = stat()
                return lstat(path.absolute(in: root), &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            },
            children: { [self] directory in
                if inRoots(directory) { return Array(tree.children[directory] ?? []) }
                guard let dir = opendir(directory.absolute(in: root)) else { return [] }
                defer { closedir(dir) }
                var out: [RepoPath] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in Array(raw.prefix { $0 != 0 }) }
                    if name == Array(".".utf8) || name == Array("..".utf8) || name == Array(".git".utf8) { continue }
                    let child = directory.appending(RepoPath(bytes: name))
                    if visible(child) { out.append(child) }
                }
                return out
            },
            linkTarget: { [self] _, ref in Array(kept[ref.id] ?? Data()) })
    }

    // MARK: - Contents

    func contents(_ refs: [FileRef], limit: Int) throws -> [Data?] {
        try refs.map { ref -> Data? in
            if let data = kept[ref.id] { return data.count <= limit ? data : nil }
            guard let (_, size) = located[ref.id] else {
                throw RegistryError.io("Internal error: work-tree content \(ref.id) was not read.")
            }
            if size > limit { return nil }
            var out = Data(capacity: size)
            try stream([ref]) { _, _, piece in out.append(piece.bindMemory(to: UInt8.self)) }
            return out
        }
    }

    func stream(_ refs: [FileRef], _ sink: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        for (index, ref) in refs.enumerated() {
            if let data = kept[ref.id] {
                try sink(index, data.count, empty)
                if !data.isEmpty { try data.withUnsafeBytes { try sink(index, data.count, $0) } }
                continue
            }
            guard let (path, size) = located[ref.id] else {
                throw RegistryError.io("Internal error: work-tree content \(ref.id) was not read.")
            }
            // Read again, checking that the bytes are still the ones the id names.
            let fd = Glibc.open(path.absolute(in: root), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw RegistryError.io("Cannot read \(path) again; it changed while fnreg read the work tree.") }
            defer { close(fd) }
            try sink(index, size, empty)
            var hasher = GitBlobHasher(size: size)
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var done = 0
            while done < size {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, size - done)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                try chunk.withUnsafeBytes { raw in
                    let piece = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                    hasher.update(piece)
                    try sink(index, size, piece)
                }
                done += n
            }
            let id = hasher.finalize()
            guard done == size, id == ref.id else {
                throw RegistryError.io("\(path) changed while fnreg read the work tree; retry when nothing is writing to it.")
            }
        }
    }
}
