import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A reproducible zip archive (PKWARE APPNOTE 6.3): entries in the order given, every timestamp
/// 1980-01-01 00:00, every file mode 0755 (custom-runtime `bootstrap` files and scripts run; the
/// package's identity is its paths and bytes), no extra fields, no comments, no directory entries.
/// File names are written as their bytes (flagged UTF-8 when they are UTF-8). Contents are
/// deflated as they stream in (zlib, level 6), so memory does not depend on file sizes.
struct ZipWriter {
    private let fd: Int32
    private let path: String
    private var offset: UInt64 = 0
    private var central: [UInt8] = []
    private var count = 0

    /// Writes into `fd` (a regular file, seekable: each local header is completed after its data).
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    private static let dosTime: UInt16 = 0
    private static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1  // 1980-01-01
    private static let limit: UInt64 = 0xFFFF_FFFF

    private func le16(_ v: UInt16, _ out: inout [UInt8]) { out += [UInt8(v & 0xff), UInt8(v >> 8)] }
    private func le32(_ v: UInt32, _ out: inout [UInt8]) { out += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }

    private mutating func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try AtomicFile.writeAll(fd, $0, path: path) }
        offset += UInt64(bytes.count)
    }

    /// One file: its name's bytes, and its bytes through `produce`, which calls the given closure
    /// with each piece (every file is deflated; sizes and CRC are filled in after the data).
    mutating func add(name: [UInt8], _ produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard offset < Self.limit, count < 0xFFFF else {
            throw RegistryError.refused("The package is too large for a zip without ZIP64 (4 GiB or 65,535 files); Lambda packages are far smaller.")
        }
        let utf8 = String(validating: name, as: UTF8.self) != nil
        let method: UInt16 = 8
        let flags: UInt16 = utf8 ? 1 << 11 : 0
        let headerOffset = offset
        func header(crc: UInt32, compressed: UInt32, size: UInt32, _ out: inout [UInt8]) {
            le32(0x0403_4b50, &out); le16(20, &out); le16(flags, &out); le16(method, &out)
            le16(Self.dosTime, &out); le16(Self.dosDate, &out)
            le32(crc, &out); le32(compressed, &out); le32(size, &out)
            le16(UInt16(name.count), &out); le16(0, &out)
        }
        var local: [UInt8] = []
        header(crc: 0, compressed: 0, size: 0, &local)
        try emit(local + name)
        var crc = crc32(0, nil, 0)
        var compressed: UInt64 = 0
        var seen = 0
        do {
            var stream = z_stream()
            guard deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw RegistryError.io("zlib could not start compressing.")
            }
            defer { deflateEnd(&stream) }
            var out = [UInt8](repeating: 0, count: 1 << 16)
            func pump(_ flush: Int32) throws {
                repeat {
                    let produced = out.withUnsafeMutableBufferPointer { buffer -> Int in
                        stream.next_out = buffer.baseAddress
                        stream.avail_out = UInt32(buffer.count)
                        deflate(&stream, flush)
                        return buffer.count - Int(stream.avail_out)
                    }
                    if produced > 0 { try emit(Array(out[0..<produced])); compressed += UInt64(produced) }
                } while stream.avail_out == 0
            }
            try produce { piece in
                guard !piece.isEmpty else { return }
                seen += piece.count
                crc = crc32(crc, piece.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(piece.count))
                stream.next_in = UnsafeMutablePointer(mutating: piece.baseAddress!.assumingMemoryBound(to: Bytef.self))
                stream.avail_in = uInt(piece.count)
                try pump(Z_NO_FLUSH)
            }
            stream.next_in = nil
            stream.avail_in = 0
            try pump(Z_FINISH)
        }
        guard UInt64(seen) < Self.limit, compressed < Self.limit else {
            throw RegistryError.refused("A file of the package is too large for a zip without ZIP64 (\(RepoPath(bytes: name))).")
        }
        let size = seen
        // Complete the local header now that the CRC and the sizes are known.
        var completed: [UInt8] = []
        header(crc: UInt32(crc), compressed: UInt32(compressed), size: UInt32(size), &completed)
        let end = offset
        guard lseek(fd, off_t(headerOffset), SEEK_SET) >= 0 else { throw AtomicFile.outputError(path, errno) }
        try completed.withUnsafeBytes { try AtomicFile.writeAll(fd, $0, path: path) }
        guard lseek(fd, off_t(end), SEEK_SET) >= 0 else { throw AtomicFile.outputError(path, errno) }
        // Its central directory record.
        le32(0x0201_4b50, &central); le16((3 << 8) | 20, &central); le16(20, &central); le16(flags, &central); le16(method, &central)
        le16(Self.dosTime, &central); le16(Self.dosDate, &central)
        le32(UInt32(crc), &central); le32(UInt32(compressed), &central); le32(UInt32(size), &central)
        le16(UInt16(name.count), &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
        le32(UInt32(0o100755) << 16, &central); le32(UInt32(headerOffset), &central)
        central += name
        count += 1
    }

    /// Writes the central directory and its end record.
    mutating func finish() throws {
        let start = offset
        let directory = central
        try emit(directory)
        var end: [UInt8] = []
        le32(0x0605_4b50, &end); le16(0, &end); le16(0, &end); le16(UInt16(count), &end); le16(UInt16(count), &end)
        le32(UInt32(directory.count), &end); le32(UInt32(start), &end); le16(0, &end)
        try emit(end)
    }
}
