import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, its standard streams on pipes. (Foundation's `Process`
/// on Linux notices a child's exit by polling its run loop every 50 ms: up to 50 ms lost per git
/// call, several per import. `waitpid` returns as soon as the child exits.)
final class ChildProcess {
    let pid: pid_t
    /// Write end of the child's stdin (-1 when stdin is /dev/null or already closed).
    private(set) var stdin: Int32
    /// Read ends of the child's stdout and stderr (-1 when stderr is discarded).
    let stdout: Int32
    let stderr: Int32
    private var status: Int32?

    /// A broken pipe must be an error from `write`, never a signal that kills fnreg.
    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// Starts `executable` with `arguments` and `environment` ("NAME=value" entries; nil: inherited);
    /// stdin is piped with `pipeStdin`, else /dev/null; stderr is captured with `captureStderr`, else discarded.
    init(_ executable: String, _ arguments: [String], environment: [String]? = nil, pipeStdin: Bool, captureStderr: Bool) throws {
        _ = Self.ignoreSIGPIPE
        func makePipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw RegistryError.io("Cannot create a pipe: \(String(cString: strerror(errno))).") }
            // Close-on-exec: a later child must not inherit (and hold open) this pipe.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return (fds[0], fds[1])
        }
        let input = pipeStdin ? try makePipe() : nil
        let output = try makePipe()
        let errors = captureStderr ? try makePipe() : nil

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input { posix_spawn_file_actions_adddup2(&actions, input.read, 0) } else { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, output.write, 1)
        if let errors { posix_spawn_file_actions_adddup2(&actions, errors.write, 2) } else { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid = pid_t()
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer { for p in envp ?? [] { free(p) } }
        let rc = envp.map { posix_spawn(&pid, executable, &actions, nil, argv, $0) } ?? posix_spawn(&pid, executable, &actions, nil, argv, environ)
        // The child holds its own copies now; keep only our ends.
        if let input { Glibc.close(input.read) }
        Glibc.close(output.write)
        if let errors { Glibc.close(errors.write) }
        guard rc == 0 else {
            if let input { Glibc.close(input.write) }
            Glibc.close(output.read)
            if let errors { Glibc.close(errors.read) }
            throw RegistryError.io("Cannot run \(executable): \(String(cString: strerror(rc))).")
        }
        self.pid = pid
        self.stdin = input?.write ?? -1
        self.stdout = output.read
        self.stderr = errors?.read ?? -1
    }

    /// Writes all of `bytes` to the child's stdin; false when the child stopped reading.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(stdin, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// Ends the child now (SIGKILL); `wait()` then reaps it. A write to its stdin fails with EPIPE.
    func terminate() {
        if status == nil { kill(pid, SIGKILL) }
    }

    func closeStdin() {
        if stdin >= 0 { Glibc.close(stdin); stdin = -1 }
    }

    /// Reads stdout and stderr to their ends together (neither pipe can fill up and block the child).
    func readToEnd() -> (stdout: [UInt8], stderr: [UInt8]) {
        var out: [UInt8] = [], err: [UInt8] = []
        var fds = [pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)]
        if stderr >= 0 { fds.append(pollfd(fd: stderr, events: Int16(POLLIN), revents: 0)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fds[i].fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { fds[i].fd = -1; continue }
                if i == 0 { out.append(contentsOf: chunk[0..<n]) } else { err.append(contentsOf: chunk[0..<n]) }
            }
        }
        return (out, err)
    }

    /// Waits for the child to exit (closing our ends of its pipes); its exit status, or 128 + signal.
    @discardableResult
    func wait() -> Int32 {
        if let status { return status }
        closeStdin()
        Glibc.close(stdout)
        if stderr >= 0 { Glibc.close(stderr) }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        let code = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
        status = code
        return code
    }

    deinit { wait() }
}

/// Runs a program to completion, capturing its output.
enum Subprocess {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String]? = nil) throws -> Result {
        let child = try ChildProcess(executable, arguments, environment: environment, pipeStdin: false, captureStderr: true)
        let (out, err) = child.readToEnd()
        let status = child.wait()
        return Result(status: status, stdout: Data(out), stderr: Data(err))
    }
}

/// Finds `git` on PATH once.
enum GitExecutable {
    static let path: String = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(dir)/git"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/git"
    }()
}
