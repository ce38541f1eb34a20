import CCrypto
import Foundation

/// SHA-256 through the system libcrypto (hardware-accelerated, no build cost).
struct SHA256Hasher {
    private let context: OpaquePointer

    init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    mutating func update<B: ContiguousBytes>(_ bytes: B) {
        bytes.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    mutating func update(_ string: String) {
        var s = string
        s.withUTF8 { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }

    /// The 32-byte digest; the hasher cannot be used afterwards.
    func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        EVP_DigestFinal_ex(context, &digest, &length)
        EVP_MD_CTX_free(context)
        return digest
    }

    /// The digest of `bytes`.
    static func hash<B: ContiguousBytes>(_ bytes: B) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { raw in
            _ = digest.withUnsafeMutableBufferPointer {
                CCrypto.SHA256(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, $0.baseAddress)
            }
        }
        return digest
    }

    /// "sha256:" + lowercase hex of the digest of `bytes`.
    static func prefixedHex<B: ContiguousBytes>(_ bytes: B) -> String {
        "sha256:" + hex(hash(bytes))
    }
}

/// Git's object id of a blob with these contents: SHA-1 of `blob <size> NUL <bytes>`, in hex. A file
/// read from a work tree gets the id git would give it, so the blob cache serves work trees too.
func gitBlobID(_ bytes: [UInt8]) -> String {
    let context = EVP_MD_CTX_new()
    defer { EVP_MD_CTX_free(context) }
    EVP_DigestInit_ex(context, EVP_sha1(), nil)
    var header = Array("blob \(bytes.count)".utf8)
    header.append(0)
    _ = EVP_DigestUpdate(context, header, header.count)
    bytes.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    var digest = [UInt8](repeating: 0, count: 20)
    var length: UInt32 = 20
    EVP_DigestFinal_ex(context, &digest, &length)
    return hex(digest)
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// Lowercase hexadecimal of `bytes`.
func hex(_ bytes: [UInt8]) -> String {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Git's blob id computed as the bytes arrive: SHA-1 of `blob <size> NUL <bytes>` (the size is
/// known before the bytes, from `stat` or git's object header).
struct GitBlobHasher {
    private let context: OpaquePointer

    init(size: Int) {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha1(), nil)
        var header = Array("blob \(size)".utf8)
        header.append(0)
        _ = EVP_DigestUpdate(context, header, header.count)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// The blob id in hex; the hasher cannot be used afterwards.
    func finalize() -> String {
        var digest = [UInt8](repeating: 0, count: 20)
        var length: UInt32 = 20
        EVP_DigestFinal_ex(context, &digest, &length)
        EVP_MD_CTX_free(context)
        return hex(digest)
    }
}
