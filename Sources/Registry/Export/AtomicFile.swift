import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file whole or not at all: into a temporary file beside it, flushed to disk, then renamed
/// over the destination. Killed part-way, it leaves the old file (or none) and a temporary file that
/// the next write to the same destination removes.
enum AtomicFile {
    /// Writes `bytes` to `path` with `mode` (the umask applies).
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o666) throws {
        try write(to: path, mode: mode) { fd in
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
        }
    }

    /// Calls `body` with a descriptor of the temporary file, then puts it in place.
    static func write(to path: String, mode: mode_t = 0o666, _ body: (Int32) throws -> Void) throws {
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        removeStaleTemporaries(directory: directory, name: name)
        let temporary = directory + "/." + name + ".fnreg-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw outputError(path, errno) }
        var done = false
        defer { if !done { unlink(temporary) } }
        do {
            try body(fd)
            guard fsync(fd) == 0 else { throw outputError(path, errno) }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw outputError(path, errno) }
        guard rename(temporary, path) == 0 else { throw outputError(path, errno) }
        done = true
        // The rename itself reaches the disk with the directory.
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw outputError(path, n < 0 ? errno : ENOSPC) }
            offset += n
        }
    }

    /// Temporary files of earlier writes to `name` whose process no longer runs.
    static func removeStaleTemporaries(directory: String, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let prefix = "." + name + ".fnreg-"
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
            let rest = entry.dropFirst(prefix.count)
            guard let pid = Int32(rest.prefix { $0 != "-" }) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + entry) }
        }
    }

    static func outputError(_ path: String, _ code: Int32) -> RegistryError {
        let reason: String
        switch code {
        case ENOSPC, EDQUOT: reason = "the disk is full"
        case EROFS: reason = "the file system is read-only"
        case EACCES, EPERM: reason = "permission denied"
        case ENOENT, ENOTDIR: reason = "its directory does not exist"
        case ELOOP: reason = "it is a symbolic link"
        default: reason = String(cString: strerror(code))
        }
        return .output("Cannot write \(path): \(reason); nothing was written there.")
    }

    /// Refuses to write below `root` through a symbolic link: every component of `path` between
    /// `root` and the file must be a real directory (a committed link must not move an output).
    static func checkConfined(_ path: String, to root: String) throws {
        let rootReal = realPath(root) ?? root
        var relative = path
        if path.hasPrefix(root + "/") { relative = String(path.dropFirst(root.count + 1)) } else if path.hasPrefix(rootReal + "/") {
            relative = String(path.dropFirst(rootReal.count + 1))
        } else { return }
        var current = rootReal
        for component in relative.split(separator: "/") {
            if component == ".." { throw RegistryError.refused("\(path) leaves the repository (..); give an explicit --out to write elsewhere.") }
            current += "/" + component
            var info = stat()
            guard lstat(current, &info) == 0 else { return }  // not there yet: created as a directory
            if info.st_mode & S_IFMT == S_IFLNK {
                throw RegistryError.refused("\(current) is a symbolic link; fnreg does not write through links in the repository (give an explicit --out to write elsewhere).")
            }
        }
    }
}
