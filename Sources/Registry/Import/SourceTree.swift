import Foundation

/// One file of a configuration repository: its content id (git's blob id, also for files read from
/// a work tree) and what kind of file it is.
struct FileRef: Hashable {
    enum Kind: Hashable { case regular, symlink, submodule, special }
    var id: String
    var kind: Kind

    init(id: String, kind: Kind) {
        self.id = id
        self.kind = kind
    }
}

extension FileRef.Kind {
    init(gitMode: some StringProtocol) {
        switch gitMode {
        case "100644", "100755", "100664": self = .regular
        case "120000": self = .symlink
        case "160000": self = .submodule
        default: self = .special
        }
    }
}

/// The files of a repository at one source state, by path relative to the configuration root, with
/// an index of directories (a directory exists while a file lies below it, as in git).
struct SourceTree {
    private(set) var files: [RepoPath: FileRef] = [:]
    /// The directory index, built on first use (most trees are never asked) and kept up to date after.
    private var index = DirectoryIndex()

    /// Directory -> the paths of its direct children (files and directories).
    final class DirectoryIndex {
        var children: [RepoPath: Set<RepoPath>]?

        func copy() -> DirectoryIndex {
            let c = DirectoryIndex()
            c.children = children
            return c
        }

        func insert(_ path: RepoPath) {
            var child = path
            while true {
                let parent = child.parent
                if children![parent]?.insert(child).inserted != nil { break }
                children![parent] = [child]
                if parent.isEmpty { break }
                child = parent
            }
        }

        func remove(_ path: RepoPath) {
            var child = path
            while true {
                let parent = child.parent
                children![parent]?.remove(child)
                guard children![parent]?.isEmpty == true, !parent.isEmpty else { break }
                children![parent] = nil
                child = parent
            }
        }
    }

    subscript(path: RepoPath) -> FileRef? { files[path] }

    /// Sets (nil: removes) the file at `path`; returns what was there.
    @discardableResult
    mutating func set(_ path: RepoPath, _ ref: FileRef?) -> FileRef? {
        let old = ref.map { files.updateValue($0, forKey: path) } ?? files.removeValue(forKey: path)
        guard (old == nil) != (ref == nil) else { return old }
        // A copy of the tree shares the index until one of them changes its set of files.
        if !isKnownUniquelyReferenced(&index) { index = index.copy() }
        if index.children != nil { if ref != nil { index.insert(path) } else { index.remove(path) } }
        return old
    }

    /// Every directory's direct children.
    var children: [RepoPath: Set<RepoPath>] {
        if let built = index.children { return built }
        index.children = [:]
        for path in files.keys { index.insert(path) }
        return index.children!
    }

    func isDirectory(_ path: RepoPath) -> Bool { path.isEmpty || children[path] != nil }

    /// Every file below `directory`, in byte order of their paths.
    func files(below directory: RepoPath) -> [RepoPath] {
        var out: [RepoPath] = []
        var stack = [directory]
        while let dir = stack.popLast() {
            for child in children[dir] ?? [] {
                if files[child] != nil { out.append(child) } else { stack.append(child) }
            }
        }
        return out.sorted()
    }

    /// SHA-256 over the files as `<path> NUL <kind> NUL <blob id> LF`, in path order: equal digests,
    /// equal files, so equal stored state (the state is a function of these files alone).
    var digest: String {
        var hasher = SHA256Hasher()
        let separator: [UInt8] = [0], newline: [UInt8] = [0x0A]
        for path in files.keys.sorted() {
            let ref = files[path]!
            let kind: String
            switch ref.kind {
            case .regular: kind = "f"
            case .symlink: kind = "l"
            case .submodule: kind = "s"
            case .special: kind = "x"
            }
            hasher.update(path.bytes)
            hasher.update(separator)
            hasher.update(kind)
            hasher.update(separator)
            hasher.update(ref.id)
            hasher.update(newline)
        }
        return hex(hasher.finalize())
    }
}

/// Where file contents come from: git objects, or a work tree on disk.
protocol ContentSource: AnyObject {
    /// The bytes of each file, in order; nil for one larger than `limit` bytes (it is not read whole).
    func contents(_ refs: [FileRef], limit: Int) throws -> [Data?]
    /// Each file's bytes in order, piece by piece (memory independent of file sizes): `sink(index,
    /// size, piece)` is called once with an empty piece when a file starts, then with its pieces.
    func stream(_ refs: [FileRef], _ sink: (Int, Int, UnsafeRawBufferPointer) throws -> Void) throws
}

extension ContentSource {
    /// Whole contents with no limit (small files only: link targets).
    func contents(_ refs: [FileRef]) throws -> [Data] {
        try contents(refs, limit: Int.max).map { $0 ?? Data() }
    }
}
