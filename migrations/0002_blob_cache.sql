-- fnreg schema, version 2: what earlier imports learned from git, so importing one commit reads
-- from git only the blobs that commit changed. Both tables are caches: deleting their rows loses
-- nothing but speed, and every row can be recomputed from the repository.

-- A git blob that parsed to a stored document (blob ids are content hashes: the mapping never changes).
CREATE TABLE blob_documents (
    blob         TEXT PRIMARY KEY,                          -- git object id, hex
    document_id  INTEGER NOT NULL REFERENCES documents (id)
) WITHOUT ROWID;

-- A function directory's code files, as SHA-256 (hex) over its sorted `<relative path> NUL <blob id> NUL`
-- entries, and the code_hash those files give.
CREATE TABLE code_listings (
    listing    TEXT PRIMARY KEY,
    code_hash  TEXT NOT NULL
) WITHOUT ROWID;
