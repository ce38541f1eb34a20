import Foundation

/// One file of a configuration repository: its content id (git blob id, or SHA-256 of a work-tree
/// file's bytes) and what kind of file it is.
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
    init(gitMode: String) {
        switch gitMode {
        case "120000": self = .symlink
        case "160000": self = .submodule
        default: self = .regular
        }
    }
}

/// The relevant files of a configuration repository at one source state, by path relative to its root.
struct SourceTree {
    static let roots = ["lambda_functions/", "terraform/environments/"]
    static let environmentsRoot = "terraform/environments/"
    /// Larger JSON documents are refused before they are read whole.
    static let maximumDocumentBytes = 1 << 20

    var files: [String: FileRef] = [:]

    static func isRelevant(_ path: String) -> Bool {
        path.hasPrefix("lambda_functions/") || path.hasPrefix("terraform/environments/")
    }

    /// SHA-256 over the relevant files as `<path> NUL <kind> NUL <blob id> LF`, in path order: equal
    /// digests, equal files, so equal stored state (the state is a function of these files alone).
    var digest: String {
        var hasher = SHA256Hasher()
        let separator: [UInt8] = [0], newline: [UInt8] = [0x0A]
        for path in files.keys.filter(SourceTree.isRelevant).sorted(by: codePointLess) {
            let ref = files[path]!
            let kind: String
            switch ref.kind {
            case .regular: kind = "f"
            case .symlink: kind = "l"
            case .submodule: kind = "s"
            case .special: kind = "x"
            }
            hasher.update(path)
            hasher.update(separator)
            hasher.update(kind)
            hasher.update(separator)
            hasher.update(ref.id)
            hasher.update(newline)
        }
        return hex(hasher.finalize())
    }

    static func isFunctionJSON(_ path: String) -> Bool {
        let bytes = path.utf8
        return bytes.starts(with: "lambda_functions/".utf8) && (bytes.elementsEqual("lambda_functions/function.json".utf8)
            || (bytes.count > 14 && bytes.suffix(14).elementsEqual("/function.json".utf8)))
    }

    /// The path's components below `terraform/environments/`, split on "/" bytes (never on
    /// Characters: a "/" followed by a combining mark is still a separator).
    private static func environmentComponents(_ path: String) -> [String]? {
        let bytes = Array(path.utf8)
        let prefix = Array(environmentsRoot.utf8)
        guard bytes.count > prefix.count, bytes.starts(with: prefix) else { return nil }
        return bytes[prefix.count...].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// For `terraform/environments/<env>/environment.json`: the environment.
    static func environmentPatch(_ path: String) -> String? {
        guard let parts = environmentComponents(path), parts.count == 2, parts[1] == "environment.json", !parts[0].isEmpty else { return nil }
        return parts[0]
    }

    /// For `terraform/environments/<env>/overrides/<function>.json`: (environment, function).
    static func override(_ path: String) -> (String, String)? {
        guard let parts = environmentComponents(path), parts.count == 3, !parts[0].isEmpty, parts[1] == "overrides" else { return nil }
        let file = Array(parts[2].utf8)
        guard file.count > 5, file.suffix(5).elementsEqual(".json".utf8) else { return nil }
        return (parts[0], String(decoding: file.dropLast(5), as: UTF8.self))
    }

    /// For any file below `terraform/environments/<env>/`: the environment it makes exist.
    static func environment(_ path: String) -> String? {
        guard let parts = environmentComponents(path), parts.count >= 2, !parts[0].isEmpty else { return nil }
        return parts[0]
    }

    /// Reviewed false positives of secret detection, per function and JSON Pointer:
    /// `{"secrets": [{"function": "f", "pointer": "/environment_variables/K", "reason": "…"}]}`.
    static let allowedSecretsPath = "lambda_functions/allowed-secrets.json"

    static func isDocument(_ path: String) -> Bool {
        isFunctionJSON(path) || environmentPatch(path) != nil || override(path) != nil || path == allowedSecretsPath
    }
}

/// Where file contents come from: git objects, or bytes read from a work tree.
protocol ContentSource: AnyObject {
    func contents(_ refs: [FileRef]) throws -> [Data]
}

extension GitRepository: ContentSource {
    func contents(_ refs: [FileRef]) throws -> [Data] { try read(refs.map(\.id)) }
}

/// A work tree read from disk: regular files only, symlinks never followed, nothing outside the root.
final class WorkTreeSource: ContentSource {
    let root: String
    private(set) var bytes: [String: Data] = [:]

    init(root: String) { self.root = root }

    func contents(_ refs: [FileRef]) throws -> [Data] {
        try refs.map { ref in
            guard let data = bytes[ref.id] else { throw RegistryError.io("Internal error: work-tree content \(ref.id) was not read.") }
            return data
        }
    }

    /// Scans `lambda_functions/` and `terraform/environments/` below the root.
    func scan() throws -> SourceTree {
        var tree = SourceTree()
        let realRoot = (root as NSString).resolvingSymlinksInPath
        for top in ["lambda_functions", "terraform/environments"] {
            try walk(top, tree: &tree, realRoot: realRoot)
        }
        return tree
    }

    /// Walks with POSIX calls (opendir/readdir's d_type, open/read): tens of thousands of small files
    /// cost a syscall or two each, without Foundation's per-file overhead.
    private func walk(_ relative: String, tree: inout SourceTree, realRoot: String) throws {
        let absolute = root + "/" + relative
        var info = stat()
        guard lstat(absolute, &info) == 0 else { return }
        try visit(relative, type: info.st_mode & S_IFMT, tree: &tree, realRoot: realRoot)
    }

    private func visit(_ relative: String, type: mode_t, tree: inout SourceTree, realRoot: String) throws {
        let absolute = root + "/" + relative
        switch type {
        case S_IFDIR:
            guard let dir = opendir(absolute) else { throw RegistryError.io("Cannot read the directory \(relative); check its permissions.") }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." || name == ".git" { continue }
                let child = relative + "/" + name
                var childType: mode_t
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_DIR): childType = S_IFDIR
                case Int32(DT_REG): childType = S_IFREG
                case Int32(DT_LNK): childType = S_IFLNK
                default:
                    var info = stat()
                    guard lstat(root + "/" + child, &info) == 0 else { continue }
                    childType = info.st_mode & S_IFMT
                }
                try visit(child, type: childType, tree: &tree, realRoot: realRoot)
            }
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: absolute)) ?? ""
            let resolved = ((absolute as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
            let real = (resolved as NSString).resolvingSymlinksInPath
            let standardized = (real as NSString).standardizingPath
            if !(standardized == realRoot || standardized.hasPrefix(realRoot + "/")) || target.hasPrefix("/") && !target.hasPrefix(realRoot) {
                throw RegistryError.refused("\(relative) is a symbolic link leaving the repository (to \(target)); replace it with a regular file.")
            }
            if SourceTree.isDocument(relative) {
                throw RegistryError.refused("\(relative) is a symbolic link; configuration documents must be regular files.")
            }
            // Like git, a symlink contributes its target text, never the file it points to.
            add(relative, Array(target.utf8), kind: .symlink, tree: &tree)
        case S_IFREG:
            let fd = open(absolute, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw RegistryError.io("Cannot read \(relative); check its permissions.") }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
                throw RegistryError.refused("\(relative) is not a regular file (a FIFO, socket or device); remove it from the repository.")
            }
            let size = Int(info.st_size)
            if SourceTree.isDocument(relative) && size > SourceTree.maximumDocumentBytes {
                throw RegistryError.refused("\(relative) is \(size) bytes; configuration documents are limited to \(SourceTree.maximumDocumentBytes) bytes.")
            }
            var bytes = [UInt8](repeating: 0, count: size)
            var done = 0
            while done < size {
                let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
                if n <= 0 { break }
                done += n
            }
            if done < size { bytes.removeLast(size - done) }
            add(relative, bytes, kind: .regular, tree: &tree)
        default:
            let what = type == S_IFIFO ? "a FIFO" : type == S_IFSOCK ? "a socket" : "a device"
            throw RegistryError.refused("\(relative) is not a regular file (\(what)); remove it from the repository.")
        }
    }

    /// Records a file under the id git would give its contents (equal bytes, equal id).
    private func add(_ path: String, _ data: [UInt8], kind: FileRef.Kind, tree: inout SourceTree) {
        let id = gitBlobID(data)
        bytes[id] = Data(data)
        tree.files[path] = FileRef(id: id, kind: kind)
    }
}
