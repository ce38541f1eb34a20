import Foundation

/// Which files make up each function's deployment package, and its code_hash, kept incrementally:
/// a file belongs to the nearest enclosing function directory; symbolic links are resolved within
/// the repository (`CodePackage`), and the paths a package's links looked at are watched, so a
/// change there changes the package. A directory is hashed again only when its files change.
final class CodeIndex {
    private var owner: [RepoPath: RepoPath] = [:]               // code file path -> function dir
    private var filesOf: [RepoPath: Set<RepoPath>] = [:]        // function dir -> code file paths
    private var codeHash: [RepoPath: String] = [:]              // function dir -> code_hash
    /// Function dir -> what its package cannot hold (escaping links, submodules, ...), non-empty only.
    private var codeProblems: [RepoPath: [Diagnostic]] = [:]
    /// Paths outside a function's directory that its package's links looked at (exactly, or every
    /// file below a directory they took).
    private var watchedExactly: [RepoPath: Set<RepoPath>] = [:]  // path -> function dirs
    private var watchedBelow: [RepoPath: Set<RepoPath>] = [:]    // directory -> function dirs
    private var watching: [RepoPath: (exact: Set<RepoPath>, below: Set<RepoPath>)] = [:]  // function dir -> its watches
    /// Symbolic links' target texts by blob id.
    private var linkTargets: [String: [UInt8]] = [:]

    /// The code_hash of a function directory, once computed.
    func hash(of dir: RepoPath) -> String? { codeHash[dir] }

    /// What the packages of `dirs` cannot hold.
    func problems(of dirs: Set<RepoPath>) -> [Diagnostic] {
        codeProblems.filter { dirs.contains($0.key) }.flatMap(\.value)
    }

    /// Adds the function directories whose packages' links reach `path`.
    func collectWatchers(of path: RepoPath, into dirs: inout Set<RepoPath>) {
        guard !watchedExactly.isEmpty || !watchedBelow.isEmpty else { return }
        dirs.formUnion(watchedExactly[path] ?? [])
        dirs.formUnion(watchedBelow[path] ?? [])
        for ancestor in path.ancestors { dirs.formUnion(watchedBelow[ancestor] ?? []) }
    }

    /// The set of function directories changed: every file's owner again. Returns the directories
    /// whose files changed (or that have no hash yet).
    func reassign(tree: SourceTree, functionDirectories: Set<RepoPath>, owner owningDirectory: (RepoPath) -> RepoPath?) -> Set<RepoPath> {
        var dirty = Set<RepoPath>()
        let oldFiles = filesOf
        owner.removeAll(keepingCapacity: true)
        filesOf = Dictionary(uniqueKeysWithValues: functionDirectories.map { ($0, Set<RepoPath>()) })
        for path in tree.files.keys where path.isWithin(RepositoryLayout.functionsRoot) && RepositoryLayout.classify(path) != .functionJSON {
            if let dir = owningDirectory(path) { owner[path] = dir; filesOf[dir]!.insert(path) }
        }
        for dir in Set(oldFiles.keys).union(filesOf.keys) where oldFiles[dir] != filesOf[dir] { dirty.insert(dir) }
        for dir in functionDirectories where codeHash[dir] == nil { dirty.insert(dir) }
        for dir in codeHash.keys where !functionDirectories.contains(dir) { codeHash[dir] = nil; codeProblems[dir] = nil; unwatch(dir) }
        return dirty
    }

    /// A code file was added, changed or removed: the directory whose package changed, if any.
    func fileChanged(_ path: RepoPath, exists: Bool, owner owningDirectory: (RepoPath) -> RepoPath?) -> RepoPath? {
        if let previous = owner[path] {
            if !exists { owner[path] = nil; filesOf[previous]?.remove(path) }
            return previous
        }
        guard exists, let dir = owningDirectory(path) else { return nil }
        owner[path] = dir
        filesOf[dir, default: []].insert(path)
        return dir
    }

    /// The lookups a package resolution makes in the current tree.
    private func lookup(_ tree: SourceTree, _ source: ContentSource) -> CodePackage.Lookup {
        CodePackage.Lookup(
            file: { tree[$0] },
            isDirectory: { tree.isDirectory($0) },
            children: { Array(tree.children[$0] ?? []) },
            linkTarget: { [unowned self] _, ref in
                if let known = linkTargets[ref.id] { return known }
                let text = Array(try source.contents([ref]).first ?? Data())
                linkTargets[ref.id] = text
                return text
            })
    }

    private func unwatch(_ dir: RepoPath) {
        guard let old = watching.removeValue(forKey: dir) else { return }
        for p in old.exact { watchedExactly[p]?.remove(dir); if watchedExactly[p]?.isEmpty == true { watchedExactly[p] = nil } }
        for p in old.below { watchedBelow[p]?.remove(dir); if watchedBelow[p]?.isEmpty == true { watchedBelow[p] = nil } }
    }

    /// The package of each directory (links resolved) and its code hash: from the cache when the
    /// same files were hashed before, else by streaming the files' bytes (never held whole).
    func computeHashes(_ dirs: Set<RepoPath>, tree: SourceTree, source: ContentSource, cache: BlobCache?) throws {
        guard !dirs.isEmpty else { return }
        var listed: [(RepoPath, [CodePackage.File], listing: String?)] = []
        let lookup = self.lookup(tree, source)
        for dir in dirs {
            let own = Array(filesOf[dir] ?? [])
            let files: [CodePackage.File]
            if own.contains(where: { tree[$0]?.kind != .regular }) || watching[dir] != nil {
                let package = try CodePackage.resolve(directory: dir, own: own, lookup: lookup)
                unwatch(dir)
                if !package.consulted.isEmpty || !package.expanded.isEmpty {
                    watching[dir] = (package.consulted, package.expanded)
                    for p in package.consulted { watchedExactly[p, default: []].insert(dir) }
                    for p in package.expanded { watchedBelow[p, default: []].insert(dir) }
                }
                codeProblems[dir] = package.problems.isEmpty ? nil : package.problems.map(\.diagnostic)
                files = package.files
            } else {
                codeProblems[dir] = nil
                files = own.map { CodePackage.File(path: $0.relative(to: dir), ref: tree[$0]!) }.sorted { $0.path < $1.path }
            }
            listed.append((dir, files, cache == nil ? nil : BlobCache.listing(files)))
        }
        // A directory whose files an earlier import hashed needs no reading.
        let known = try cache?.codeHashes(listings: listed.compactMap(\.listing)) ?? [:]
        var plan: [(RepoPath, [CodePackage.File], listing: String?)] = []
        for entry in listed {
            if let listing = entry.listing, let hash = known[listing] { codeHash[entry.0] = hash } else { plan.append(entry) }
        }
        guard !plan.isEmpty else { return }
        // One stream for every file of every directory to hash, in order: each file's header goes
        // in when it starts, its bytes as they arrive.
        let refs = plan.flatMap { $0.1.map(\.ref) }
        var owners: [(dir: Int, file: Int)] = []
        for (d, entry) in plan.enumerated() { for f in entry.1.indices { owners.append((d, f)) } }
        var hashers: [SHA256Hasher?] = Array(repeating: nil, count: plan.count)
        var finished = 0
        func finish(_ d: Int) {
            let hash = "sha256:" + hex((hashers[d] ?? SHA256Hasher()).finalize())
            hashers[d] = nil
            codeHash[plan[d].0] = hash
            if let listing = plan[d].listing { cache?.learn(listing: listing, codeHash: hash) }
        }
        try source.stream(refs) { index, size, piece in
            let (d, f) = owners[index]
            if piece.isEmpty {
                // Directories before this one are complete (the stream goes in order).
                while finished < d { finish(finished); finished += 1 }
                if hashers[d] == nil { hashers[d] = SHA256Hasher() }
                CodeHash.begin(path: plan[d].1[f].path, size: size, into: &hashers[d]!)
            } else {
                hashers[d]!.update(piece)
            }
        }
        while finished < plan.count { finish(finished); finished += 1 }
    }
}
