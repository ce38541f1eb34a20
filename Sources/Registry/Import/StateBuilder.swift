import Foundation

/// The logical content of one source state, ready to store, with everything validation found.
struct BuiltState {
    var entries: [StateKey: Document] = [:]
    var diagnostics: [Diagnostic] = []
    /// For each (function, environment): the documents layered, to tell which effective configurations changed.
    var layers: [FunctionInEnvironment: Layers] = [:]
}

struct FunctionInEnvironment: Hashable {
    var function: String
    var environment: String
}

/// The three documents whose layering gives one effective configuration, plus where the base lives.
struct Layers: Hashable {
    var base: DocumentHash
    var basePath: String
    var environment: DocumentHash?
    var override: DocumentHash?

    var content: LayerHashes { LayerHashes(base: base, environment: environment, override: override) }
}

/// The documents layered, without file locations: equal when the effective configuration is.
struct LayerHashes: Hashable {
    var base: DocumentHash
    var environment: DocumentHash?
    var override: DocumentHash?

    /// The layers of every (function, environment) of a stored state.
    static func of(_ hashes: [StateKey: DocumentHash]) -> [FunctionInEnvironment: LayerHashes] {
        var out: [FunctionInEnvironment: LayerHashes] = [:]
        let environments = hashes.keys.filter { $0.kind == .environment }.map(\.environment)
        for (key, base) in hashes where key.kind == .base {
            // Environment "" records that the function existed, even with no environment.
            out[FunctionInEnvironment(function: key.function, environment: "")] = LayerHashes(base: base, environment: nil, override: nil)
            for env in environments {
                out[FunctionInEnvironment(function: key.function, environment: env)] = LayerHashes(
                    base: base, environment: hashes[StateKey(.envpatch, environment: env)],
                    override: hashes[StateKey(.override, environment: env, function: key.function)])
            }
        }
        return out
    }
}

/// Derives the logical state (and its diagnostics) from a source tree, reusing work across
/// successive trees: documents are parsed once per content id, code hashes recomputed only for
/// directories whose files changed, effective configurations validated once per layer combination.
final class StateBuilder {
    let validator: ConfigValidator

    private struct ParsedDocument {
        var value: JSONValue?
        var document: Document?
        var syntaxError: Diagnostic?
    }

    private var parsed: [String: (FileRef, ParsedDocument)] = [:]
    private var baseDiagnostics: [String: (FileRef, [Diagnostic])] = [:]
    private var codeHashes: [String: (fingerprint: [FileRef], relative: [String], hash: String)] = [:]
    private var effectiveDiagnostics: [Layers: [Diagnostic]] = [:]
    private var values: [DocumentHash: JSONValue] = [:]

    init(validator: ConfigValidator) { self.validator = validator }

    /// Builds the state of `tree`; `previous` are the layers of the revision before it (lifecycle rules
    /// apply to effective configurations that are new or changed).
    func build(_ tree: SourceTree, source: ContentSource, previous: [FunctionInEnvironment: LayerHashes]?, lifecycleDay: String?) throws -> BuiltState {
        var state = BuiltState()
        try parseDocuments(tree, source: source)
        let previousFunctions = previous.map { Set($0.keys.map(\.function)) }

        // Functions: every function.json below lambda_functions/.
        var functionDirs: [String: String] = [:]   // dir -> function.json path
        for path in tree.files.keys where SourceTree.isFunctionJSON(path) {
            functionDirs[(path as NSString).deletingLastPathComponent] = path
        }
        var names: [String: String] = [:]          // name -> dir
        var bases: [String: (JSONValue, Document, String)] = [:]  // name -> (normalized value, document, path)
        for (dir, path) in functionDirs.sorted(by: { $0.key < $1.key }) {
            // A function.json inside another function's directory is an error (SPEC §4 "Function discovery").
            var ancestor = (dir as NSString).deletingLastPathComponent
            var nested = false
            while ancestor.count > "lambda_functions".count {
                if let outer = functionDirs[ancestor] {
                    state.diagnostics.append(Diagnostic("FN-NESTED", file: path, pointer: .root,
                        message: "function.json lies inside the directory of another function (\(outer))", fix: "move this function out of \(ancestor)/"))
                    nested = true
                    break
                }
                ancestor = (ancestor as NSString).deletingLastPathComponent
            }
            let (_, doc) = parsed[path]!
            if let error = doc.syntaxError { state.diagnostics.append(error); continue }
            let ref = tree.files[path]!
            if let cached = baseDiagnostics[path], cached.0 == ref {
                state.diagnostics += cached.1
            } else {
                let diagnostics = locate(validator.validate(FunctionSchema.normalizedBase(doc.value!), file: path, lifecycle: .skip), path, tree, source)
                baseDiagnostics[path] = (ref, diagnostics)
                state.diagnostics += diagnostics
            }
            guard !nested, let name = doc.value?["name"]?.stringValue else { continue }
            if let other = names[name] {
                state.diagnostics.append(Diagnostic("FN-DUPLICATE-NAME", file: path, pointer: JSONPointer(["name"]),
                    message: "function name \"\(name)\" is already used by \(other)/function.json", fix: "give one of them another name"))
                continue
            }
            names[name] = dir
            bases[name] = (FunctionSchema.normalizedBase(doc.value!), doc.document!, path)
        }

        // Code hashes, recomputed only where a directory's files changed.
        try computeCodeHashes(tree, functionDirs: Set(functionDirs.keys), source: source)
        for (name, dir) in names {
            state.entries[StateKey(.base, function: name)] = bases[name]!.1
            state.entries[StateKey(.path, function: name)] = Document(.string(dir))
            state.entries[StateKey(.code, function: name)] = Document(.string(codeHashes[dir]!.hash))
        }

        // Environments, their patches and overrides.
        var environments = Set<String>()
        var envPatches: [String: (JSONValue, Document, String)] = [:]
        var overrides: [String: [String: (JSONValue, Document, String)]] = [:]
        for path in tree.files.keys {
            guard let env = SourceTree.environment(path) else { continue }
            environments.insert(env)
            if SourceTree.environmentPatch(path) != nil {
                if let patch = try patchDocument(path, state: &state) {
                    if patch.0["name"] != nil {
                        state.diagnostics.append(Diagnostic("ENV-NAME", file: path, pointer: JSONPointer(["name"]),
                            message: "environment.json applies to every function and may not set \"name\"", fix: "remove \"name\""))
                    }
                    envPatches[env] = patch
                }
            } else if let (_, function) = SourceTree.override(path) {
                guard let patch = try patchDocument(path, state: &state) else { continue }
                if let base = bases[function] {
                    if let n = patch.0["name"], n != .string(function) || base.0["name"] != n {
                        state.diagnostics.append(Diagnostic("OV-NAME", file: path, pointer: JSONPointer(["name"]),
                            message: "an override may not change the function's name (\"\(function)\")", fix: "remove \"name\" from the override"))
                    }
                    overrides[env, default: [:]][function] = patch
                } else {
                    let suggestion = closestMatch(function, in: Array(names.keys))
                    state.diagnostics.append(Diagnostic("OV-UNKNOWN-FUNCTION", file: path, pointer: .root,
                        message: "this override names no existing function \"\(function)\"",
                        fix: suggestion.map { "did you mean overrides/\($0).json?" } ?? "remove it or add the function"))
                }
            }
        }
        for env in environments {
            state.entries[StateKey(.environment, environment: env)] = Document(.bool(true))
            if let p = envPatches[env] { state.entries[StateKey(.envpatch, environment: env)] = p.1 }
            for (function, o) in overrides[env] ?? [:] { state.entries[StateKey(.override, environment: env, function: function)] = o.1 }
        }

        // Effective configurations of every function in every environment.
        for env in environments.sorted() {
            let envPatch = envPatches[env]
            for (name, base) in bases {
                let override = overrides[env]?[name]
                let layers = Layers(base: base.1.hash, basePath: base.2, environment: envPatch?.1.hash, override: override?.1.hash)
                let key = FunctionInEnvironment(function: name, environment: env)
                state.layers[key] = layers
                let changed = previous?[key] != layers.content
                if envPatch == nil && override == nil && lifecycleDay == nil { continue }
                if let cached = effectiveDiagnostics[layers], !(changed && lifecycleDay != nil) {
                    state.diagnostics += cached
                    continue
                }
                let effective = Layering.effective(base: base.0, environmentPatch: envPatch?.0, override: override?.0)
                var diagnostics: [Diagnostic] = []
                if envPatch != nil || override != nil {
                    if let cached = effectiveDiagnostics[layers] {
                        diagnostics = cached
                    } else {
                        let found = validator.validate(effective, file: base.2, lifecycle: .skip)
                        diagnostics = attribute(found, base: base, environment: envPatch, override: override, tree: tree, source: source)
                        effectiveDiagnostics[layers] = diagnostics
                    }
                }
                if let day = lifecycleDay, changed {
                    var v = validator
                    v.today = day
                    let isNew = previousFunctions.map { !$0.contains(name) } ?? true
                    let runtime = v.validate(effective, file: base.2, lifecycle: isNew ? .newFunction : .existingFunction)
                        .filter { $0.rule.hasPrefix("FN-RUNTIME-") && $0.rule != "FN-RUNTIME-UNKNOWN" }
                    diagnostics += attribute(runtime, base: base, environment: envPatch, override: override, tree: tree, source: source)
                }
                state.diagnostics += diagnostics
            }
        }
        // With no environment at all, lifecycle rules still apply to the base configurations.
        if environments.isEmpty, let day = lifecycleDay {
            var v = validator
            v.today = day
            for (name, base) in bases {
                let isNew = previousFunctions.map { !$0.contains(name) } ?? true
                state.diagnostics += locate(v.validate(base.0, file: base.2, lifecycle: isNew ? .newFunction : .existingFunction)
                    .filter { $0.rule.hasPrefix("FN-RUNTIME-") && $0.rule != "FN-RUNTIME-UNKNOWN" }, base.2, tree, source)
            }
        }
        state.diagnostics = state.diagnostics.normalized()
        return state
    }

    // MARK: - Documents

    private func parseDocuments(_ tree: SourceTree, source: ContentSource) throws {
        var wanted: [(String, FileRef)] = []
        for (path, ref) in tree.files where SourceTree.isDocument(path) {
            if let cached = parsed[path], cached.0 == ref { continue }
            if ref.kind == .symlink || ref.kind == .submodule {
                throw RegistryError.refused("\(path) is a symbolic link; configuration documents must be regular files.")
            }
            wanted.append((path, ref))
        }
        guard !wanted.isEmpty else { return }
        let contents = try source.contents(wanted.map(\.1))
        for ((path, ref), data) in zip(wanted, contents) {
            if data.count > SourceTree.maximumDocumentBytes {
                throw RegistryError.refused("\(path) is \(data.count) bytes; configuration documents are limited to \(SourceTree.maximumDocumentBytes) bytes.")
            }
            do {
                let value = try JSONParser.parse(data)
                let document = Document(value)
                values[document.hash] = value
                parsed[path] = (ref, ParsedDocument(value: value, document: document, syntaxError: nil))
            } catch let error as JSONSyntaxError {
                var d = Diagnostic("JSON-SYNTAX", file: path, pointer: .root, message: "invalid JSON: \(error.message)", fix: nil)
                d.line = error.line
                d.column = error.column
                parsed[path] = (ref, ParsedDocument(value: nil, document: nil, syntaxError: d))
            }
        }
    }

    private func patchDocument(_ path: String, state: inout BuiltState) throws -> (JSONValue, Document, String)? {
        guard let (_, doc) = parsed[path] else { return nil }
        if let error = doc.syntaxError { state.diagnostics.append(error); return nil }
        guard case .object(var o) = doc.value! else {
            state.diagnostics.append(Diagnostic("PATCH-TYPE", file: path, pointer: .root,
                message: "a merge patch must be a JSON object, found \(doc.value!.typeDescription)", fix: "wrap the fields in { }"))
            return nil
        }
        o[FunctionSchema.schemaKey] = nil
        return (.object(o), doc.document!, path)
    }

    /// Adds line and column to diagnostics of `path`.
    private func locate(_ diagnostics: [Diagnostic], _ path: String, _ tree: SourceTree, _ source: ContentSource) -> [Diagnostic] {
        guard !diagnostics.isEmpty, let ref = tree.files[path], let data = try? source.contents([ref]).first else { return diagnostics }
        return diagnostics.map { d in
            var d = d
            if let (line, column) = JSONParser.location(of: d.pointer, in: data) { d.line = line; d.column = column }
            return d
        }
    }

    /// Effective-configuration diagnostics point at the layer that set the offending value.
    private func attribute(_ diagnostics: [Diagnostic], base: (JSONValue, Document, String), environment: (JSONValue, Document, String)?,
                           override: (JSONValue, Document, String)?, tree: SourceTree, source: ContentSource) -> [Diagnostic] {
        func sets(_ patch: JSONValue?, _ pointer: JSONPointer) -> Bool {
            guard let patch else { return false }
            var p = pointer
            while !p.tokens.isEmpty {
                if patch.value(at: p) != nil { return true }
                p = p.parent
            }
            return false
        }
        var out: [Diagnostic] = []
        for d in diagnostics {
            var d = d
            if sets(override?.0, d.pointer) { d.file = override!.2 }
            else if sets(environment?.0, d.pointer) { d.file = environment!.2 }
            else if !d.rule.hasPrefix("FN-RUNTIME-") {
                // Reported with the base document already, unless the layering made it (e.g. CORS
                // allowed_methods no longer covering methods an override added).
                let known = baseDiagnostics[base.2]?.1 ?? []
                if known.contains(where: { $0.rule == d.rule && $0.pointer == d.pointer }) { continue }
                d.file = override?.2 ?? environment?.2 ?? base.2
            }
            out += locate([d], d.file, tree, source)
        }
        return out
    }

    // MARK: - Code hashes

    private func computeCodeHashes(_ tree: SourceTree, functionDirs: Set<String>, source: ContentSource) throws {
        var filesByDir: [String: [(String, FileRef)]] = [:]
        var ownerOfParent: [String: String?] = [:]
        for dir in functionDirs { filesByDir[dir] = [] }
        for (path, ref) in tree.files where path.hasPrefix("lambda_functions/") && !SourceTree.isFunctionJSON(path) {
            let parent = (path as NSString).deletingLastPathComponent
            let owner: String?
            if let cached = ownerOfParent[parent] {
                owner = cached
            } else {
                var d = parent
                var found: String?
                while d.count >= "lambda_functions".count {
                    if functionDirs.contains(d) { found = d; break }
                    d = (d as NSString).deletingLastPathComponent
                }
                ownerOfParent[parent] = found
                owner = found
            }
            if let owner { filesByDir[owner]!.append((String(path.dropFirst(owner.count + 1)), ref)) }
        }
        var stale: [(String, [(String, FileRef)])] = []
        for (dir, files) in filesByDir {
            let sorted = files.sorted { codePointLess($0.0, $1.0) }
            if let cached = codeHashes[dir], cached.fingerprint == sorted.map(\.1), cached.relative == sorted.map(\.0) { continue }
            stale.append((dir, sorted))
        }
        guard !stale.isEmpty else { return }
        let refs = stale.flatMap { $0.1.map(\.1) }
        let contents = try source.contents(refs)
        var offset = 0
        for (dir, files) in stale {
            var hasher = SHA256Hasher()
            for (relative, _) in files {
                let data = contents[offset]
                offset += 1
                CodeHash.add(path: relative, bytes: data, to: &hasher)
            }
            codeHashes[dir] = (files.map(\.1), files.map(\.0), "sha256:" + hex(hasher.finalize()))
        }
    }
}

/// `code_hash`: SHA-256 over a function directory's files other than `function.json`, in sorted
/// path order, each contributing `<relative path> NUL <byte count> NUL <bytes>`.
public enum CodeHash {
    static func add(path: String, bytes: Data, to hasher: inout SHA256Hasher) {
        hasher.update(path)
        hasher.update([UInt8(0)])
        hasher.update(String(bytes.count))
        hasher.update([UInt8(0)])
        hasher.update(bytes)
    }

    /// The code hash of files given as (relative path, bytes).
    public static func of(_ files: [(String, Data)]) -> String {
        var hasher = SHA256Hasher()
        for (path, bytes) in files.sorted(by: { codePointLess($0.0, $1.0) }) { add(path: path, bytes: bytes, to: &hasher) }
        return "sha256:" + hex(hasher.finalize())
    }
}

/// SPEC §3: effective(f, e) = fill_defaults(merge_patch(merge_patch(base(f), environment_patch(e)), override(e, f))).
public enum Layering {
    public static func effective(base: JSONValue, environmentPatch: JSONValue?, override: JSONValue?) -> JSONValue {
        var value = FunctionSchema.normalizedBase(base)
        if let e = environmentPatch { value = MergePatch.apply(e, to: value) }
        if let o = override { value = MergePatch.apply(o, to: value) }
        if case .object(var o) = value { o[FunctionSchema.schemaKey] = nil; value = .object(o) }
        return FunctionSchema.fillDefaults(value)
    }
}
