import Foundation

/// A function in an environment: the unit of an effective configuration.
struct FunctionInEnvironment: Hashable {
    var function: String
    var environment: String

    /// Environments are few: the function name and the environment's length spread pairs well
    /// enough, at half the cost of hashing both strings (this hash runs for every pair on every change).
    func hash(into hasher: inout Hasher) {
        hasher.combine(function)
        hasher.combine(environment.utf8.count)
    }
}

/// The documents whose layering gives one effective configuration, plus where the base lives
/// (diagnostics name that file).
struct Layers: Hashable {
    var base: DocumentHash
    var basePath: RepoPath
    var environment: DocumentHash?
    var override: DocumentHash?
}

/// Derives the logical state of a configuration repository (the documents to store, by key) and
/// everything validation finds, incrementally: each change of files costs work proportional to what
/// it touches. Documents are parsed once per content, a function directory's `code_hash` is
/// recomputed only when its files change, an effective configuration is validated only when one of
/// its layers changes (and once per distinct combination of layers).
final class StateBuilder {
    private(set) var validator: ConfigValidator

    /// The logical state: what a revision of this tree stores.
    private(set) var entries: [StateKey: Document] = [:]
    private(set) var tree = SourceTree()

    /// A function's base configuration (a class: the per-pair loops only retain it).
    private final class Base {
        let value: JSONValue
        let object: JSONObject
        let document: Document
        /// The function.json file, and its path as diagnostics show it.
        let file: RepoPath
        let path: String

        init(value: JSONValue, document: Document, file: RepoPath) {
            self.value = value
            self.object = value.objectValue ?? JSONObject()
            self.document = document
            self.file = file
            self.path = file.description
        }
    }

    /// The largest environment.json (canonical bytes): it is copied into every function's configuration.
    static let environmentPatchLimit = 64 << 10

    /// Every document parsed once per content, and where findings lie in them.
    private let documents = DocumentCache()
    private var parsed: [RepoPath: DocumentCache.Parsed] { documents.parsed }
    private var values: [DocumentHash: JSONValue] { documents.values }
    private var runtimeMentions: [String: Int] { documents.runtimeMentions }

    // Functions.
    private var functionDirs: [RepoPath: RepoPath] = [:]        // function dir -> function.json path
    private var nested: [RepoPath: Diagnostic] = [:]            // function dir -> FN-NESTED diagnostic
    private var baseDiagnostics: [RepoPath: [Diagnostic]] = [:] // function.json path -> diagnostics (non-empty only)
    private var claimedName: [RepoPath: String] = [:]           // function dir -> the name it claims
    private var nameOwners: [String: [RepoPath]] = [:]          // name -> claiming dirs, sorted (first wins)
    private var bases: [String: Base] = [:]                      // name -> winner's base
    /// Which files make up each function's package, and its code_hash.
    private let code = CodeIndex()
    /// Paths with "." or ".." components (crafted trees), non-empty only.
    private var pathProblems: [RepoPath: Diagnostic] = [:]
    // Environments.
    private var environmentFiles: [String: Int] = [:]           // env -> number of files below it
    private var patchDiagnostics: [RepoPath: [Diagnostic]] = [:] // environment.json / override path -> diagnostics
    private var overridePaths: [String: Set<String>] = [:]      // function name -> envs with an override file for it
    // Effective configurations.
    private var pairLayers: [FunctionInEnvironment: Layers] = [:]
    private var pairDiagnostics: [FunctionInEnvironment: [Diagnostic]] = [:]  // non-empty only
    /// What each pair publishes on its environment's REST API, and the findings about it.
    private let deploymentRules = DeploymentRules()

    /// Documents and code hashes earlier imports derived from git blobs (nil: read everything).
    var cache: BlobCache?

    init(validator: ConfigValidator, cache: BlobCache? = nil) {
        self.validator = validator
        self.cache = cache
    }

    /// The stored state at the latest revision: its documents passed validation when they were
    /// imported, so an identical base (same name, directory and content) or an identical combination
    /// of layers is not validated again. Cross-file and lifecycle rules always run.
    private var trusted: [StateKey: DocumentHash] = [:]
    private var trustedLayers: [FunctionInEnvironment: LayerHashes] = [:]

    private var trustedValidation: String?
    private var loadedOnce = false

    /// Trusts what `written` holds when it was validated under `validation` (the same rules and
    /// allow-list as this tree's: see `validationMarker`); anything else is validated afresh.
    func trust(_ written: WrittenState, validation: String?) {
        trusted = written.hashes
        trustedLayers = written.layerHashes()
        trustedValidation = validation
    }

    /// The rules and the secrets allow-list this tree is validated under: a document stored under
    /// the same marker passed the same checks. (The allow-list's blob id names its content.)
    var validationMarker: String {
        "rules \(ConfigValidator.rulesVersion); allow-list \(tree[RepositoryLayout.allowedSecretsPath]?.id ?? "none")"
    }

    // MARK: - Changes

    /// Moves to `newTree` (diffing it against the current tree); returns the keys whose documents may have changed.
    @discardableResult
    func update(to newTree: SourceTree, source: ContentSource) throws -> Set<StateKey> {
        var changes: [(RepoPath, FileRef?)] = []
        for (path, ref) in newTree.files where tree[path] != ref { changes.append((path, ref)) }
        for path in tree.files.keys where newTree[path] == nil { changes.append((path, nil)) }
        return try apply(changes, source: source)
    }

    /// Applies changed files (nil: deleted); returns the keys whose documents may have changed.
    @discardableResult
    func apply(_ changes: [(RepoPath, FileRef?)], source: ContentSource) throws -> Set<StateKey> {
        lastSource = source
        var touched = Set<StateKey>()
        var changedDocuments: [(RepoPath, FileRef)] = []
        var changedFunctionJSON = Set<RepoPath>()   // dirs whose function.json changed
        var functionSetChanged = false
        var changedCode: [RepoPath] = []
        var changedEnvironments = Set<String>()      // existence may have changed
        var changedPatches = Set<String>()           // envs whose environment.json changed
        var changedOverrides: [(String, String)] = []
        var allowListChanged = false
        var linkedDirs = Set<RepoPath>()             // function dirs whose links reach a changed path

        for (path, ref) in changes {
            let old = tree[path]
            if old == ref { continue }
            tree.set(path, ref)
            code.collectWatchers(of: path, into: &linkedDirs)
            let kind = RepositoryLayout.classify(path)
            if kind == .other { continue }
            // A crafted tree can hold "." or ".." entries (git would never check them out): refused.
            if path.hasDotComponent {
                pathProblems[path] = ref == nil ? nil : Diagnostic("DOC-PATH-COMPONENT", file: path.description, pointer: .root,
                    message: "this path has a \".\" or \"..\" component, which no checkout can hold (a crafted git tree)",
                    fix: "remove the entry from the repository's history")
            }
            if let env = RepositoryLayout.environment(of: path) {
                // The environment exists while any file lies below it: only the first file added and
                // the last one removed change that.
                if old == nil {
                    environmentFiles[env, default: 0] += 1
                    if environmentFiles[env] == 1 { changedEnvironments.insert(env) }
                }
                if ref == nil {
                    environmentFiles[env, default: 1] -= 1
                    if environmentFiles[env] == 0 { environmentFiles[env] = nil; changedEnvironments.insert(env) }
                }
            }
            if RepositoryLayout.isDocument(path) {
                if let ref { changedDocuments.append((path, ref)) } else { setParsed(path, nil) }
            }
            switch kind {
            case .functionJSON:
                let dir = path.parent
                changedFunctionJSON.insert(dir)
                if old == nil || ref == nil { functionSetChanged = true }
                if ref == nil { functionDirs[dir] = nil; baseDiagnostics[path] = nil } else { functionDirs[dir] = path }
            case .code, .allowList:
                if kind == .allowList { allowListChanged = true }
                changedCode.append(path)
            case .environmentPatch(let env):
                changedPatches.insert(env)
            case .override(let env, let function):
                changedOverrides.append((env, function))
                if ref == nil { overridePaths[function]?.remove(env) } else { overridePaths[function, default: []].insert(env) }
            default:
                break
            }
        }
        try parse(changedDocuments, source: source)
        if allowListChanged { try loadAllowedSecrets() }
        let trustLost = !trusted.isEmpty && trustedValidation != validationMarker
        let firstLoad = !loadedOnce
        loadedOnce = true
        if trustLost || (allowListChanged && !firstLoad) {
            // Every configuration is judged again under the new allow-list.
            trusted = [:]
            trustedLayers = [:]
            // Marking every directory changed re-validates every base in the names pass below.
            for dir in functionDirs.keys { changedFunctionJSON.insert(dir) }
            pairLayers.removeAll()
            for name in bases.keys { for env in environmentFiles.keys { forcedPairs.insert(FunctionInEnvironment(function: name, environment: env)) } }
        }

        // Which function directories own which code files; a changed set of functions re-derives it all.
        var dirtyDirs = linkedDirs
        var affectedDirs = changedFunctionJSON
        if functionSetChanged {
            let oldNested = Set(nested.keys)
            recomputeNesting()
            affectedDirs.formUnion(oldNested.symmetricDifference(nested.keys))
            dirtyDirs.formUnion(code.reassign(tree: tree, functionDirectories: Set(functionDirs.keys), owner: owningDirectory))
        }
        for path in changedCode {
            if let dir = code.fileChanged(path, exists: tree[path] != nil, owner: owningDirectory) { dirtyDirs.insert(dir) }
        }
        dirtyDirs = dirtyDirs.filter { functionDirs[$0] != nil }
        try code.computeHashes(dirtyDirs, tree: tree, source: source, cache: cache)
        affectedDirs.formUnion(dirtyDirs)

        // Names: which directory claims which name; the first claimant (by path) wins, others are duplicates.
        var affectedNames = Set<String>()
        for dir in affectedDirs {
            if let old = claimedName[dir] {
                affectedNames.insert(old)
                nameOwners[old]?.removeAll { $0 == dir }
                if nameOwners[old]?.isEmpty == true { nameOwners[old] = nil }
                claimedName[dir] = nil
            }
            guard let path = functionDirs[dir] else { continue }
            if changedFunctionJSON.contains(dir) { validateBase(path, source: source) }
            guard nested[dir] == nil, let value = parsed[path]?.value, let name = value["name"]?.stringValue else { continue }
            claimedName[dir] = name
            nameOwners[name, default: []].append(dir)
            nameOwners[name]!.sort()
            affectedNames.insert(name)
        }
        let namesBefore = bases.count
        var namesChanged = false
        for name in affectedNames {
            for key in [StateKey(.base, function: name), StateKey(.path, function: name), StateKey(.code, function: name)] {
                entries[key] = nil
                touched.insert(key)
            }
            guard let dir = nameOwners[name]?.first, let path = functionDirs[dir], let p = parsed[path], let value = p.value else {
                if bases.removeValue(forKey: name) != nil { namesChanged = true }
                continue
            }
            if bases[name] == nil { namesChanged = true }
            if bases[name]?.document.hash != p.document!.hash { changedPairs.insert(FunctionInEnvironment(function: name, environment: "")) }
            bases[name] = Base(value: FunctionSchema.normalizedBase(value), document: p.document!, file: path)
            entries[StateKey(.base, function: name)] = p.document!
            entries[StateKey(.path, function: name)] = Document(.string(dir.description))
            entries[StateKey(.code, function: name)] = Document(.string(code.hash(of: dir) ?? CodeHash.empty))
        }

        // A lambda authorizer's target may have come or gone: every API is checked again.
        if namesChanged || namesBefore != bases.count { deploymentRules.functionsChanged() }

        // Environments, environment.json and overrides.
        for env in changedEnvironments {
            let key = StateKey(.environment, environment: env)
            entries[key] = environmentFiles[env] != nil ? Document(.bool(true)) : nil
            touched.insert(key)
        }
        for env in changedPatches {
            let path = RepositoryLayout.environmentDirectory(env).appending(RepositoryLayout.environmentPatchName)
            let key = StateKey(.envpatch, environment: env)
            entries[key] = nil
            touched.insert(key)
            var diagnostics: [Diagnostic] = []
            if let patch = patchDocument(path, diagnostics: &diagnostics) {
                if patch.value["name"] != nil {
                    diagnostics.append(Diagnostic("ENV-NAME", file: path.description, pointer: JSONPointer(["name"]),
                        message: "environment.json applies to every function and may not set \"name\"", fix: "remove \"name\""))
                }
                // Copied into every function of the environment: its size multiplies by their number.
                if patch.document.body.utf8.count > Self.environmentPatchLimit {
                    diagnostics.append(Diagnostic("ENV-SIZE", file: path.description, pointer: .root,
                        message: "environment.json is \(patch.document.body.utf8.count) bytes (as canonical JSON); it is applied to every function of the environment and is limited to \(Self.environmentPatchLimit) bytes",
                        fix: "move function-specific settings to overrides/<function>.json"))
                }
                diagnostics += locate(validator.documentSecrets(patch.value, file: path.description, function: nil), source)
                entries[key] = patch.document
            }
            patchDiagnostics[path] = diagnostics.isEmpty ? nil : diagnostics
        }
        var overridesToCheck = Set(changedOverrides.map { FunctionInEnvironment(function: $0.1, environment: $0.0) })
        for name in affectedNames {
            for env in overridePaths[name] ?? [] { overridesToCheck.insert(FunctionInEnvironment(function: name, environment: env)) }
        }
        for pair in overridesToCheck {
            let path = RepoPath(RepositoryLayout.path(for: StateKey(.override, environment: pair.environment, function: pair.function)))
            let key = StateKey(.override, environment: pair.environment, function: pair.function)
            entries[key] = nil
            touched.insert(key)
            guard tree[path] != nil else { patchDiagnostics[path] = nil; continue }
            var diagnostics: [Diagnostic] = []
            if let patch = patchDocument(path, diagnostics: &diagnostics) {
                // Scanned on its own too: a value the effective configuration does not show (or no
                // effective configuration at all) is still stored.
                diagnostics += locate(validator.documentSecrets(patch.value, file: path.description, function: pair.function), source)
                if let base = bases[pair.function] {
                    if let n = patch.value["name"], n != .string(pair.function) || base.value["name"] != n {
                        diagnostics.append(Diagnostic("OV-NAME", file: path.description, pointer: JSONPointer(["name"]),
                            message: "an override may not change the function's name (\"\(pair.function)\")", fix: "remove \"name\" from the override"))
                    }
                    entries[key] = patch.document
                } else {
                    let suggestion = closestMatch(pair.function, in: Array(bases.keys))
                    diagnostics.append(Diagnostic("OV-UNKNOWN-FUNCTION", file: path.description, pointer: .root,
                        message: "this override names no existing function \"\(pair.function)\"",
                        fix: suggestion.map { "did you mean overrides/\($0).json?" } ?? "remove it or add the function"))
                }
            }
            patchDiagnostics[path] = diagnostics.isEmpty ? nil : diagnostics
        }

        // Effective configurations whose layers may have changed.
        var pairs = Set<FunctionInEnvironment>()
        let environments = Array(environmentFiles.keys)
        for name in affectedNames { for env in environments { pairs.insert(FunctionInEnvironment(function: name, environment: env)) } }
        for env in changedEnvironments {
            for name in bases.keys { pairs.insert(FunctionInEnvironment(function: name, environment: env)) }
            if environmentFiles[env] == nil { for pair in pairLayers.keys where pair.environment == env { pairs.insert(pair) } }
        }
        for pair in overridesToCheck { pairs.insert(pair) }
        pairs.formUnion(forcedPairs)
        forcedPairs.removeAll()
        for pair in pairs { evaluate(pair, source: source) }
        // An environment.json change touches every function of the environment, but only in the
        // fields the patch changed: those are re-checked, the rest of each pair's findings stand.
        for env in changedPatches.subtracting(changedEnvironments) where environmentFiles[env] != nil {
            evaluatePatchChange(environment: env, source: source)
        }
        // A finding kept from before may point into a file rewritten since (same content, other layout).
        if !pairDiagnostics.isEmpty && !changedDocuments.isEmpty {
            let rewritten = Set(changedDocuments.map(\.0.description))
            for (pair, found) in pairDiagnostics where found.contains(where: { rewritten.contains($0.file) }) {
                pairDiagnostics[pair] = locate(found.map { d in
                    var d = d
                    if rewritten.contains(d.file) { d.line = nil; d.column = nil }
                    return d
                }, source)
            }
        }
        return touched
    }

    // MARK: - Diagnostics

    /// Everything the current tree's validation found; with `lifecycle`, runtime lifecycle rules are
    /// applied at that day to `pending` effective configurations (new or changed since the last
    /// stored revision; computed only when some document names a deprecated runtime), treating
    /// functions not in `existing` as new.
    func diagnostics(lifecycleDay: String?, pending: @autoclosure () -> Set<FunctionInEnvironment>, existing: Set<String>?) -> [Diagnostic] {
        var out: [Diagnostic] = allowListDiagnostics
        out += pathProblems.values
        out += nested.values
        for (_, d) in baseDiagnostics { out += d }
        out += code.problems(of: Set(functionDirs.keys))
        for env in environmentFiles.keys where !RepositoryLayout.isValidEnvironmentName(env) {
            out.append(Diagnostic("ENV-DIRECTORY-NAME", file: RepositoryLayout.environmentDirectory(env).description + "/", pointer: .root,
                message: "\"\(env)\" is not a valid environment name (letters, digits, '_', '.' and '-', starting with a letter or digit)",
                fix: "rename the directory"))
        }
        for (name, dirs) in nameOwners where dirs.count > 1 {
            for dir in dirs.dropFirst() {
                out.append(Diagnostic("FN-DUPLICATE-NAME", file: functionDirs[dir]!.description, pointer: JSONPointer(["name"]),
                    message: "function name \(Redaction.quoted(name)) is already used by \(dirs[0])/function.json", fix: "give one of them another name"))
            }
        }
        for (_, d) in patchDiagnostics { out += d }
        for (_, d) in pairDiagnostics { out += d }
        out += deploymentDiagnostics()
        // Only runtimes past their deprecation date can produce a lifecycle finding.
        if let day = lifecycleDay, case let deprecated = Set(LambdaLimits.lifecycle.filter { day >= $0.value.deprecated }.keys),
           runtimeMentions.keys.contains(where: deprecated.contains) {
            var v = validator
            v.today = day
            // With no environment at all, the rules still apply to base configurations.
            let baseOnly = environmentFiles.isEmpty
            var seen = Set<String>()
            for candidate in pending() {
                let pair: FunctionInEnvironment
                if baseOnly {
                    guard seen.insert(candidate.function).inserted else { continue }
                    pair = FunctionInEnvironment(function: candidate.function, environment: "")
                } else {
                    guard !candidate.environment.isEmpty, environmentFiles[candidate.environment] != nil else { continue }
                    pair = candidate
                }
                // Only the runtime matters: find it without merging the whole configuration.
                guard let runtime = effectiveRuntime(pair), deprecated.contains(runtime), let base = bases[pair.function] else { continue }
                let isNew = existing.map { !$0.contains(pair.function) } ?? true
                let found = v.lifecycle(["runtime": .string(runtime)], file: base.path, isNew: isNew)
                out += attribute(found, pair: pair, source: lastSource)
            }
        }
        return out.normalized()
    }

    /// Every (function, environment) of the current state.
    var allPairs: Set<FunctionInEnvironment> {
        var out = Set(pairLayers.keys)
        if environmentFiles.isEmpty { for name in bases.keys { out.insert(FunctionInEnvironment(function: name, environment: "")) } }
        return out
    }

    var functionNames: Set<String> { Set(bases.keys) }

    /// The layers of a pair as stored documents ("" environment: the base alone).
    func layerHashes(_ pair: FunctionInEnvironment) -> LayerHashes? {
        guard let base = bases[pair.function] else { return nil }
        if pair.environment.isEmpty { return LayerHashes(base: base.document.hash, environment: nil, override: nil) }
        guard let l = layers(pair) else { return nil }
        return LayerHashes(base: l.base, environment: l.environment, override: l.override)
    }

    // MARK: - Effective configurations

    private func layers(_ pair: FunctionInEnvironment) -> Layers? {
        guard environmentFiles[pair.environment] != nil, let base = bases[pair.function] else { return nil }
        return Layers(base: base.document.hash, basePath: base.file,
                      environment: entries[StateKey(.envpatch, environment: pair.environment)]?.hash,
                      override: entries[StateKey(.override, environment: pair.environment, function: pair.function)]?.hash)
    }

    private func patchValue(_ hash: DocumentHash?) -> JSONValue? {
        guard let hash, let value = values[hash], value.objectValue != nil else { return nil }
        return LayerStack.withoutSchemaKey(value)
    }

    /// A pair's layers as stored documents (the base normalised already).
    private func stack(_ pair: FunctionInEnvironment) -> LayerStack? {
        guard let base = bases[pair.function] else { return nil }
        if pair.environment.isEmpty { return LayerStack(normalizedBase: base.value, environmentPatch: nil, override: nil) }
        let envPatch = entries[StateKey(.envpatch, environment: pair.environment)].flatMap { values[$0.hash] }
        let override = overridePaths[pair.function]?.contains(pair.environment) == true
            ? entries[StateKey(.override, environment: pair.environment, function: pair.function)].flatMap { values[$0.hash] } : nil
        return LayerStack(normalizedBase: base.value, environmentPatch: envPatch, override: override)
    }

    /// The effective runtime (RFC 7396 on one field: the last layer that sets or deletes it wins).
    private func effectiveRuntime(_ pair: FunctionInEnvironment) -> String? {
        stack(pair)?.field("runtime")?.stringValue
    }

    /// Marks a (function, environment) whose layers may have changed and re-validates it when they did.
    private func evaluate(_ pair: FunctionInEnvironment, source: ContentSource) {
        guard let l = layers(pair) else {
            pairLayers[pair] = nil
            pairDiagnostics[pair] = nil
            setRoute(nil, for: pair)
            return
        }
        if pairLayers[pair] == l { return }
        pairLayers[pair] = l
        setRoute(route(pair, l), for: pair)
        changedPairs.insert(pair)
        guard l.environment != nil || l.override != nil,
              trustedLayers[pair] != LayerHashes(base: l.base, environment: l.environment, override: l.override) else {
            pairDiagnostics[pair] = nil
            return
        }
        let envPatch = patchValue(l.environment)?.objectValue, override = patchValue(l.override)?.objectValue
        let fields = Array(Set((envPatch?.keys ?? []) + (override?.keys ?? [])))
        let (partial, changed) = Self.layered(fields, LayerStack(normalizedBase: bases[pair.function]!.value, environmentPatch: envPatch.map(JSONValue.object), override: override.map(JSONValue.object)))
        let found = changed.isEmpty ? [] : validateFields(changed, partial, pair: pair, base: l.base, basePath: l.basePath.description,
                                                          environment: l.environment, envPatch: envPatch, override: l.override, overridePatch: override)
        let diagnostics = found.isEmpty ? [] : attribute(found, pair: pair, source: source)
        pairDiagnostics[pair] = diagnostics.isEmpty ? nil : diagnostics
    }

    /// The effective values of `fields`, and of name, runtime and handler (which other rules read), by
    /// RFC 7396 per top-level key and then the default; and which of `fields` the layering changed from
    /// the base. Only those need checking: the base's own values were checked with the base, and
    /// defaults are valid.
    private static func layered(_ fields: [String], _ stack: LayerStack) -> (partial: JSONObject, changed: Set<String>) {
        var partial = JSONObject()
        var changed = Set<String>()
        for key in fields + fields.flatMap(FunctionSchema.related) + ["name", "runtime", "handler"] where partial[key] == nil && key != FunctionSchema.schemaKey {
            let value = stack.fieldWithDefault(key)
            partial[key] = value
            if fields.contains(key) && value != stack.base[key] && (value == nil || value != FunctionSchema.defaultValue(key)) { changed.insert(key) }
        }
        return (partial, changed)
    }

    /// Findings of one field by the documents its value comes from: the same value gives the same
    /// findings, so an environment.json that replaces a field for every function is validated once,
    /// not once per function (a 9,000-statement policy on 2,000 functions is one check, not 2,000).
    private var fieldMemo: [String: [Diagnostic]] = [:]

    /// The rules about `fields` of a pair's layered configuration `partial` (the base's own values
    /// were checked with the base). The secrets allow-list, which is per function, is applied after.
    private func validateFields(_ fields: Set<String>, _ partial: JSONObject, pair: FunctionInEnvironment, base: DocumentHash, basePath: String,
                                environment: DocumentHash?, envPatch: JSONObject?, override: DocumentHash?, overridePatch: JSONObject?) -> [Diagnostic] {
        // Which documents a field's value comes from, in layering order (RFC 7396: a non-object
        // value, or null, replaces all that came before; an object merges into it).
        func sources(_ field: String) -> String {
            var parts = bases[pair.function]?.object[field] != nil ? ["b" + base.description] : []
            for (tag, hash, patch) in [("e", environment, envPatch), ("o", override, overridePatch)] {
                guard let hash, let value = patch?[field] else { continue }
                if value.objectValue == nil { parts = [] }
                parts.append(tag + hash.description)
            }
            return parts.joined(separator: ",")
        }
        var unfiltered = validator
        unfiltered.allowedSecrets = []
        var out: [Diagnostic] = []
        for field in fields {
            // The handler's rule reads the runtime (and runs with it): their sources go together.
            let related = FunctionSchema.related(field)
            let key = field + "|" + related.map(sources).joined(separator: "|")
            let findings: [Diagnostic]
            if let known = fieldMemo[key] {
                findings = known
            } else {
                findings = unfiltered.validate(.object(partial), file: basePath, lifecycle: .skip, only: [field])
                fieldMemo[key] = findings
            }
            for var d in findings {
                d.file = basePath
                if d.rule == "FN-SECRET" && validator.allowedSecrets.contains(pair.function + " " + d.pointer.description) { continue }
                out.append(d)
            }
        }
        return out
    }

    /// What changed between an environment's old and new patch, and how to re-check it per function.
    private struct PatchPlan {
        /// Top-level fields the two patches set differently (findings about them are replaced).
        let fields: Set<String>
        /// `environment_variables` / `tags` set by the new patch as an object of plain values: their
        /// members are checked here, once (findings not yet filtered by the per-function allow-list).
        let memberwise: [(field: String, patch: JSONObject, findings: [Diagnostic])]
        /// The other changed fields, checked per function by the validator.
        let others: [String]
    }

    private func plan(old: JSONObject?, new: JSONObject?, file: String) -> PatchPlan {
        let fields = LayerStack.changedFields(from: old, to: new)
        var memberwise: [(field: String, patch: JSONObject, findings: [Diagnostic])] = []
        var others: [String] = []
        for field in fields.sorted() {
            if ConfigValidator.memberwiseFields.contains(field), case .object(let patch)? = new?[field],
               patch.allSatisfy({ $0.value.objectValue == nil }) {
                let members = JSONObject(sortedUnique: patch.filter { !$0.value.isNull })
                memberwise.append((field, patch, validator.memberFindings(field: field, members, file: file)))
            } else {
                others.append(field)
            }
        }
        return PatchPlan(fields: fields, memberwise: memberwise, others: others)
    }

    /// Re-evaluates every pair of `env` after its environment.json changed (and nothing else about
    /// the pair did; other pairs go through `evaluate`). Only the top-level fields that differ between
    /// the old and the new patch can change validity: the same result as `evaluate`, which re-checks
    /// every patched field, at a fraction of the cost for the common one-variable edit.
    private func evaluatePatchChange(environment env: String, source: ContentSource) {
        let envHash = entries[StateKey(.envpatch, environment: env)]?.hash
        let envPatch = patchValue(envHash)?.objectValue
        var plans: [DocumentHash?: PatchPlan] = [:]
        changedPairs.reserveCapacity(changedPairs.count + bases.count)
        for (name, base) in bases {
            let pair = FunctionInEnvironment(function: name, environment: env)
            let overrideHash = overridePaths[name]?.contains(env) == true
                ? entries[StateKey(.override, environment: env, function: name)]?.hash : nil
            let l = Layers(base: base.document.hash, basePath: base.file, environment: envHash, override: overrideHash)
            guard let old = pairLayers.updateValue(l, forKey: pair) else {
                pairLayers[pair] = nil
                evaluate(pair, source: source)
                continue
            }
            if old == l { continue }
            guard old.base == l.base, old.basePath == l.basePath, old.override == l.override else {
                pairLayers[pair] = old
                evaluate(pair, source: source)
                continue
            }
            changedPairs.insert(pair)
            let plan: PatchPlan
            if let known = plans[old.environment] {
                plan = known
            } else {
                plan = self.plan(old: patchValue(old.environment)?.objectValue, new: envPatch, file: base.path)
                plans[old.environment] = plan
            }
            // The route (and the file that sets it) changes only when the patch's `api` does.
            if plan.fields.contains("api") { setRoute(route(pair, l), for: pair) }
            if (l.environment == nil && l.override == nil)
                || (!trustedLayers.isEmpty && trustedLayers[pair] == LayerHashes(base: l.base, environment: l.environment, override: l.override)) {
                pairDiagnostics[pair] = nil
                continue
            }
            if plan.fields.isEmpty { continue }
            recheck(pair, plan: plan, base: base, envPatch: envPatch, override: patchValue(l.override)?.objectValue, source: source)
        }
    }



    /// Re-checks the fields `plan` names in a pair's effective configuration, keeping its findings
    /// about other fields. A field counts only where the layering changed it from the base (the
    /// base's own values were checked with the base, and defaults are valid).
    private func recheck(_ pair: FunctionInEnvironment, plan: PatchPlan, base: Base,
                         envPatch: JSONObject?, override: JSONObject?, source: ContentSource) {
        let baseObject = base.object
        var found: [Diagnostic] = []
        var others = plan.others
        for m in plan.memberwise {
            let baseValue = baseObject[m.field]
            guard override?[m.field] == nil, baseValue == nil || baseValue?.objectValue != nil else { others.append(m.field); continue }
            let merged = LayerStack(normalizedBase: base.value, environmentPatch: .object(JSONObject([(m.field, .object(m.patch))])), override: nil).field(m.field)
            guard merged != baseValue, merged != FunctionSchema.defaultValue(m.field), case .object(let members)? = merged else { continue }
            for d in m.findings where d.rule != "FN-SECRET" || !validator.allowedSecrets.contains(pair.function + " " + d.pointer.description) {
                found.append(d)
            }
            for d in validator.aggregateFindings(field: m.field, members, file: base.path)
            where d.rule != "FN-SECRET" || !validator.allowedSecrets.contains(pair.function + " " + d.pointer.description) {
                found.append(d)
            }
        }
        if !others.isEmpty {
            let (partial, changed) = Self.layered(others, LayerStack(normalizedBase: base.value, environmentPatch: envPatch.map(JSONValue.object), override: override.map(JSONValue.object)))
            if !changed.isEmpty {
                let overrideHash = overridePaths[pair.function]?.contains(pair.environment) == true
                    ? entries[StateKey(.override, environment: pair.environment, function: pair.function)]?.hash : nil
                found += validateFields(changed, partial, pair: pair, base: base.document.hash, basePath: base.path,
                                        environment: entries[StateKey(.envpatch, environment: pair.environment)]?.hash, envPatch: envPatch,
                                        override: overrideHash, overridePatch: override)
            }
        }
        let fresh = found.isEmpty ? [] : attribute(found, pair: pair, source: source)
        var diagnostics = pairDiagnostics[pair] ?? []
        if !diagnostics.isEmpty { diagnostics.removeAll { $0.pointer.tokens.first.map(plan.fields.contains) ?? true } }
        diagnostics += fresh
        pairDiagnostics[pair] = diagnostics.isEmpty ? nil : diagnostics
    }

    /// Pairs whose layers changed since `takeChangedPairs()` was last called.
    private var changedPairs = Set<FunctionInEnvironment>()
    private var forcedPairs = Set<FunctionInEnvironment>()
    /// Diagnostics about the allow-list file itself.
    private var allowListDiagnostics: [Diagnostic] = []

    private func loadAllowedSecrets() throws {
        let path = RepositoryLayout.allowedSecretsPath
        let list = tree[path] != nil ? parsed[path].map { SecretsAllowList(path: path, value: $0.value, syntaxError: $0.syntaxError) } : nil
        allowListDiagnostics = list?.diagnostics ?? []
        validator.allowedSecrets = list?.allowed ?? []
    }

    private weak var lastSource: ContentSource?

    func takeChangedPairs() -> Set<FunctionInEnvironment> {
        defer { changedPairs.removeAll() }
        return changedPairs
    }

    /// Effective-configuration diagnostics point at the layer that set the offending value.
    private func attribute(_ diagnostics: [Diagnostic], pair: FunctionInEnvironment, source: ContentSource?) -> [Diagnostic] {
        guard let base = bases[pair.function] else { return [] }
        let envPath = RepositoryLayout.path(for: StateKey(.envpatch, environment: pair.environment))
        let overridePath = RepositoryLayout.path(for: StateKey(.override, environment: pair.environment, function: pair.function))
        guard let stack = stack(pair) else { return [] }
        var out: [Diagnostic] = []
        for d in diagnostics {
            var d = d
            // The layer that set the offending value (a member an object patch did not name comes
            // from the layer below).
            let origin = d.pointer.tokens.isEmpty ? .base : stack.origin(of: d.pointer).layer
            if origin == .override { d.file = overridePath }
            else if origin == .environment { d.file = envPath }
            else if !d.rule.hasPrefix("FN-RUNTIME-") {
                // Reported with the base document already, unless the layering made it (e.g. CORS
                // allowed_methods no longer covering methods an override added).
                let known = baseDiagnostics[base.file] ?? []
                if known.contains(where: { $0.rule == d.rule && $0.pointer == d.pointer }) { continue }
                d.file = stack.override != nil ? overridePath : stack.environmentPatch != nil ? envPath : base.path
            }
            out.append(d)
        }
        return source.map { locate(out, $0) } ?? out
    }

    // MARK: - What the environments deploy

    /// The effective `api` of a pair (RFC 7396 on one field), nil without one. Read from the stored
    /// documents directly: this runs for every pair whose layers change.
    private func route(_ pair: FunctionInEnvironment, _ l: Layers) -> DeploymentRules.Route? {
        guard let base = bases[pair.function] else { return nil }
        let stack = LayerStack(normalizedBase: base.value, environmentPatch: l.environment.flatMap { values[$0] }, override: l.override.flatMap { values[$0] })
        guard case .object(let o)? = stack.field("api"), let path = o["path"]?.stringValue else { return nil }
        // The document that sets the effective `api`: the last layer that does.
        let file = stack.override?["api"] != nil ? RepositoryLayout.path(for: StateKey(.override, environment: pair.environment, function: pair.function))
            : stack.environmentPatch?["api"] != nil ? RepositoryLayout.path(for: StateKey(.envpatch, environment: pair.environment)) : base.path
        let methods = o["methods"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let cors = o["cors"].map { !$0.isNull } ?? false
        let authorizerFunction = o["authorizer"]?.stringValue == "lambda" ? o["authorizer_function"]?.stringValue : nil
        return DeploymentRules.Route(type: o["type"]?.stringValue ?? "rest", path: path, methods: methods, cors: cors, authorizerFunction: authorizerFunction, file: file)
    }

    private func setRoute(_ route: DeploymentRules.Route?, for pair: FunctionInEnvironment) {
        deploymentRules.set(route, for: pair)
    }

    private func deploymentDiagnostics() -> [Diagnostic] {
        let environments = environmentFiles.keys.filter(RepositoryLayout.isValidEnvironmentName).sorted(by: codePointLess)
        let out = deploymentRules.diagnostics(environments: environments, functions: bases.mapValues(\.path))
        return lastSource.map { locate(out, $0) } ?? out
    }

    // MARK: - Documents

    private func parse(_ wanted: [(RepoPath, FileRef)], source: ContentSource) throws {
        try documents.parse(wanted, source: source, cache: cache)
    }

    private func setParsed(_ path: RepoPath, _ new: DocumentCache.Parsed?) { documents.set(path, new) }

    private func validateBase(_ path: RepoPath, source: ContentSource) {
        guard let p = parsed[path] else { baseDiagnostics[path] = nil; return }
        if let error = p.syntaxError { baseDiagnostics[path] = [error]; return }
        if let name = p.value?["name"]?.stringValue, trusted[StateKey(.base, function: name)] == p.document!.hash,
           trusted[StateKey(.path, function: name)] == Document(.string(path.parent.description)).hash {
            baseDiagnostics[path] = nil
            return
        }
        let found = locate(validator.validate(FunctionSchema.normalizedBase(p.value!), file: path.description, lifecycle: .skip), source)
        baseDiagnostics[path] = found.isEmpty ? nil : found
    }

    private func patchDocument(_ path: RepoPath, diagnostics: inout [Diagnostic]) -> (value: JSONValue, document: Document)? {
        guard let p = parsed[path] else { return nil }
        if let error = p.syntaxError { diagnostics.append(error); return nil }
        guard case .object(var o) = p.value! else {
            diagnostics.append(Diagnostic("PATCH-TYPE", file: path.description, pointer: .root,
                message: "a merge patch must be a JSON object, found \(p.value!.typeDescription)", fix: "wrap the fields in { }"))
            return nil
        }
        o[FunctionSchema.schemaKey] = nil
        return (.object(o), p.document!)
    }

    /// Adds line and column to diagnostics (reads the files again; only on the error path).
    private func locate(_ diagnostics: [Diagnostic], _ source: ContentSource) -> [Diagnostic] {
        documents.locate(diagnostics, tree: tree, source: source)
    }

    // MARK: - Functions and code

    /// A function.json inside another function's directory is an error.
    private func recomputeNesting() {
        nested.removeAll()
        for (dir, path) in functionDirs {
            for ancestor in dir.ancestors where ancestor.isWithin(RepositoryLayout.functionsRoot) && ancestor != RepositoryLayout.functionsRoot {
                if let outer = functionDirs[ancestor] {
                    nested[dir] = Diagnostic("FN-NESTED", file: path.description, pointer: .root,
                        message: "function.json lies inside the directory of another function (\(outer))", fix: "move this function out of \(ancestor)/")
                    break
                }
            }
        }
    }

    private func owningDirectory(_ path: RepoPath) -> RepoPath? {
        for dir in path.ancestors where dir.isWithin(RepositoryLayout.functionsRoot) {
            if functionDirs[dir] != nil { return dir }
        }
        return nil
    }
}

/// The path without its last component ("" for a single component); pure Swift, no NSString bridging.
@inline(__always)
func parentPath(_ path: String) -> String {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    return String(path[..<slash])
}
