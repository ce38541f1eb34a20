import Foundation
import Testing
@testable import Registry

/// A hostile repository controls nothing: not where fnreg reads or writes, not what git runs.
/// Every output is whole or absent; every error is true; registries stay readable.
@Suite("Hostile repositories, atomic outputs, true errors", .serialized)
struct SecurityTests {
    static var isRoot: Bool { getuid() == 0 }

    func run(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> EndToEndTests.Result {
        try EndToEndTests.run(arguments, in: directory, environment: environment)
    }

    @Test func aCommittedDatabaseOrLinkDecidesNothing() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A commit adds .fnreg/registry.sqlite3 (a crafted database) and a .fnreg link elsewhere.
        let outside = NSTemporaryDirectory() + "fnreg-outside-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        #expect(try run(["import", "--history", "--db", outside + "/crafted.sqlite3"], in: root).status == 0)
        let crafted = try Database(path: outside + "/crafted.sqlite3")
        // The crafted cache maps a.json's blob to an admin policy that is in no commit.
        let admin = Document(.object(JSONObject([("name", "a"), ("description", "A"), ("runtime", "python3.13"), ("handler", "index.h"),
            ("additional_policies", [["Effect": "Allow", "Action": "*", "Resource": "*"]])])))
        try crafted.run("INSERT INTO documents (hash, body) VALUES (?1, ?2)", [.blob(admin.hash.bytes), .text(admin.body)])
        try crafted.run("UPDATE blob_documents SET document_id = (SELECT id FROM documents WHERE hash = ?1)", [.blob(admin.hash.bytes)])
        try crafted.checkpoint()
        try EndToEndTests.shell("mkdir -p .fnreg && cp \(outside)/crafted.sqlite3 .fnreg/registry.sqlite3 && ln -s \(outside) evil-link && git add -A && git commit -qm crafted", in: root)
        var r = try run(["import", "--history"], in: root)
        #expect(r.status == 0, "a committed .fnreg is not the database: \(r.stderr)")
        r = try run(["export", "json", "--env", "dev"], in: root)
        #expect(r.status == 0 && !r.stdout.contains("\"Action\": \"*\""), "nothing from the committed database is used")
        #expect(FileManager.default.fileExists(atPath: root + "/.git/fnreg/registry.sqlite3"))
        // doctor, with the repository at hand, names a cache row that lies.
        r = try run(["doctor", "--db", outside + "/crafted.sqlite3"], in: root)
        #expect(r.status == 3 && r.stdout.contains("blob cache"), "\(r.stdout)")
        // A symbolic link as the database or its directory is refused.
        try FileManager.default.createSymbolicLink(atPath: root + "/link.sqlite3", withDestinationPath: outside + "/crafted.sqlite3")
        r = try run(["export", "json", "--env", "dev", "--db", root + "/link.sqlite3"], in: root)
        #expect(r.status == 3 && r.stderr.contains("symbolic link"))
    }

    @Test func outputsThroughACommittedLinkAreRefused() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        let outside = NSTemporaryDirectory() + "fnreg-target-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        // prod's directory becomes a link to somewhere else (prod still exists at revision 2).
        try EndToEndTests.shell("git rm -rq terraform/environments/prod && ln -s \(outside) terraform/environments/prod && git add -A && git commit -qm link", in: root)
        for command in [["export", "terraform", "--env", "prod", "--at", "2"], ["rollback", "--env", "prod", "--to", "deploy:1"]] {
            if command[0] == "rollback" {
                _ = try run(["deploy", "--env", "prod", "--at", "1"], in: root)
                _ = try run(["deploy", "--env", "prod", "--at", "2"], in: root)
            }
            let r = try run(command, in: root)
            #expect(r.status == 3 && r.stderr.contains("symbolic link"), "\(command): \(r.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "nothing written outside")
        }
        // An explicit --out is the caller's choice.
        #expect(try run(["export", "terraform", "--env", "prod", "--at", "2", "--out", outside], in: root).status == 0)
    }

    @Test func aTreeWithDotDotEntriesIsRefused() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        let before = try HostileInputTests.dump(root + "/.git/fnreg/registry.sqlite3")
        // lambda_functions/.. holds a function.json: a tree no checkout can make.
        try EndToEndTests.shell("""
            fn=$(printf '{"name":"up","description":"d","runtime":"python3.13","handler":"i.h"}' | git hash-object -w --stdin) &&
            up=$(printf "100644 blob $fn\\tfunction.json\\n" | git mktree) &&
            lf=$( (git ls-tree HEAD:lambda_functions; printf "040000 tree $up\\t..\\n") | git mktree) &&
            top=$( (git ls-tree HEAD | grep -v lambda_functions; printf "040000 tree $lf\\tlambda_functions\\n") | git mktree) &&
            c=$(git commit-tree $top -p HEAD -m crafted) && git update-ref refs/heads/main $c
            """, in: root)
        let r = try run(["import", "--history"], in: root)
        #expect(r.status == 3 && r.stderr.contains("DOC-PATH-COMPONENT"), "\(r.stderr)")
        #expect(try HostileInputTests.dump(root + "/.git/fnreg/registry.sqlite3") == before)
    }

    /// `.git/config` and the caller's GIT_* variables cannot make git run a program, change its
    /// output, or point fnreg at another repository.
    @Test func gitRunsWithAFixedConfiguration() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let marker = root + ".marker"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let script = root + ".sh"
        defer { try? FileManager.default.removeItem(atPath: script) }
        try "#!/bin/sh\necho ran >> \(marker)\nexit 0\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        // A commit whose object carries a (fake) signature, so that log.showSignature would call gpg.
        try EndToEndTests.shell("""
            echo more > README && git add README && t=$(git write-tree) && p=$(git rev-parse HEAD) &&
            c=$(printf 'tree %s\\nparent %s\\nauthor T <t@e.com> 1762200000 +0000\\ncommitter T <t@e.com> 1762200000 +0000\\ngpgsig -----BEGIN PGP SIGNATURE-----\\n \\n iQEzBAABCAAdFiEE\\n -----END PGP SIGNATURE-----\\n\\nsigned\\n' $t $p | git hash-object -t commit -w --stdin) &&
            git update-ref refs/heads/main $c && git reset -q --hard main &&
            printf '* filter=evil\\n' > .gitattributes && git add .gitattributes && git commit -qm attrs &&
            git config core.fsmonitor \(script) && git config log.showSignature true && git config gpg.program \(script) &&
            git config core.hooksPath /nonexistent && git config filter.evil.clean \(script) && git config filter.evil.smudge \(script) &&
            git config core.pager \(script) && git config diff.external \(script) && git config core.worktree /tmp
            """, in: root)
        let signed = try EndToEndTests.shellOutput("git -c log.showSignature=false rev-parse HEAD~1", in: root)
        // The caller's environment points git at another repository and configuration.
        let decoy = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: decoy) }
        let hostile = ["GIT_DIR": decoy + "/.git", "GIT_WORK_TREE": decoy, "GIT_INDEX_FILE": decoy + "/.git/index",
                       "GIT_CONFIG_PARAMETERS": "'core.fsmonitor=\(script)'", "GIT_EXTERNAL_DIFF": script, "GIT_PAGER": script]
        for command in [["import", "--history"], ["import"], ["diff", "dev", "dev@worktree"], ["status"], ["log"]] {
            let r = try run(command, in: root, environment: hostile)
            #expect(r.status == 0, "\(command): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker), "no repository or caller setting ran a program")
        let log = try run(["log", "--format", "json"], in: root)
        #expect(log.stdout.contains("\"commit\": \"\(signed)\""), "the commit id is the commit's, not gpg's text")
        #expect(!FileManager.default.fileExists(atPath: decoy + "/.git/fnreg"), "the decoy repository was never used")
    }

    @Test func dubiousOwnershipIsReportedWithTheFix() throws {
        guard Self.isRoot else { return }  // needs to give the repository to another user
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.shell("chown -R nobody \(root)", in: "/")
        let r = try run(["import", "--history", "--db", root + ".sqlite3"], in: root, environment: ["HOME": root + ".home"])
        defer { try? FileManager.default.removeItem(atPath: root + ".sqlite3") }
        #expect(r.status == 3 && r.stderr.contains("dubious ownership") && r.stderr.contains("safe.directory"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + ".sqlite3"), "and no plain-directory record of commit NULL")
    }

    @Test func badDatabasePathsAreRefusedAndNothingIsCreated() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        for db in ["", ":memory:", "file:x.db?mode=memory"] {
            let r = try run(["import", "--history", "--db", db], in: root)
            #expect(r.status == 2, "--db '\(db)': \(r.stderr)")
        }
        #expect(try run(["import", "--history"], in: root).status == 0)
        var r = try run(["backup", "--to", ""], in: root)
        #expect(r.status == 2)
        for command in [["deploy", "--env", "dev", "--at", "1"], ["export", "json", "--env", "dev"], ["rollback", "--env", "dev"], ["doctor"]] {
            r = try run(command + ["--db", root + "/mistyped.sqlite3"], in: root)
            #expect(r.status == 3 && r.stderr.contains(root + "/mistyped.sqlite3"), "\(command): names the path tried: \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root + "/mistyped.sqlite3"), "\(command) created nothing")
        }
        r = try run(["import", "--history", "--db", root + "/no/such/dir/x.sqlite3"], in: root)
        #expect(r.status == 2 && !FileManager.default.fileExists(atPath: root + "/no"))
    }

    @Test func databasesAndBackupsAreNotWorldReadable() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.shell("umask 000 && '\(EndToEndTests.binary)' import --history && '\(EndToEndTests.binary)' backup --to \(root)/b.sqlite3", in: root)
        func mode(_ path: String) throws -> Int { (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as! NSNumber).intValue }
        #expect(try mode(root + "/.git/fnreg/registry.sqlite3") == 0o600)
        #expect(try mode(root + "/.git/fnreg") == 0o700)
        #expect(try mode(root + "/b.sqlite3") == 0o600)
    }

    /// A deployment, once reported recorded, survives a copy of the database file alone.
    @Test func deploymentsAreInTheDatabaseFile() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        // A reader holds the database open, as a long report would.
        let reader = try Database(path: root + "/.git/fnreg/registry.sqlite3", readOnly: true)
        _ = try reader.query("SELECT count(*) FROM revisions", []) { $0.int(0) }
        #expect(try run(["deploy", "--env", "prod", "--at", "2", "--note", "the one"], in: root).status == 0)
        try FileManager.default.copyItem(atPath: root + "/.git/fnreg/registry.sqlite3", toPath: root + "/copy.sqlite3")
        let r = try run(["deployments", "--db", root + "/copy.sqlite3", "--format", "json"], in: root)
        #expect(r.stdout.contains("\"note\": \"the one\""), "\(r.stdout) \(r.stderr)")
        #expect(try run(["doctor", "--db", root + "/copy.sqlite3"], in: root).status == 0)
    }

    /// doctor names a versions row pointed at another valid document (the deployment's hash and the
    /// revision's state digest no longer reproduce).
    @Test func doctorFindsARewiredVersionsRow() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        #expect(try run(["deploy", "--env", "prod", "--at", "1"], in: root).status == 0)
        let db = try Database(path: root + "/.git/fnreg/registry.sqlite3")
        // prod's environment.json at revision 1 now names revision 2's document (both valid).
        try db.execute("""
            UPDATE versions SET document_id = (SELECT document_id FROM versions v JOIN keys k ON k.id = v.key_id WHERE k.kind = 'envpatch' AND v.revision = 2)
            WHERE revision = 1 AND key_id = (SELECT id FROM keys WHERE kind = 'envpatch' AND environment = 'prod')
            """)
        try db.checkpoint()
        let r = try run(["doctor"], in: root)
        #expect(r.status == 3 && r.stdout.contains("revision 1") && r.stdout.contains("deployment 1"), "\(r.stdout)")
    }

    /// On a full disk every read works, a write fails with exit 3 and says what was and was not
    /// written, and the database is unchanged; on read-only media the registry can be read.
    @Test func fullDiskAndReadOnlyMedia() throws {
        guard Self.isRoot else { return }  // mounts a small tmpfs
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let mount = NSTemporaryDirectory() + "fnreg-full-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        try EndToEndTests.shell("mount -t tmpfs -o size=1m tmpfs \(mount)", in: "/")
        defer { try? EndToEndTests.shell("umount \(mount) && rmdir \(mount)", in: "/") }
        let db = mount + "/registry.sqlite3"
        #expect(try run(["import", "--commit", "HEAD~1", "--db", db], in: root).status == 0)
        try EndToEndTests.shell("for i in $(seq 1 20); do head -c 200000 /dev/urandom > lambda_functions/g/a/blob$i.bin; git add -A; git commit -qm blob$i; done", in: root)
        let before = try HostileInputTests.dump(db)
        try EndToEndTests.shell("dd if=/dev/zero of=\(mount)/filler bs=4k 2>/dev/null; true", in: "/")
        var r = try run(["export", "json", "--env", "prod", "--db", db], in: root)
        #expect(r.status == 0, "a full disk can still be read: \(r.stderr)")
        r = try run(["import", "--history", "--db", db], in: root)
        #expect(r.status == 3 && r.stderr.lowercased().contains("disk is full") && !r.stderr.contains("Fatal"), "\(r.stderr)")
        #expect(try HostileInputTests.dump(db).hasPrefix(before.prefix(0)))
        r = try run(["deploy", "--env", "prod", "--at", "1", "--db", db], in: root)
        #expect(r.status == 3 && !r.stderr.contains("Fatal"), "\(r.stderr)")
        try EndToEndTests.shell("rm -f \(mount)/filler", in: "/")
        // Read-only media: remount read-only; reads fall back to an immutable open.
        try EndToEndTests.shell("mount -o remount,ro \(mount)", in: "/")
        r = try run(["export", "json", "--env", "prod", "--db", db], in: root)
        #expect(r.status == 0, "read-only media can be read: \(r.stderr)")
        r = try run(["log", "--db", db], in: root)
        #expect(r.status == 0)
        r = try run(["backup", "--to", root + "/from-ro.sqlite3", "--db", db], in: root)
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// Output to a full file: exit 4, for every command that prints data.
    @Test func outputThatCannotBeWrittenIsExitFour() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try run(["import", "--history"], in: root).status == 0)
        for command in ["export json --env prod", "log", "functions --env dev", "diff dev prod", "diff dev prod --format json", "query 'SELECT name FROM functions'",
                        "validate . --format sarif", "show a --env dev", "deployments", "status", "parity --allow empty-allow.json"] {
            try #"{"allow": []}"#.write(toFile: root + "/empty-allow.json", atomically: true, encoding: .utf8)
            let status = try EndToEndTests.shellOutput("'\(EndToEndTests.binary)' \(command) > /dev/full 2>/dev/null; echo $?", in: root)
            #expect(status == "4", "\(command) > /dev/full exits \(status)")
        }
        let out = root + "/ro"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        chmod(out, 0o500)
        defer { chmod(out, 0o700) }
        if !Self.isRoot {
            let r = try run(["export", "terraform", "--env", "prod", "--out", out], in: root)
            #expect(r.status == 4)
        }
        let full = try EndToEndTests.run(["package", "a", "--out", "/dev/full/x.zip"], in: root)
        #expect(full.status == 4, "\(full.stderr)")
    }

    /// SIGKILL at random points of every command that writes a file: the destination holds the old
    /// file or the new one (never a part), and the next run leaves no temporary file behind.
    @Test func killedWritersLeaveWholeFiles() throws {
        let root = try EndToEndTests.makeRepository()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try EndToEndTests.shell("for i in $(seq 1 40); do head -c 300000 /dev/urandom > lambda_functions/g/a/data$i.bin; done; git add -A; git commit -qm data", in: root)
        #expect(try run(["import", "--history"], in: root).status == 0)
        #expect(try run(["deploy", "--env", "prod", "--at", "1"], in: root).status == 0)
        #expect(try run(["deploy", "--env", "prod", "--at", "3"], in: root).status == 0)
        let out = root + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let kills = Int(ProcessInfo.processInfo.environment["FNREG_CRASH_KILLS"] ?? "") ?? 6
        var injected = 0
        let commands: [(String, [String], String)] = [
            ("backup", ["backup", "--to", out + "/backup.sqlite3"], out + "/backup.sqlite3"),
            ("export", ["export", "terraform", "--env", "prod", "--out", out], out + "/functions.auto.tfvars.json"),
            ("rollback", ["rollback", "--env", "prod", "--out", out + "/rb"], out + "/rb/functions.auto.tfvars.json"),
            ("package", ["package", "a", "--out", out + "/a.zip"], out + "/a.zip"),
        ]
        try FileManager.default.createDirectory(atPath: out + "/rb", withIntermediateDirectories: true)
        for (name, arguments, destination) in commands {
            for i in 0..<kills {
                if name == "backup" { try? FileManager.default.removeItem(atPath: destination) }
                let p = Process()
                p.executableURL = URL(fileURLWithPath: EndToEndTests.binary)
                p.arguments = arguments
                p.currentDirectoryURL = URL(fileURLWithPath: root)
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                usleep(UInt32(2_000 + (i * 7_919) % 40_000))
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                injected += 1
                if FileManager.default.fileExists(atPath: destination) {
                    let data = try Data(contentsOf: URL(fileURLWithPath: destination))
                    switch name {
                    case "backup": #expect(try EndToEndTests.run(["doctor", "--db", destination], in: root).status == 0, "a whole backup")
                    case "package": #expect(data.suffix(22).prefix(4) == Data([0x50, 0x4b, 0x05, 0x06]), "a whole zip")
                    default: #expect(data.last == 0x0A && (try? JSONParser.parse(data)) != nil, "\(name): a whole file")
                    }
                }
            }
            // The next run completes and leaves no temporary file.
            if name == "backup" { try? FileManager.default.removeItem(atPath: destination) }
            let r = try run(arguments, in: root)
            #expect(r.status == 0, "\(name): \(r.stderr)")
            let directory = (destination as NSString).deletingLastPathComponent
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty, "\(name): \(leftovers)")
        }
        #expect(injected == 4 * kills)
    }
}
