import ArgumentParser
import Foundation
import Testing
@testable import CLI

/// The README, the reference and the CI guide agree with the binary: every command line they show
/// parses with fnreg's own argument parser, and every option a synopsis names is an option of that
/// command. User-facing text never cites a document that does not ship with the project.
@Suite("Documentation agrees with the binary")
struct DocumentationTests {
    static let pages = ["README.md", "docs/reference.md", "docs/ci.md", "SECURITY.md"]

    static func text(_ page: String) throws -> String {
        try String(contentsOfFile: EndToEndTests.packageRoot + "/" + page, encoding: .utf8)
    }

    /// `fnreg …` command lines: inside code blocks (lines), and inline between backticks.
    static func commandLines(_ text: String) -> [String] {
        var out: [String] = []
        var inBlock = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inBlock.toggle(); continue }
            if inBlock {
                var l = line.trimmingCharacters(in: .whitespaces)
                if l.hasPrefix("$ ") { l.removeFirst(2) }
                if l.hasPrefix("fnreg ") { out.append(String(l.split(separator: "#", maxSplits: 1)[0]).trimmingCharacters(in: .whitespaces)) }
                continue
            }
            let parts = line.components(separatedBy: "`")
            for (i, part) in parts.enumerated() where i % 2 == 1 && part.hasPrefix("fnreg ") { out.append(part) }
        }
        return out
    }

    /// Shell words (single and double quotes; no expansion).
    static func words(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var started = false
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                started = true
            } else if c == " " {
                if started || !current.isEmpty { out.append(current) }
                current = ""
                started = false
            } else {
                current.append(c)
            }
        }
        if started || !current.isEmpty { out.append(current) }
        return out
    }

    @Test func everyShownCommandParses() throws {
        var checked = 0
        for page in Self.pages {
            for line in Self.commandLines(try Self.text(page)) {
                // A synopsis with alternatives or optional parts is checked option by option below.
                if line.contains("[") || line.contains("|") || line.contains("…") || line.contains("<") || line.contains("$(") { continue }
                var arguments = Array(Self.words(line).dropFirst())
                if let pipe = arguments.firstIndex(where: { $0 == "|" || $0 == ">" || $0 == ">>" || $0 == "&&" || $0 == "||" }) {
                    arguments = Array(arguments[..<pipe])
                }
                // Shell variables stand for values.
                arguments = arguments.map { $0.contains("$") ? "x" : $0 }
                // A bare command name (`fnreg package`) is a mention, not a command line.
                if arguments.count <= (["export", "convert"].contains(arguments.first ?? "") ? 2 : 1) { continue }
                if arguments == ["--version"] || arguments.contains("--help") || arguments.first == "help" { continue }
                do {
                    _ = try FnregCommand.parseAsRoot(FnregCommand.normalise(arguments))
                    checked += 1
                } catch {
                    Issue.record("\(page): `\(line)` does not parse: \(FnregCommand.message(for: error))")
                }
            }
        }
        #expect(checked >= 25, "the pages show commands (\(checked) checked)")
    }

    @Test func everySynopsisOptionExists() throws {
        var checked = 0
        for page in Self.pages {
            for line in Self.commandLines(try Self.text(page)) where line.contains("[") || line.contains("|") {
                let tokens = Self.words(line.replacingOccurrences(of: "\\|", with: " ").replacingOccurrences(of: "[", with: " ").replacingOccurrences(of: "]", with: " "))
                guard tokens.count > 1 else { continue }
                var path = [tokens[1]]
                if ["export", "convert"].contains(tokens[1]), tokens.count > 2 { path.append(tokens[2]) }
                let help = FnregCommand.helpMessage(for: try Self.command(path), columns: 500)
                for option in tokens where option.hasPrefix("--") {
                    let name = String(option.split(separator: "=")[0])
                    let global = ["--db", "--format", "--no-color", "--no-pager"].contains(name)
                    #expect(help.contains(name + " ") || help.contains(name + ",") || help.contains(name + "\n") || (global && help.contains(name)),
                            "\(page): `\(line)`: \(path.joined(separator: " ")) has no option \(name)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 30)
    }

    static func command(_ path: [String]) throws -> ParsableCommand.Type {
        var current: ParsableCommand.Type = FnregCommand.self
        for name in path {
            guard let next = current.configuration.subcommands.first(where: { $0._commandName == name }) else {
                throw ValidationError("no command \(path.joined(separator: " "))")
            }
            current = next
        }
        return current
    }

    @Test func userFacingTextCitesNoDocumentUsersDoNotHave() throws {
        for page in Self.pages + ["docs/ci.md"] {
            let text = try Self.text(page)
            #expect(!text.contains("SPEC"), "\(page) cites the SPEC")
        }
        // Every command's help.
        for command in FnregCommand.configuration.subcommands {
            #expect(!FnregCommand.helpMessage(for: command, columns: 200).contains("SPEC"), "\(command._commandName) help cites the SPEC")
        }
    }

    /// Links between the project's pages point at files that exist.
    @Test func linksPointAtShippedFiles() throws {
        for page in Self.pages {
            let text = try Self.text(page)
            for part in text.components(separatedBy: "](").dropFirst() {
                let target = String(part.prefix { $0 != ")" && $0 != "#" })
                guard !target.hasPrefix("http"), !target.isEmpty else { continue }
                let base = (EndToEndTests.packageRoot + "/" + page as NSString).deletingLastPathComponent
                #expect(FileManager.default.fileExists(atPath: base + "/" + target), "\(page) links to \(target)")
            }
        }
    }
}
