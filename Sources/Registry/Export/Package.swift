import Foundation

/// What `fnreg package` built.
public struct PackageResult: Sendable {
    /// The function packaged.
    public var function: String
    /// The `code_hash` of the files in the zip: the one `export json` shows at that point.
    public var codeHash: String
    /// Where the zip was written.
    public var path: String
    /// How many files it holds.
    public var files: Int
    /// Total bytes of the files (uncompressed).
    public var bytes: Int
    /// The revision the package was built from (a preview for the work tree).
    public var revision: Revision

    /// The result as `fnreg package --format json` prints it.
    public var json: JSONValue {
        ["function": .string(function), "code_hash": .string(codeHash), "path": .string(path), "files": .number(Double(files)),
         "bytes": .number(Double(bytes)), "revision": revision.isPreview ? .null : .number(Double(revision.number)),
         "commit": revision.commit.map { .string($0) } ?? .null]
    }
}

extension Registry {
    /// Builds `function`'s deployment package at `point` (default HEAD, or the work tree) as a
    /// reproducible zip at `path`: exactly the files its `code_hash` covers (links resolved within
    /// the repository), in the order the hash takes them. The hash of what was written must equal
    /// the recorded `code_hash`, or nothing is written.
    public func package(function: String, at point: String?, to path: String) throws -> PackageResult {
        let source: ContentSource
        let tree: SourceTree
        let directory: RepoPath
        let expected: String
        let revision: Revision
        switch try target(point) {
        case .worktree:
            let state = try workTree()
            guard let dir = state.entries[StateKey(.path, function: function)], let dirText = try JSONParser.parse(dir.body).stringValue,
                  let code = state.entries[StateKey(.code, function: function)], let hash = try JSONParser.parse(code.body).stringValue else {
                throw RegistryError.unknownFunction(function, known: state.entries.keys.filter { $0.kind == .base }.map(\.function).sorted(by: codePointLess))
            }
            source = state.source
            tree = state.tree
            directory = RepoPath(dirText)
            expected = hash
            revision = Revision.preview(at: Int64(Date().timeIntervalSince1970))
        case .revision(let r):
            let state = try storage.state(at: r.number, environment: "", function: function)
            guard let dir = state[StateKey(.path, function: function)].flatMap({ try? JSONParser.parse($0).stringValue }),
                  let hash = state[StateKey(.code, function: function)].flatMap({ try? JSONParser.parse($0).stringValue }) else {
                throw RegistryError.unknownFunction(function, known: try functionNames(at: r.number))
            }
            guard let commit = r.commit else {
                throw RegistryError.refused("Revision \(r.number) was recorded from a plain directory, whose files the registry does not keep; build the package of the files at hand with --at worktree.")
            }
            guard let git = workspace?.git, try git.hasCommit(commit) else {
                throw RegistryError.refused("Revision \(r.number) is commit \(commit.prefix(12)); run fnreg package inside a clone of the repository that has it.")
            }
            source = git
            tree = try git.tree(commit)
            directory = RepoPath(dir)
            expected = hash
            revision = r
        }
        let own = tree.files(below: directory).filter { $0 != directory.appending(RepositoryLayout.functionFileName) }
        var targets: [String: [UInt8]] = [:]
        let package = try CodePackage.resolve(directory: directory, own: own, lookup: CodePackage.Lookup(
            file: { tree[$0] }, isDirectory: { tree.isDirectory($0) }, children: { Array(tree.children[$0] ?? []) },
            linkTarget: { _, ref in
                if let t = targets[ref.id] { return t }
                let t = Array(try source.contents([ref]).first ?? Data())
                targets[ref.id] = t
                return t
            }))
        if let problem = package.problems.first {
            throw RegistryError.invalidConfiguration(package.problems.map(\.diagnostic) + [problem.diagnostic])
        }
        var hasher = SHA256Hasher()
        var total = 0
        try AtomicFile.write(to: path) { fd in
            var zip = ZipWriter(fd: fd, path: path)
            for file in package.files {
                try zip.add(name: file.path.bytes) { feed in
                    try source.stream([file.ref]) { _, size, piece in
                        if piece.isEmpty {
                            CodeHash.begin(path: file.path, size: size, into: &hasher)
                            total += size
                        } else {
                            hasher.update(piece)
                            try feed(piece)
                        }
                    }
                }
            }
            try zip.finish()
            let built = "sha256:" + hex(hasher.finalize())
            guard built == expected else {
                throw RegistryError.corrupt("The files of \(function) give \(built), not the recorded code_hash \(expected); nothing was written. Run fnreg doctor.")
            }
        }
        return PackageResult(function: function, codeHash: expected, path: path, files: package.files.count, bytes: total, revision: revision)
    }
}
