import Foundation
import Testing
@testable import Registry

/// What fnreg prints is safe to print: no credential from a repository reaches any output or the
/// database, and no control character from the repository or the database reaches a terminal raw.
@Suite("Output safety: credentials and terminal escapes", .serialized)
struct OutputSafetyTests {
    func run(_ arguments: [String], in directory: String) throws -> EndToEndTests.Result {
        try EndToEndTests.run(arguments, in: directory, environment: ["FNREG_TODAY": "2026-11-26"])
    }

    /// Every read command, in text and JSON, over what the registry holds.
    static let readCommands: [[String]] = [
        ["log"], ["log", "--format", "json"], ["log", "a"], ["log", "--env", "dev"], ["functions", "--env", "dev"], ["functions", "--env", "dev", "--format", "json"],
        ["show", "a", "--env", "dev"], ["show", "a", "--env", "dev", "--origin"], ["show", "a", "--env", "dev", "--format", "json"],
        ["diff", "dev", "prod"], ["diff", "dev@rev:1", "dev"], ["diff", "dev", "prod", "--format", "json"], ["diff", "dev", "prod", "--format", "markdown"],
        ["export", "json", "--env", "dev"], ["parity"], ["parity", "--format", "json"], ["status"], ["status", "--verbose"], ["status", "--format", "json"],
        ["deployments"], ["deployments", "--format", "json"], ["query", "SELECT environment, name, config FROM functions"],
        ["query", "SELECT * FROM revisions", "--format", "json"], ["doctor"],
    ]

    @Test func aPlantedCredentialIsInNoOutputAndNotStored() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        #expect(try run(["deploy", "--env", "dev", "--at", "2"], in: root).status == 0)
        let key = "AKIAZ7QW3ERT5YUI8OPL", token = "ghp_Q8zR7kP2Lm9Xw4Vb6Nc1Jh5Tg3Fd0SaYeUiO", password = "Zq8!mK2vL9xW#p"
        // A credential in every kind of place: values of every field, member names, a variable's
        // literal password, an override of no function, an environment without functions.
        try EndToEndTests.shell("""
            cat > lambda_functions/g/a/function.json <<'EOF'
            {"name":"a","description":"uses \(key)","runtime":"\(token)","handler":"index.h","timeout":30,
             "layers":["arn:aws:lambda:us-east-1:123456789012:layer:\(key):1"],
             "api":{"path":"/\(token)","methods":["GET"]},
             "environment_variables":{"DB_PASSWORD":"\(password)","\(key)":"x"},
             "additional_policies":[{"Effect":"Allow","Action":"s3:\(token)","Resource":"arn:aws:s3:::\(key)"}],
             "vpc_config":{"subnet_ids":["subnet-\(key)"],"security_group_ids":["\(token)"]},
             "dead_letter_config":{"target_arn":"\(token)"},"tracing_config":{"mode":"\(key)"},"tags":{"\(token)":"\(key)"}}
            EOF
            mkdir -p terraform/environments/qa && printf '{"environment_variables":{"API_TOKEN":"%s"}}' '\(password)' > terraform/environments/qa/environment.json &&
            printf '{"tags":{"%s":"y"}}' '\(key)' > terraform/environments/dev/overrides/gone.json &&
            git add -A && git commit -qm planted
            """, in: root)
        func clean(_ r: EndToEndTests.Result, _ what: String) {
            for secret in [key, token, password] {
                #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "\(what) prints a credential: \(r.stdout.prefix(400)) \(r.stderr.prefix(400))")
            }
        }
        for format in ["text", "json", "sarif"] {
            let r = try run(["validate", "--format", format], in: root)
            #expect(r.status == 1, "validate --format \(format)")
            #expect(r.stdout.contains("FN-SECRET"))
            clean(r, "validate --format \(format)")
        }
        var r = try run(["import"], in: root)
        #expect(r.status != 0)
        clean(r, "import")
        r = try run(["import", "--history", "--skip-invalid"], in: root)
        clean(r, "import --history --skip-invalid")
        r = try run(["import", "--format", "json"], in: root)
        clean(r, "import --format json")
        for command in Self.readCommands {
            let r = try run(command, in: root)
            #expect(r.status == 0 || command[0] == "parity", "\(command): \(r.stderr)")
            clean(r, command.joined(separator: " "))
        }
        // Previews of the work tree refuse it, naming the findings.
        for command in [["diff", "dev", "dev@worktree"], ["show", "a", "--env", "dev", "--at", "worktree"], ["parity", "--at", "worktree"]] {
            let r = try run(command, in: root)
            #expect(r.status != 0 && r.stderr.contains("FN-SECRET"), "\(command)")
            clean(r, command.joined(separator: " "))
        }
        // Nothing of it was stored.
        let database = try Data(contentsOf: URL(fileURLWithPath: root + "/.git/fnreg/registry.sqlite3"))
        for secret in [key, token, password] { #expect(database.range(of: Data(secret.utf8)) == nil, "the database holds a credential") }
    }

    @Test func controlCharactersNeverReachTheTerminalRaw() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // Escape sequences (clear screen, set title, rewrite a line) in a commit message, an author
        // name, a description, a tag, and an environment's name.
        try EndToEndTests.shell("""
            printf '{"name":"a","description":"A \\\\u001b[2J cleared","runtime":"python3.13","handler":"index.h","timeout":30,"tags":{"Team":"x\\\\u001b]0;pwned\\\\u0007"}}' > lambda_functions/g/a/function.json &&
            git add -A && git -c user.name="$(printf 'Mallory\\033[2K')" commit -qm "$(printf 'fix\\033[31m red\\033]8;;http://x\\007link')"
            """, in: root)
        var outputs: [(String, EndToEndTests.Result)] = []
        outputs.append(("validate", try run(["validate"], in: root)))
        outputs.append(("import", try run(["import", "--history"], in: root)))
        // An environment whose name carries an escape sequence is invalid: the finding shows it escaped.
        try EndToEndTests.shell("""
            mkdir -p "terraform/environments/e$(printf '\\033')[1Ax" && echo '{}' > "terraform/environments/e$(printf '\\033')[1Ax/environment.json" &&
            git add -A && git commit -qm 'bad env'
            """, in: root)
        outputs.append(("validate", try run(["validate"], in: root)))
        let refused = try run(["import"], in: root)
        #expect(refused.status != 0 && refused.stderr.contains("e\\u001b[1Ax"), "\(refused.stderr)")
        outputs.append(("import", refused))
        try EndToEndTests.shell("git rm -rq terraform/environments/e* && git commit -qm 'drop env'", in: root)
        outputs.append(("import", try run(["import", "--history", "--skip-invalid"], in: root)))
        #expect(try run(["deploy", "--env", "dev", "--at", "HEAD"], in: root).status == 0)
        for command in Self.readCommands {
            let r = try run(command, in: root)
            #expect(r.status == 0 || command[0] == "parity", "\(command): \(r.stderr)")
            outputs.append((command.joined(separator: " "), r))
        }
        var sawEscaped = false
        for (what, r) in outputs {
            #expect(!r.stdout.unicodeScalars.contains("\u{1B}") && !r.stderr.unicodeScalars.contains("\u{1B}"), "\(what) writes a raw ESC")
            #expect(!r.stdout.unicodeScalars.contains("\u{07}") && !r.stdout.unicodeScalars.contains("\r"), "\(what) writes a raw BEL or CR")
            if r.stdout.contains("\\u001b") || r.stderr.contains("\\u001b") { sawEscaped = true }
        }
        #expect(sawEscaped, "escape sequences are shown escaped")
        let log = try run(["log"], in: root).stdout
        #expect(log.contains("fix\\u001b[31m red") && log.contains("Mallory\\u001b[2K"), "\(log)")
        // JSON escapes them as JSON does (and so parses back to the original text).
        let json = try JSONParser.parse(Data(try run(["log", "--format", "json"], in: root).stdout.utf8))
        let messages = json["revisions"]!.arrayValue!.compactMap { $0["message"]?.stringValue }
        #expect(messages.contains { $0.contains("\u{1B}[31m") })
    }
}
