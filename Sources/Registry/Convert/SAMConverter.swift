import Foundation

/// Turns the functions of a SAM or CloudFormation template (`AWS::Serverless::Function`, with
/// the template's `Globals`, and `AWS::Lambda::Function`) into `function.json` documents, carrying
/// over what the format can express and naming, per function, every value it could not.
public enum SAMConverter {
    /// One function of the template, converted.
    public struct Function: Sendable {
        /// The resource's logical ID in the template.
        public let logicalID: String
        /// The function's name in the registry (`FunctionName` when it is a valid name, else the logical ID).
        public let name: String
        /// The `function.json` members in the format's order.
        public let members: [(String, JSONValue)]
        /// Where its code comes from.
        public let code: Code
        /// Every value of the template the document does not carry, with why.
        public let notCarried: [Loss]

        /// The document as a JSON value.
        public var document: JSONValue { .object(JSONObject(members)) }

        /// The `function.json` text: the format's member order, two-space indent.
        public var text: String { SAMConverter.text(members) }
    }

    /// A value of the template that the converted function does not carry.
    public struct Loss: Sendable, Equatable {
        /// The value's JSON Pointer in the template, e.g. `/Resources/Orders/Properties/KmsKeyArn`.
        public let pointer: String
        /// Why it is not carried, in words.
        public let reason: String
    }

    /// Where a converted function's code is.
    public enum Code: Sendable, Equatable {
        /// A directory of the template's own (`CodeUri`), copied beside the function.json.
        case directory(String)
        /// Source written in the template (`InlineCode`, `Code.ZipFile`): a file name and its text.
        case inline(file: String, text: String)
        /// Some files of a directory (`root`), by their paths relative to it, copied keeping those paths.
        case files(root: String, paths: [String])
        /// Nowhere this machine can read (an S3 object, an image): add the code by hand.
        case none(String)
    }

    /// What a template held: its converted functions, and the function resources it could not convert.
    public struct Conversion: Sendable {
        public let functions: [Function]
        /// Function resources not converted at all, with why (e.g. container images).
        public let skipped: [Loss]
    }

    /// Converts the functions of `template`.
    public static func convert(_ template: Template) -> Conversion {
        var converter = TemplateConverter(template: template)
        return converter.run()
    }

    /// Writes each function's `function.json` (and its code) to `OUT/lambda_functions/<name>/`.
    /// Refuses, writing nothing, when any of those directories already exists. Returns the paths written.
    public static func write(_ conversion: Conversion, to out: String, templateDirectory: String) throws -> [String] {
        let fm = FileManager.default
        var seen: Set<String> = []
        for f in conversion.functions {
            guard seen.insert(f.name).inserted else {
                throw RegistryError.refused("Two functions of the template would both be named \(f.name); give one of them another FunctionName.")
            }
            let directory = out + "/lambda_functions/" + f.name
            if fm.fileExists(atPath: directory) {
                throw RegistryError.refused("\(directory) already exists; convert into another directory (--out) or remove it. Nothing was written.")
            }
        }
        var written: [String] = []
        for f in conversion.functions {
            let directory = out + "/lambda_functions/" + f.name
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw RegistryError.output("Cannot create \(directory): \(error.localizedDescription)")
            }
            switch f.code {
            case .directory(let source):
                written += try copyCode(from: source, to: directory)
            case .inline(let file, let text):
                try AtomicFile.write(Array(text.utf8), to: directory + "/" + file)
                written.append(directory + "/" + file)
            case .files(let root, let paths):
                for relative in paths {
                    guard let data = fm.contents(atPath: root + "/" + relative) else { continue }
                    let to = directory + "/" + relative
                    try? fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                    try AtomicFile.write([UInt8](data), to: to)
                    written.append(to)
                }
            case .none:
                break
            }
            try AtomicFile.write(Array(f.text.utf8), to: directory + "/function.json")
            written.append(directory + "/function.json")
        }
        return written
    }

    /// Copies regular files below `source` (never following a symbolic link, never a function.json).
    private static func copyCode(from source: String, to destination: String) throws -> [String] {
        let fm = FileManager.default
        var written: [String] = []
        guard let walker = fm.enumerator(atPath: source) else { return [] }
        while let relative = walker.nextObject() as? String {
            let from = source + "/" + relative
            guard let attributes = try? fm.attributesOfItem(atPath: from), let type = attributes[.type] as? FileAttributeType else { continue }
            if type == .typeDirectory {
                try? fm.createDirectory(atPath: destination + "/" + relative, withIntermediateDirectories: true)
                continue
            }
            guard type == .typeRegular, (relative as NSString).lastPathComponent != "function.json" else { continue }
            guard let data = fm.contents(atPath: from) else { continue }
            let to = destination + "/" + relative
            try? fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write([UInt8](data), to: to)
            written.append(to)
        }
        return written
    }

    static func text(_ members: [(String, JSONValue)]) -> String {
        var out = "{\n"
        for (i, (key, value)) in members.enumerated() {
            out += "  " + JSONWriter.canonical(.string(key)) + ": " + pretty(value, path: key, indent: "  ") + (i == members.count - 1 ? "\n" : ",\n")
        }
        return out + "}\n"
    }

    /// Pretty JSON as the repository's own function.json files read: members in the format's order
    /// (the rest sorted), lists of scalars on one line when they fit.
    private static func pretty(_ value: JSONValue, path: String, indent: String) -> String {
        switch value {
        case .array(let items):
            if items.isEmpty { return "[]" }
            let inline = "[" + items.map(JSONWriter.canonical).joined(separator: ", ") + "]"
            if items.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }) && inline.count + indent.count < 100 { return inline }
            let inner = indent + "  "
            return "[\n" + items.map { inner + pretty($0, path: path, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            let known = FunctionSchema.memberNames[path] ?? []
            let keys = known.filter { o[$0] != nil } + o.keys.filter { !known.contains($0) }
            let inner = indent + "  "
            return "{\n" + keys.map { k in inner + JSONWriter.canonical(.string(k)) + ": " + pretty(o[k]!, path: path + "/" + k, indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return JSONWriter.canonical(value)
        }
    }
}

extension SAMConverter {
    /// A number, string or boolean as the text a template or an environment variable means by it
    /// (`30`, not `30.0`); nil for other values.
    static func text(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// A number written as a string (`"512"`, as YAML and templates often do) as a number.
    static func number(_ v: JSONValue) -> JSONValue {
        if case .string(let s) = v, let n = Double(s) { return .number(n) }
        return v
    }
}

extension SAMConverter.Function {
    /// A converted function with its fields in the format's order.
    init(logicalID: String, name: String, fields: [String: JSONValue], code: SAMConverter.Code, notCarried: [SAMConverter.Loss]) {
        self.init(logicalID: logicalID, name: name, members: FunctionSchema.fieldNames.compactMap { k in fields[k].map { (k, $0) } },
                  code: code, notCarried: notCarried)
    }
}

extension SAMConverter.Conversion {
    /// The conversion as `fnreg convert sam --format json` prints it: each function's name, logical
    /// ID, document and code, what was not carried, and the resources skipped.
    public func json(written: [String]) -> JSONValue {
        func loss(_ l: SAMConverter.Loss) -> JSONValue { ["pointer": .string(l.pointer), "reason": .string(l.reason)] }
        let list: [JSONValue] = functions.map { f in
            var o = JSONObject()
            o["name"] = .string(f.name)
            o["logical_id"] = .string(f.logicalID)
            o["document"] = f.document
            switch f.code {
            case .directory(let d): o["code"] = ["kind": "directory", "path": .string(d)]
            case .inline(let file, _): o["code"] = ["kind": "inline", "file": .string(file)]
            case .files(let root, let paths): o["code"] = ["kind": "files", "root": .string(root), "paths": .array(paths.map(JSONValue.string))]
            case .none(let why): o["code"] = ["kind": "none", "reason": .string(why)]
            }
            o["not_carried"] = .array(f.notCarried.map(loss))
            return .object(o)
        }
        return ["functions": .array(list), "skipped": .array(skipped.map(loss)), "written": .array(written.map(JSONValue.string))]
    }
}
