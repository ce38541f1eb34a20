import Foundation
import Testing
@testable import Registry

/// fnreg behaves like git and Terraform: it says its version, takes global options anywhere,
/// suggests the closest names, prints JSON that says its version, and fails in JSON when asked.
@Suite("Behaves as users expect", .serialized)
struct UsabilityTests {
    func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> EndToEndTests.Result {
        try EndToEndTests.run(arguments, in: directory, environment: environment)
    }

    @Test func versionAndGlobalOptionsAnywhere() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var r = try run(["--version"], in: root)
        #expect(r.status == 0 && r.stdout.hasPrefix("fnreg ") && r.stdout.contains("database schema \(Migrator.migrations.count)"))
        #expect(try run(["import", "--history"], in: root).status == 0)
        r = try run(["--no-color", "--db", root + "/.git/fnreg/registry.sqlite3", "--format", "json", "functions", "--env", "dev"], in: root)
        #expect(r.status == 0 && r.stdout.contains("\"format_version\": 1"), "global options before the command: \(r.stderr)")
        r = try run(["validate", "--no-color"], in: root)
        #expect(r.status == 0)
    }

    @Test func suggestionsNameTheClosestFirst() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A typo'd branch on the first import.
        var r = try run(["import", "--history", "--branch", "mian"], in: root)
        #expect(r.status == 3 && r.stderr.contains("did you mean main"), "\(r.stderr)")
        #expect(try run(["import", "--history"], in: root).status == 0)
        r = try run(["functoins"], in: root)
        #expect(r.status == 2 && r.stderr.contains("did you mean 'functions'"), "\(r.stderr)")
        r = try run(["help", "functoins"], in: root)
        #expect(r.status == 2 && r.stderr.contains("did you mean 'functions'"))
        r = try run(["show", "b", "--env", "dve"], in: root)
        #expect(r.status == 3 && r.stderr.contains("Did you mean \"dev\"") && r.stderr.contains("known environments: dev, prod"), "\(r.stderr)")
        r = try run(["log", "aa"], in: root)
        #expect(r.status == 3 && r.stderr.contains("Unknown function \"aa\"") && r.stderr.contains("Did you mean \"a\""), "\(r.stderr)")
        r = try run(["diff", "--env", "prod"], in: root)
        #expect(r.status == 2 && r.stderr.contains("ENV[@POINT]"), "\(r.stderr)")
        // A function that does not exist yet at the point says when it was added.
        try EndToEndTests.shell("mkdir -p lambda_functions/g/b && printf '{\"name\":\"b\",\"description\":\"B\",\"runtime\":\"python3.13\",\"handler\":\"index.h\"}' > lambda_functions/g/b/function.json && git add -A && git commit -qm b", in: root)
        #expect(try run(["import"], in: root).status == 0)
        r = try run(["show", "b", "--env", "dev", "--at", "1"], in: root)
        #expect(r.status == 3 && r.stderr.contains("added in revision 3"), "\(r.stderr)")
    }

    @Test func jsonDocumentsCarryTheirVersionAndErrorsAreJSON() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history", "--format", "json"], in: root).stdout.contains("\"format_version\": 1"))
        #expect(try run(["deploy", "--env", "prod", "--at", "1"], in: root).status == 0)
        #expect(try run(["deploy", "--env", "prod", "--at", "2"], in: root).status == 0)
        for command in [["log"], ["functions"], ["functions", "--env", "dev"], ["show", "a", "--env", "dev"], ["show", "a", "--env", "dev", "--origin"],
                        ["diff", "dev", "prod"], ["export", "json", "--env", "dev"], ["parity"], ["query", "SELECT name FROM functions"],
                        ["deployments"], ["status"], ["doctor"], ["validate"], ["package", "a", "--out", root + "/a.zip"],
                        ["rollback", "--env", "prod", "--dry-run"], ["deploy", "--env", "prod", "--at", "1"]] {
            let format = command.first == "query" || command.first == "diff" || command.first == "validate" || command[0] == "export" ? [] : ["--format", "json"]
            var arguments = command + format
            if command.first == "query" || command.first == "diff" || command.first == "validate" { arguments += ["--format", "json"] }
            let r = try run(arguments, in: root)
            let value = try? JSONParser.parse(r.stdout)
            #expect(value?["format_version"] == 1, "\(command): \(r.stdout.prefix(200)) \(r.stderr)")
        }
        // An error with --format json: the sentence, and a JSON object on stderr.
        let r = try run(["export", "json", "--env", "qa", "--format", "json"], in: root)
        #expect(r.status != 0)
        let failing = try run(["show", "a", "--env", "qa", "--format", "json"], in: root)
        #expect(failing.status == 3)
        let last = failing.stderr.split(separator: "\n").last.map(String.init) ?? ""
        let error = try JSONParser.parse(last)
        #expect(error["error"]?["code"] == "unknown_environment" && error["error"]?["exit_code"] == 3, "\(failing.stderr)")
        // --format where it means nothing is refused.
        #expect(try run(["export", "terraform", "--env", "dev", "--check", "--format", "json"], in: root).status == 2)
        #expect(try run(["diff", "dev", "prod", "--stat", "--format", "json"], in: root).status == 2)
        // A query that writes, and one that is not SQL: both usage errors.
        #expect(try run(["query", "DELETE FROM functions"], in: root).status == 2)
        #expect(try run(["query", "SELEC name"], in: root).status == 2)
    }

    @Test func completionOffersTheRegistrysNames() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        var r = try run(["---completion", "show", "--", "--env", "1", "0"], in: root)
        #expect(r.stdout.split(separator: "\n").map(String.init) == ["dev", "prod"], "\(r.stdout) \(r.stderr)")
        r = try run(["---completion", "show", "--", "positional@0", "1", "0"], in: root)
        #expect(r.stdout.split(separator: "\n").map(String.init) == ["a"])
        for shell in ["bash", "zsh", "fish"] {
            #expect(try run(["--generate-completion-script", shell], in: root).stdout.contains("---completion"), "\(shell)")
        }
    }

    @Test func deployerFallsBackToGitsUserName() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        let home = root + "-home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try "[user]\n\tname = Ada Lovelace\n".write(toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["-u", "USER", "-u", "LOGNAME", "-u", "GITHUB_ACTOR", "HOME=\(home)", EndToEndTests.binary, "deploy", "--env", "dev", "--at", "1"]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let r = try run(["deployments", "--format", "json"], in: root)
        #expect(r.stdout.contains("\"deployed_by\": \"Ada Lovelace\""), "\(r.stdout)")
        #expect(try run(["deployments", "-n", "1"], in: root).stdout.split(separator: "\n").count == 2)
    }

    @Test func parityHelpsStartAnAllowList() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        var r = try run(["parity"], in: root)
        #expect(r.status == 1 && r.stdout.contains("There is no allow-list"), "\(r.stdout)")
        #expect(try run(["parity", "--allow", "/nonexistent.json"], in: root).status == 2)
        r = try run(["parity", "--suggest"], in: root)
        #expect(r.status == 0)
        try r.stdout.write(toFile: root + "/terraform/environments/parity.json", atomically: true, encoding: .utf8)
        #expect(try run(["parity"], in: root).status == 0, "the suggested allow-list allows what it found")
        try #"{"allow": [{"pointer": "/timeout", "environments": ["prodd"]}]}"#.write(toFile: root + "/terraform/environments/parity.json", atomically: true, encoding: .utf8)
        r = try run(["parity"], in: root)
        #expect(r.stderr.contains("\"prodd\", which does not exist"), "\(r.stderr)")
    }

    /// Long output goes through the pager on a terminal (`script` gives fnreg one), never otherwise.
    @Test func pagerOnlyOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { return }
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        let paged = root + "/paged.txt"
        try EndToEndTests.shell("FNREG_PAGER='cat > \(paged)' script -qec '\(EndToEndTests.binary) log' /dev/null > /dev/null", in: root)
        #expect((try? String(contentsOfFile: paged, encoding: .utf8))?.contains("revision 2") == true, "log went through the pager")
        try? FileManager.default.removeItem(atPath: paged)
        try EndToEndTests.shell("FNREG_PAGER='cat > \(paged)' script -qec '\(EndToEndTests.binary) log --no-pager' /dev/null > /dev/null", in: root)
        #expect(!FileManager.default.fileExists(atPath: paged), "--no-pager writes directly")
        let r = try run(["log"], in: root, environment: ["FNREG_PAGER": "cat > \(paged)"])
        #expect(r.stdout.contains("revision 2") && !FileManager.default.fileExists(atPath: paged), "not a terminal: no pager")
    }
}
