-- fnreg schema, version 1.
-- Documents are content-addressed; revisions store only what changed (one `versions` row per
-- changed key); the state of any key at revision r is its newest version with revision <= r.

-- Every distinct JSON document once, addressed by the SHA-256 of its canonical JSON.
CREATE TABLE documents (
    id    INTEGER PRIMARY KEY,
    hash  BLOB NOT NULL UNIQUE,     -- 32 bytes: SHA-256 of `body`
    body  TEXT NOT NULL             -- canonical JSON (RFC 8785 style)
);

-- One row per import, numbered 1, 2, 3, ... in import order.
CREATE TABLE revisions (
    number         INTEGER PRIMARY KEY,
    commit_id      TEXT UNIQUE,              -- NULL for a work tree that is not a clean git checkout
    author_name    TEXT,
    author_email   TEXT,
    committed_at   INTEGER NOT NULL,         -- committer time (unix seconds); import time for work trees
    message        TEXT NOT NULL DEFAULT '',
    imported_at    INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('commit', 'worktree')),
    skipped        INTEGER NOT NULL DEFAULT 0,   -- 1: invalid commit recorded by --skip-invalid
    skip_reason    TEXT,
    warnings       TEXT                      -- JSON array of warning diagnostics, or NULL
);
CREATE INDEX revisions_committed_at ON revisions (committed_at, number);

-- What can change between revisions: a base config, a function's directory, its code hash,
-- an environment's existence, its environment.json, one override.
CREATE TABLE keys (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('base', 'path', 'code', 'environment', 'envpatch', 'override')),
    environment  TEXT NOT NULL DEFAULT '',
    function     TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, environment, function)
);
CREATE INDEX keys_environment ON keys (environment, kind);

-- The delta: a key's value from `revision` on, until a newer row; NULL document = deleted.
CREATE TABLE versions (
    key_id       INTEGER NOT NULL REFERENCES keys (id),
    revision     INTEGER NOT NULL REFERENCES revisions (number),
    document_id  INTEGER REFERENCES documents (id),
    PRIMARY KEY (key_id, revision)
) WITHOUT ROWID;
CREATE INDEX versions_revision ON versions (revision);

-- The second timeline: what was deployed where.
CREATE TABLE deployments (
    number         INTEGER PRIMARY KEY,
    environment    TEXT NOT NULL,
    revision       INTEGER NOT NULL REFERENCES revisions (number),
    snapshot_hash  TEXT NOT NULL,
    deployed_at    INTEGER NOT NULL,
    deployed_by    TEXT NOT NULL,
    note           TEXT,
    kind           TEXT NOT NULL CHECK (kind IN ('deploy', 'rollback')),
    restores       INTEGER REFERENCES deployments (number)
);
CREATE INDEX deployments_environment ON deployments (environment, deployed_at, number);
