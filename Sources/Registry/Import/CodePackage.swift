import Foundation

/// What a function's deployment package is: the files of its directory other than `function.json`,
/// recursively, where a symbolic link is resolved within the repository and contributes its
/// target's content (a link to a directory contributes that directory's files under the link's
/// path). A link that leaves the repository, dangles or loops, and a submodule or special file, is
/// a problem the package cannot hold. The same definition serves git trees and work trees, so the
/// `code_hash` fnreg records, the zip `fnreg package` builds and the code a rollback restores agree.
struct CodePackage {
    /// One file of the package: its path inside the package and the file whose bytes it carries.
    struct File {
        var path: RepoPath
        var ref: FileRef
    }

    enum Problem: Equatable {
        case escapes(link: RepoPath, target: String)
        case dangling(link: RepoPath, target: String)
        case loop(link: RepoPath)
        case submodule(RepoPath)
        case special(RepoPath)

        var diagnostic: Diagnostic {
            switch self {
            case .escapes(let link, let target):
                return Diagnostic("FN-CODE-LINK-ESCAPES", file: link.description, pointer: .root,
                    message: "this symbolic link leads to \(target), leaving the repository; a package holds only files of the repository",
                    fix: "replace the link with the file itself, or point it at a file inside the repository")
            case .dangling(let link, let target):
                return Diagnostic("FN-CODE-LINK-DANGLING", file: link.description, pointer: .root,
                    message: "this symbolic link points to \(target), which does not exist in the repository",
                    fix: "add the target or remove the link")
            case .loop(let link):
                return Diagnostic("FN-CODE-LINK-LOOP", file: link.description, pointer: .root,
                    message: "this symbolic link loops (it leads back to itself or to a directory that contains it)",
                    fix: "point it at a file or a directory that does not contain the link")
            case .submodule(let path):
                return Diagnostic("FN-CODE-SUBMODULE", file: path.description, pointer: .root,
                    message: "a git submodule inside a function's directory cannot be part of its package (its files are in another repository)",
                    fix: "vendor the files into the repository, or move the submodule out of the function's directory")
            case .special(let path):
                return Diagnostic("FN-CODE-SPECIAL", file: path.description, pointer: .root,
                    message: "this is not a regular file (a FIFO, socket or device) and cannot be packaged",
                    fix: "remove it from the repository")
            }
        }
    }

    /// The files, sorted by their package path (bytes).
    var files: [File] = []
    var problems: [Problem] = []
    /// Paths outside the function's directory whose change can change the package: every path a
    /// link resolution looked at, and (in `expanded`) every directory whose files it took.
    var consulted: Set<RepoPath> = []
    var expanded: Set<RepoPath> = []

    /// What a resolution looks at: the repository's files (any tree) and link targets.
    struct Lookup {
        /// The file at a path (nil: none); a path with files below it is a directory.
        var file: (RepoPath) throws -> FileRef?
        var isDirectory: (RepoPath) throws -> Bool
        /// Every direct child of a directory.
        var children: (RepoPath) throws -> [RepoPath]
        /// A symbolic link's target text.
        var linkTarget: (RepoPath, FileRef) throws -> [UInt8]
    }

    /// The package of the function in `directory`, whose own files (`function.json` excluded) are `own`.
    static func resolve(directory: RepoPath, own: [RepoPath], lookup: Lookup) throws -> CodePackage {
        var package = CodePackage()
        for path in own.sorted() {
            guard let ref = try lookup.file(path) else { continue }
            let relative = path.relative(to: directory)
            try package.add(path, ref, as: relative, function: directory, stack: [], lookup: lookup)
        }
        package.files.sort { $0.path < $1.path }
        package.consulted = package.consulted.filter { !$0.isWithin(directory) }
        package.expanded = package.expanded.filter { !$0.isWithin(directory) }
        return package
    }

    private mutating func add(_ path: RepoPath, _ ref: FileRef, as relative: RepoPath, function: RepoPath,
                              stack: [RepoPath], lookup: Lookup) throws {
        switch ref.kind {
        case .regular:
            files.append(File(path: relative, ref: ref))
        case .submodule:
            problems.append(.submodule(path))
        case .special:
            problems.append(.special(path))
        case .symlink:
            switch try resolveLink(path, ref, lookup: lookup) {
            case .file(let target):
                files.append(File(path: relative, ref: target))
            case .directory(let target):
                // A directory that holds the function (or one being expanded) would contain itself.
                if function.isWithin(target) || stack.contains(where: { $0.isWithin(target) || target.isWithin($0) }) {
                    problems.append(.loop(link: path))
                    return
                }
                expanded.insert(target)
                for child in try lookup.children(target).sorted() {
                    if let childRef = try lookup.file(child) {
                        try add(child, childRef, as: relative.appending(child.name), function: function, stack: stack + [target], lookup: lookup)
                    } else {
                        try addDirectory(child, as: relative.appending(child.name), function: function, stack: stack + [target], lookup: lookup)
                    }
                }
            case .problem(let problem):
                problems.append(problem)
            }
        }
    }

    private mutating func addDirectory(_ directory: RepoPath, as relative: RepoPath, function: RepoPath, stack: [RepoPath], lookup: Lookup) throws {
        for child in try lookup.children(directory).sorted() {
            if let ref = try lookup.file(child) {
                try add(child, ref, as: relative.appending(child.name), function: function, stack: stack, lookup: lookup)
            } else {
                try addDirectory(child, as: relative.appending(child.name), function: function, stack: stack, lookup: lookup)
            }
        }
    }

    private enum Resolution {
        case file(FileRef)
        case directory(RepoPath)
        case problem(Problem)
    }

    /// POSIX path resolution inside the repository: component by component from the link's own
    /// directory, a link met on the way replaced by its target (at most 40 links, as Linux allows),
    /// `..` never above the repository's root, an absolute target always outside it.
    private mutating func resolveLink(_ link: RepoPath, _ ref: FileRef, lookup: Lookup) throws -> Resolution {
        let firstTarget = try lookup.linkTarget(link, ref)
        let shown = RepoPath(bytes: firstTarget).description
        var queue = ArraySlice(firstTarget.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { RepoPath(bytes: $0) })
        if firstTarget.first == UInt8(ascii: "/") { return .problem(.escapes(link: link, target: shown)) }
        var current = link.parent
        var hops = 0
        while let component = queue.popFirst() {
            if component.isEmpty || component == "." { continue }
            if component == ".." {
                if current.isEmpty { return .problem(.escapes(link: link, target: shown)) }
                current = current.parent
                continue
            }
            let candidate = current.appending(component)
            consulted.insert(candidate)
            if let found = try lookup.file(candidate) {
                switch found.kind {
                case .symlink:
                    hops += 1
                    if hops > 40 { return .problem(.loop(link: link)) }
                    let next = try lookup.linkTarget(candidate, found)
                    if next.first == UInt8(ascii: "/") { return .problem(.escapes(link: link, target: shown)) }
                    queue = ArraySlice(next.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { RepoPath(bytes: $0) }) + queue
                case .regular:
                    if queue.contains(where: { !$0.isEmpty && $0 != "." }) { return .problem(.dangling(link: link, target: shown)) }
                    return .file(found)
                case .submodule:
                    return .problem(.submodule(link))
                case .special:
                    return .problem(.special(link))
                }
            } else if try lookup.isDirectory(candidate) {
                current = candidate
            } else {
                return .problem(.dangling(link: link, target: shown))
            }
        }
        return .directory(current)
    }
}

/// `code_hash`: `sha256:` + SHA-256 over a package's files in sorted order of their path (bytes),
/// each contributing `<path bytes> NUL <decimal byte count> NUL <content bytes>`.
enum CodeHash {
    /// Feeds one file's header (path, size); its bytes follow through `update`.
    static func begin(path: RepoPath, size: Int, into hasher: inout SHA256Hasher) {
        hasher.update(path.bytes)
        hasher.update([UInt8(0)])
        hasher.update(String(size))
        hasher.update([UInt8(0)])
    }

    /// The code hash of files given as (relative path, bytes).
    static func of(_ files: [(String, Data)]) -> String {
        of(files.map { (RepoPath($0.0), $0.1) })
    }

    /// The code hash of files given as (relative path as bytes, bytes).
    static func of(_ files: [(RepoPath, Data)]) -> String {
        var hasher = SHA256Hasher()
        for (path, bytes) in files.sorted(by: { $0.0 < $1.0 }) {
            begin(path: path, size: bytes.count, into: &hasher)
            hasher.update(bytes)
        }
        return "sha256:" + hex(hasher.finalize())
    }

    /// The code hash of an empty package.
    static let empty = of([(RepoPath, Data)]())
}
