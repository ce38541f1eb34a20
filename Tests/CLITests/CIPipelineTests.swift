import Foundation
import Testing
@testable import Registry

/// docs/ci.md's GitHub Actions workflow, run as written: its `run:` blocks are taken from the page
/// and run in order on a scratch repository (the install step aside: the built binary is on PATH,
/// and `terraform` is a stub that succeeds), for pushes to main and for a pull request. Main's
/// record must stay exactly main's first-parent history.
@Suite("docs/ci.md pipelines", .serialized)
struct CIPipelineTests {
    /// The `run: |` blocks of one job of the workflow in docs/ci.md, by step order.
    static func steps(job: String) throws -> [(name: String, script: String)] {
        let page = try String(contentsOfFile: EndToEndTests.packageRoot + "/docs/ci.md", encoding: .utf8)
        let yaml = page.components(separatedBy: "```yaml\n")[1].components(separatedBy: "```")[0]
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "  \(job):") else { throw RegistryError.usage("no job \(job) in docs/ci.md") }
        var out: [(String, String)] = []
        var name = ""
        var i = start + 1
        while i < lines.count, lines[i].hasPrefix("    ") || lines[i].isEmpty {
            let line = lines[i]
            if let range = line.range(of: "- name: ") { name = String(line[range.upperBound...]) }
            if line.hasPrefix("      - uses:") { name = "" }
            if line.trimmingCharacters(in: .whitespaces) == "run: |" {
                let indent = line.prefix { $0 == " " }.count + 2
                var body: [String] = []
                i += 1
                while i < lines.count, lines[i].prefix(while: { $0 == " " }).count >= indent || lines[i].isEmpty {
                    body.append(String(lines[i].dropFirst(min(indent, lines[i].count))))
                    i += 1
                }
                out.append((name, body.joined(separator: "\n")))
                continue
            }
            i += 1
        }
        return out
    }

    struct Runner {
        let repo: String
        let temp: String
        let bin: String
        var summary: String { temp + "/summary.md" }

        func run(job: String) throws -> [(String, Int32, String)] {
            var results: [(String, Int32, String)] = []
            for (name, script) in try CIPipelineTests.steps(job: job) where !name.hasPrefix("Install fnreg") {
                let expanded = script.replacingOccurrences(of: "${{ runner.temp }}", with: temp)
                    .replacingOccurrences(of: "${{ github.run_id }}", with: "1")
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/bin/bash")
                p.arguments = ["-eo", "pipefail", "-c", expanded]
                p.currentDirectoryURL = URL(fileURLWithPath: repo)
                var env = ProcessInfo.processInfo.environment
                env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
                env["FNREG_DB"] = temp + "/fnreg/registry.sqlite3"
                env["GITHUB_STEP_SUMMARY"] = summary
                env["GITHUB_ACTOR"] = "octocat"
                env["GITHUB_SERVER_URL"] = "https://github.example"
                env["GITHUB_REPOSITORY"] = "org/configs"
                env["GITHUB_RUN_ID"] = "1"
                env["NO_COLOR"] = "1"
                p.environment = env
                let err = Pipe()
                p.standardOutput = FileHandle.nullDevice
                p.standardError = err
                try p.run()
                let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                p.waitUntilExit()
                results.append((name, p.terminationStatus, e))
            }
            return results
        }
    }

    @Test func theWorkflowLeavesMainsRecordExact() throws {
        #expect(try Self.steps(job: "pull-request").map(\.name).contains("What this change does to each environment"))
        #expect(try Self.steps(job: "main").map(\.name).contains("Record main"))
        let repo = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: repo) }
        let temp = NSTemporaryDirectory() + "fnreg-ci-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let bin = temp + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/fnreg", withDestinationPath: EndToEndTests.binary)
        try "#!/bin/sh\nexit 0\n".write(toFile: bin + "/terraform", atomically: true, encoding: .utf8)
        chmod(bin + "/terraform", 0o755)
        try EndToEndTests.shell("mkdir -p terraform/environments/staging && echo '# staging' > terraform/environments/staging/main.tf && printf '{\"allow\": [\"/memory_size\", \"/timeout\"]}' > terraform/environments/parity.json && git add -A && git commit -qm staging", in: repo)
        let runner = Runner(repo: repo, temp: temp, bin: bin)
        func firstParent() throws -> [String] {
            try EndToEndTests.shellOutput("git rev-list --first-parent --reverse main", in: repo).split(separator: "\n").map(String.init)
        }
        func recorded() throws -> [String] {
            let db = try Database(path: temp + "/fnreg/registry.sqlite3", readOnly: true)
            return try db.query("SELECT commit_id FROM revisions ORDER BY number", []) { $0.string(0) }
        }
        // A push to main: recorded and deployed.
        for (name, status, stderr) in try runner.run(job: "main") { #expect(status == 0, "main: \(name): \(stderr)") }
        #expect(try recorded() == firstParent())
        // A pull request: previews only.
        try EndToEndTests.shell("git checkout -qb feature/bigger && sed -i 's/\"timeout\":30/\"timeout\":45/' lambda_functions/g/a/function.json && git commit -qam 'timeout 45'", in: repo)
        let before = try HostileInputTests.dump(temp + "/fnreg/registry.sqlite3")
        for (name, status, stderr) in try runner.run(job: "pull-request") { #expect(status == 0, "pull request: \(name): \(stderr)") }
        #expect(try HostileInputTests.dump(temp + "/fnreg/registry.sqlite3") == before, "a pull request writes nothing")
        let summary = try String(contentsOfFile: runner.summary, encoding: .utf8)
        #expect(summary.contains("`/timeout`") && summary.contains("prod@worktree"), "\(summary)")
        #expect(FileManager.default.fileExists(atPath: repo + "/fnreg-diff-prod.json"))
        // Merged: main's record gains the merge, never the branch's own commit.
        try EndToEndTests.shell("git checkout -q main && git merge -q --no-ff -m 'merge feature/bigger' feature/bigger", in: repo)
        for (name, status, stderr) in try runner.run(job: "main") { #expect(status == 0, "main after merge: \(name): \(stderr)") }
        #expect(try recorded() == firstParent(), "main's first-parent history, exactly")
        let branchCommit = try EndToEndTests.shellOutput("git rev-parse feature/bigger", in: repo)
        #expect(try !recorded().contains(branchCommit))
        let deployments = try EndToEndTests.run(["deployments", "--env", "dev", "--format", "json", "--db", temp + "/fnreg/registry.sqlite3"], in: repo)
        #expect(deployments.stdout.components(separatedBy: "\"kind\": \"deploy\"").count == 3, "two deployments of dev: \(deployments.stdout)")
    }
}
