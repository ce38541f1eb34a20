import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Long text output goes through a pager when it is for a person, as git's does: only when stdout is
/// a terminal, with `$FNREG_PAGER`, else `$PAGER`, else `less` (with `LESS=FRX` when unset: it quits
/// when the text fits on one screen, keeps colours, does not clear the screen). `--no-pager`, or a
/// pager of `cat` or "", writes directly.
enum Pager {
    nonisolated(unsafe) private static var pid: pid_t = 0

    /// Starts the pager and points stdout at it; true when colour may be used (stdout was a terminal).
    @discardableResult
    static func start(disabled: Bool) -> Bool {
        guard isatty(1) != 0 else { return false }
        let env = ProcessInfo.processInfo.environment
        let command = env["FNREG_PAGER"] ?? env["PAGER"] ?? "less"
        guard !disabled, !command.trimmingCharacters(in: .whitespaces).isEmpty, command != "cat" else { return true }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return true }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        var environment = env
        if environment["LESS"] == nil { environment["LESS"] = "FRX" }
        if environment["LV"] == nil { environment["LV"] = "-c" }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in envp { free(p) } }
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        defer { for p in argv { free(p) } }
        var child = pid_t()
        guard posix_spawn(&child, "/bin/sh", &actions, nil, argv, envp) == 0 else {
            close(fds[0]); close(fds[1])
            return true
        }
        close(fds[0])
        dup2(fds[1], 1)
        close(fds[1])
        pid = child
        return true
    }

    /// Ends the output: closes stdout so the pager sees the end, and waits for it to quit.
    static func finish() {
        guard pid != 0 else { return }
        close(1)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
    }
}
