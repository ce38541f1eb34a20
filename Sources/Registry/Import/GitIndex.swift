import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// git's index (`.git/index`, versions 2–4) as git itself uses it to tell an unchanged work-tree file
/// without reading it: each entry's blob id and the file's `stat` data when git last hashed it. A
/// file whose `lstat` still matches, and that is not "racily clean" (changed in the same second the
/// index was written), has that blob id. Files are then read only when they changed. An index this
/// reader does not know (a split or sparse index, another hash) gives nil: the caller reads every file.
struct GitIndex {
    struct Entry {
        var id: String
        var mode: UInt32
        var ctime: (Int64, Int64)
        var mtime: (Int64, Int64)
        var ino: UInt32
        var size: UInt32
        /// 0 unless the path is in a merge conflict.
        var stage: Int
        /// `--skip-worktree` or `--assume-unchanged`: git does not look at the file.
        var notChecked: Bool
    }

    /// Entries by path, relative to the configuration root.
    let entries: [RepoPath: Entry]
    /// When the index was written: a file modified at or after it may be racily clean.
    let written: (Int64, Int64)

    static func read(_ git: GitRepository, objectIDLength: Int = 40) -> GitIndex? {
        guard objectIDLength == 40 else { return nil }  // a SHA-256 repository's index: not read here
        let path = git.gitDirectory + "/index"
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: path) else { return nil }
        let prefix = Array(git.prefix.utf8)
        return data.withUnsafeBytes { raw -> GitIndex? in
            let b = raw.bindMemory(to: UInt8.self)
            func u32(_ at: Int) -> UInt32 { UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3]) }
            func u16(_ at: Int) -> UInt16 { UInt16(b[at]) << 8 | UInt16(b[at + 1]) }
            guard b.count >= 12, b[0] == 0x44, b[1] == 0x49, b[2] == 0x52, b[3] == 0x43 else { return nil }  // "DIRC"
            let version = u32(4), count = Int(u32(8))
            guard (2...4).contains(version) else { return nil }
            var entries: [RepoPath: Entry] = [:]
            entries.reserveCapacity(count)
            var at = 12
            var previous: [UInt8] = []
            for _ in 0..<count {
                let start = at
                guard at + 62 <= b.count else { return nil }
                let mode = u32(at + 24)
                let id = hex(Array(UnsafeBufferPointer(rebasing: b[(at + 40)..<(at + 60)])))
                let flags = u16(at + 60)
                at += 62
                var extended: UInt16 = 0
                if flags & 0x4000 != 0 {
                    guard version >= 3, at + 2 <= b.count else { return nil }
                    extended = u16(at)
                    at += 2
                }
                var name: [UInt8]
                if version == 4 {
                    // A varint of bytes to drop from the previous name, then the rest of the name.
                    var strip = 0, byte: UInt8
                    repeat {
                        guard at < b.count else { return nil }
                        byte = b[at]; at += 1
                        strip = (strip << 7) | Int(byte & 0x7f)
                        if byte & 0x80 != 0 { strip += 1 }
                    } while byte & 0x80 != 0
                    guard strip <= previous.count else { return nil }
                    name = Array(previous.dropLast(strip))
                    while at < b.count && b[at] != 0 { name.append(b[at]); at += 1 }
                    at += 1
                } else {
                    name = []
                    while at < b.count && b[at] != 0 { name.append(b[at]); at += 1 }
                    // NUL padding to a multiple of 8 bytes from the entry's start (at least one NUL).
                    at = start + ((at - start) / 8 + 1) * 8
                }
                previous = name
                // A sparse index holds directories as entries: this reader cannot use it.
                if mode & 0o170000 == 0o040000 { return nil }
                guard name.count > prefix.count, name.starts(with: prefix) else { continue }
                let entry = Entry(id: id, mode: mode, ctime: (Int64(u32(start)), Int64(u32(start + 4))),
                                  mtime: (Int64(u32(start + 8)), Int64(u32(start + 12))), ino: u32(start + 20), size: u32(start + 36),
                                  stage: Int((flags >> 12) & 0x3), notChecked: flags & 0x8000 != 0 || extended & 0x4000 != 0)
                entries[RepoPath(bytes: name.dropFirst(prefix.count))] = entry
            }
            // A split index keeps its entries in another file ("link" extension).
            while at + 8 <= b.count - 20 {
                if b[at] == 0x6c && b[at + 1] == 0x69 && b[at + 2] == 0x6e && b[at + 3] == 0x6b { return nil }
                at += 8 + Int(u32(at + 4))
            }
            return GitIndex(entries: entries, written: (Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec)))
        }
    }

    /// The blob id of the regular file at `path` with `stat` data `info`, when the index vouches for it.
    func id(of path: RepoPath, _ info: stat) -> String? {
        guard let e = entries[path], e.stage == 0, !e.notChecked, e.mode & 0o170000 == 0o100000 else { return nil }
        let mtime = (Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec))
        let ctime = (Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec))
        // git stores 32-bit fields: compare truncated values, as git does.
        guard e.mtime.0 == mtime.0 & 0xFFFF_FFFF, e.mtime.1 == mtime.1, e.ctime.0 == ctime.0 & 0xFFFF_FFFF, e.ctime.1 == ctime.1,
              e.size == UInt32(truncatingIfNeeded: info.st_size), e.ino == UInt32(truncatingIfNeeded: info.st_ino) else { return nil }
        // Racily clean: modified no earlier than the index was written; git hashes such a file too.
        if mtime.0 > written.0 || (mtime.0 == written.0 && mtime.1 >= written.1) { return nil }
        return e.id
    }
}
