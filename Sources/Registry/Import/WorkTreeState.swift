import Foundation

/// The state of the files in a work tree, computed and validated as a plain-directory import would
/// read them (in a git checkout, files git ignores are left out), and never stored: what
/// `fnreg validate` checks and what the `worktree` point shows.
public struct WorkTreeState {
    /// The documents a revision of this tree would store, by key.
    let entries: [StateKey: Document]
    /// Everything validation found (errors first once normalised).
    public let diagnostics: [Diagnostic]
    /// The files read, and where their bytes are (for `fnreg package --at worktree`).
    let tree: SourceTree
    let source: ContentSource

    /// Reads and validates the work tree at `root`. `existing`: the functions of the registry's
    /// latest revision (a function not among them counts as new for runtime create-block rules);
    /// nil: every function is new.
    public static func read(root: String, today: String, existing: Set<String>?) throws -> WorkTreeState {
        let fm = FileManager.default
        guard fm.fileExists(atPath: root + "/lambda_functions") || fm.fileExists(atPath: root + "/terraform/environments") else {
            throw RegistryError.notAConfigurationRepository(root)
        }
        let git = try GitRepository.open(containing: root)
        let source = try WorkTreeSource.open(root: git?.root ?? root, git: git)
        let tree = try source.scan()
        let builder = StateBuilder(validator: ConfigValidator(today: today))
        try builder.update(to: tree, source: source)
        let diagnostics = builder.diagnostics(lifecycleDay: today, pending: builder.allPairs, existing: existing)
        return WorkTreeState(entries: builder.entries, diagnostics: diagnostics, tree: tree, source: source)
    }

    /// `fnreg validate`: every rule on the work tree (no database, and git only to leave ignored files out).
    public static func validate(path: String, today: String, existing: Set<String>? = nil) throws -> [Diagnostic] {
        try read(root: path, today: today, existing: existing).diagnostics
    }

    /// The paths where a git work tree differs from commit `head` in what the registry records: a
    /// configuration document or a file below `lambda_functions/` (bytes, kind, or presence), an
    /// environment that exists in one and not the other, or a file a function's link reaches.
    /// Files git ignores never count; fnreg's own exports never count.
    static func changes(git: GitRepository, head: String) throws -> [RepoPath] {
        let source = try WorkTreeSource.open(root: git.root, git: git)
        let disk = try source.scan()
        let committed = try git.tree(head)
        var out = Set<RepoPath>()
        func same(_ a: FileRef?, _ b: FileRef?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            if a.kind == .submodule || b.kind == .submodule { return a.kind == b.kind }
            return a == b
        }
        func counts(_ path: RepoPath) -> Bool {
            if case .environmentFile = RepositoryLayout.classify(path) { return false }
            return true
        }
        for (path, ref) in disk.files where counts(path) && !same(ref, committed[path]) { out.insert(path) }
        for (path, _) in committed.files where RepositoryLayout.isInRoots(path) && counts(path) && disk[path] == nil { out.insert(path) }
        // Files the committed links reach, gone from the work tree.
        let links = committed.files.filter { $0.value.kind == .symlink && $0.key.isWithin(RepositoryLayout.functionsRoot) }.map(\.key)
        if !links.isEmpty {
            var targets: [String: [UInt8]] = [:]
            let lookup = CodePackage.Lookup(
                file: { committed[$0] }, isDirectory: { committed.isDirectory($0) }, children: { Array(committed.children[$0] ?? []) },
                linkTarget: { _, ref in
                    if let t = targets[ref.id] { return t }
                    let t = Array(try git.contents([ref]).first ?? Data())
                    targets[ref.id] = t
                    return t
                })
            for link in links {
                let package = try CodePackage.resolve(directory: link.parent, own: [link], lookup: lookup)
                for path in package.consulted where committed[path] != nil && disk[path] == nil { out.insert(path) }
                for dir in package.expanded { for path in committed.files(below: dir) where disk[path] == nil { out.insert(path) } }
            }
        }
        func environments(_ tree: SourceTree) -> Set<String> { Set(tree.files.keys.compactMap(RepositoryLayout.environment(of:))) }
        for env in environments(disk).symmetricDifference(environments(committed)) {
            out.insert(RepositoryLayout.environmentDirectory(env))
        }
        return out.sorted()
    }
}
