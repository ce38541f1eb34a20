import Foundation

/// The configuration documents of the tree being built: each parsed once per content (blobs an
/// earlier import parsed come from the registry, already canonical), what cannot be a document
/// reported as a finding about it, the runtimes documents name counted, and the line and column of
/// a finding's pointer found once per blob.
final class DocumentCache {
    struct Parsed {
        var value: JSONValue?
        var document: Document?
        var syntaxError: Diagnostic?
    }

    /// Document path -> parse result.
    private(set) var parsed: [RepoPath: Parsed] = [:]
    /// Parsed values by document hash (what layering reads).
    private(set) var values: [DocumentHash: JSONValue] = [:]
    /// How many documents set each runtime: an effective runtime comes from one of them (there is
    /// no default), so lifecycle rules need no per-pair work while no deprecated runtime is named.
    private(set) var runtimeMentions: [String: Int] = [:]

    func parse(_ wanted: [(RepoPath, FileRef)], source: ContentSource, cache: BlobCache?) throws {
        // What cannot be a document is a finding about it, never a refusal of the whole import:
        // `--skip-invalid` skips such a commit like any other invalid one.
        var readable: [(RepoPath, FileRef)] = []
        for (path, ref) in wanted {
            var problem: Diagnostic?
            switch ref.kind {
            case .symlink:
                problem = Diagnostic("DOC-NOT-REGULAR", file: path.description, pointer: .root,
                    message: "this configuration document is a symbolic link; configuration documents must be regular files",
                    fix: "replace the link with the file itself")
            case .submodule, .special:
                problem = Diagnostic("DOC-NOT-REGULAR", file: path.description, pointer: .root,
                    message: "this configuration document is not a regular file (a FIFO, socket, device or submodule); configuration documents must be regular files",
                    fix: "replace it with a regular JSON file")
            case .regular:
                if !path.isValidUTF8 {
                    problem = Diagnostic("DOC-PATH-ENCODING", file: path.description, pointer: .root,
                        message: "the path of this configuration document is not valid UTF-8", fix: "rename it")
                }
            }
            if let problem { set(path, Parsed(value: nil, document: nil, syntaxError: problem)) } else { readable.append((path, ref)) }
        }
        guard !readable.isEmpty else { return }
        // Blobs an earlier import parsed come from the database, already canonical; git reads the rest.
        var missed: [(RepoPath, FileRef)] = []
        if let cache {
            let known = try cache.documents(blobs: readable.map(\.1.id))
            for (path, ref) in readable {
                if let document = known[ref.id] {
                    let value = try JSONParser.parse(document.body)
                    values[document.hash] = value
                    set(path, Parsed(value: value, document: document, syntaxError: nil))
                } else {
                    missed.append((path, ref))
                }
            }
        } else {
            missed = readable
        }
        guard !missed.isEmpty else { return }
        let limit = RepositoryLayout.maximumDocumentBytes
        let contents = try source.contents(missed.map(\.1), limit: limit)
        for ((path, ref), data) in zip(missed, contents) {
            guard let data else {
                set(path, Parsed(value: nil, document: nil, syntaxError: Diagnostic("DOC-TOO-LARGE", file: path.description, pointer: .root,
                    message: "this document is larger than \(limit) bytes; configuration documents are limited to \(limit) bytes",
                    fix: "split the configuration or remove what it does not need")))
                continue
            }
            do {
                let value = try JSONParser.parse(data)
                let document = Document(value)
                values[document.hash] = value
                set(path, Parsed(value: value, document: document, syntaxError: nil))
                cache?.learn(blob: ref.id, document: document.hash)
            } catch let error as JSONSyntaxError {
                var d = Diagnostic("JSON-SYNTAX", file: path.description, pointer: .root, message: "invalid JSON: \(error.message)")
                d.line = error.line
                d.column = error.column
                set(path, Parsed(value: nil, document: nil, syntaxError: d))
            }
        }
    }

    /// Records a document's parse result, counting the runtimes documents name (see `runtimeMentions`).
    func set(_ path: RepoPath, _ new: Parsed?) {
        if let old = parsed[path]?.value?["runtime"]?.stringValue {
            runtimeMentions[old, default: 1] -= 1
            if runtimeMentions[old] == 0 { runtimeMentions[old] = nil }
        }
        if let runtime = new?.value?["runtime"]?.stringValue { runtimeMentions[runtime, default: 0] += 1 }
        parsed[path] = new
    }

    /// Line and column of a pointer in a blob (a finding of an environment.json repeats for every
    /// function of the environment: the file is parsed for positions once per pointer, not per function).
    private var locations: [String: (Int, Int)?] = [:]

    /// Adds line and column to diagnostics (reads the files again; only on the error path).
    func locate(_ diagnostics: [Diagnostic], tree: SourceTree, source: ContentSource) -> [Diagnostic] {
        guard !diagnostics.isEmpty else { return diagnostics }
        var cache: [String: Data] = [:]
        return diagnostics.map { d in
            var d = d
            if d.line != nil { return d }
            guard let ref = tree[RepoPath(d.file)], ref.kind == .regular else { return d }
            let key = ref.id + "\u{0}" + d.pointer.description
            if let known = locations[key] {
                if let (line, column) = known { d.line = line; d.column = column }
                return d
            }
            if cache[d.file] == nil, let data = try? source.contents([ref], limit: RepositoryLayout.maximumDocumentBytes).first ?? nil {
                cache[d.file] = data
            }
            let found = cache[d.file].flatMap { JSONParser.location(of: d.pointer, in: $0) }
            locations[key] = found.map { ($0.line, $0.column) }
            if let (line, column) = found { d.line = line; d.column = column }
            return d
        }
    }
}
