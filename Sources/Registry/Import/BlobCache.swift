import Foundation

/// What earlier imports learned from git blobs (migration 0002): the stored document a blob parsed
/// to, and the code_hash of a function directory's listing of (relative path, blob id). Git blob ids
/// are content hashes, so an entry never goes stale; with it, importing one commit reads from git
/// only the blobs that commit changed instead of every file of the tree.
///
/// Lookups read the database; what was learned is written by `save()` inside the import's write
/// transaction, and only for documents that transaction stored.
final class BlobCache {
    private let db: Database
    private var learnedDocuments: [(blob: String, hash: DocumentHash)] = []
    private var learnedListings: [(listing: String, codeHash: String)] = []

    init(store: Store) { db = store.db }

    /// The stored documents of those `blobs` an import has seen, by blob id (one query for all: a
    /// statement per blob would pay SQLite's per-transaction locking thousands of times).
    func documents(blobs: [String]) throws -> [String: Document] {
        guard !blobs.isEmpty else { return [:] }
        var out: [String: Document] = [:]
        out.reserveCapacity(blobs.count)
        for (blob, document) in try db.query("""
            SELECT b.blob, d.hash, d.body FROM blob_documents b JOIN documents d ON d.id = b.document_id
            WHERE b.blob IN (SELECT value FROM json_each(?1))
            """, [.text(JSONWriter.canonical(.array(blobs.map { .string($0) })))], {
                ($0.string(0), Document(hash: DocumentHash($0.bytes(1)), canonical: $0.string(2)))
            }) {
            out[blob] = document
        }
        return out
    }

    /// The code_hash of each known listing digest.
    func codeHashes(listings: [String]) throws -> [String: String] {
        guard !listings.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for (listing, hash) in try db.query("SELECT listing, code_hash FROM code_listings WHERE listing IN (SELECT value FROM json_each(?1))",
                                            [.text(JSONWriter.canonical(.array(listings.map { .string($0) })))], { ($0.string(0), $0.string(1)) }) {
            out[listing] = hash
        }
        return out
    }

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

    func learn(blob id: String, document: DocumentHash) { learnedDocuments.append((id, document)) }
    func learn(listing: String, codeHash: String) { learnedListings.append((listing, codeHash)) }

    /// Records what was learned; call inside the transaction that stored the documents (a blob whose
    /// document that transaction did not store, such as an invalid one, is simply not recorded).
    func save() throws {
        for (blob, hash) in learnedDocuments {
            try db.run("INSERT OR IGNORE INTO blob_documents (blob, document_id) SELECT ?1, id FROM documents WHERE hash = ?2",
                       [.text(blob), .blob(hash.bytes)])
        }
        for (listing, codeHash) in learnedListings {
            try db.run("INSERT OR IGNORE INTO code_listings (listing, code_hash) VALUES (?1, ?2)", [.text(listing), .text(codeHash)])
        }
        learnedDocuments.removeAll(keepingCapacity: true)
        learnedListings.removeAll(keepingCapacity: true)
    }
}
