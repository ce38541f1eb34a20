import Foundation

/// What earlier imports learned from git blobs (migration 0002): the stored document a blob parsed
/// to, and the code_hash of a function directory's listing of (relative path, blob id). Git blob ids
/// are content hashes, so an entry never goes stale; with it, importing one commit reads from git
/// only the blobs that commit changed instead of every file of the tree.
///
/// Lookups read the registry; what was learned travels with the import's revision
/// (`ImportedRevision.learnedBlobs`, `learnedListings`) and is stored in the same transaction, and
/// only for documents that transaction stored.
final class BlobCache {
    private let reader: any RegistryReader
    private(set) var learnedDocuments: [String: DocumentHash] = [:]
    private(set) var learnedListings: [String: String] = [:]

    init(reader: any RegistryReader) { self.reader = reader }

    /// The stored documents of those `blobs` an import has seen, by blob id.
    func documents(blobs: [String]) throws -> [String: Document] { try reader.documents(blobs: blobs) }

    /// The code_hash of each known listing digest.
    func codeHashes(listings: [String]) throws -> [String: String] { try reader.codeHashes(listings: listings) }

    /// The listing digest of a package: SHA-256 over `<path bytes> NUL <blob id> NUL` of its files
    /// (links resolved), in the (sorted) order given.
    static func listing(_ files: [CodePackage.File]) -> String? {
        var hasher = SHA256Hasher()
        for file in files {
            guard file.ref.kind == .regular else { return nil }
            hasher.update(file.path.bytes)
            hasher.update([UInt8(0)])
            hasher.update(file.ref.id)
            hasher.update([UInt8(0)])
        }
        return hex(hasher.finalize())
    }

    func learn(blob id: String, document: DocumentHash) { learnedDocuments[id] = document }
    func learn(listing: String, codeHash: String) { learnedListings[listing] = codeHash }

    /// Forgets what was learned (once a revision holding it is written).
    func clearLearned() {
        learnedDocuments.removeAll(keepingCapacity: true)
        learnedListings.removeAll(keepingCapacity: true)
    }
}
