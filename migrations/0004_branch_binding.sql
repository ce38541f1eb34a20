-- fnreg schema, version 4: a registry is the record of one branch of one repository (or of one
-- plain directory), bound at its first import; revisions record rewrites of that branch.
-- fnreg:foreign-keys-off  (the revisions table is rebuilt, SQLite's documented procedure)

-- What the database records: one row, written with the first revision.
CREATE TABLE binding (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    kind         TEXT NOT NULL CHECK (kind IN ('git', 'directory')),
    root_commit  TEXT,                    -- git: the root commit of the branch's first-parent history
    branch       TEXT,                    -- git: the tracked branch
    prefix       TEXT NOT NULL DEFAULT '',-- git: the configuration root inside the work tree ("" at the top)
    source_path  TEXT,                    -- where the first import read (shown, never used to decide)
    bound_at     INTEGER NOT NULL
);

-- A commit can now be recorded twice (a branch reset backwards re-records an older commit as a new
-- revision), so commit_id is no longer unique. rewrite_of: the first revision recorded after a
-- rewrite of the branch names the revision of the commit that was no longer on it. allow_list: the
-- rules and secrets allow-list the revision was validated under (documents validated under the
-- same are not validated again).
CREATE TABLE revisions_v4 (
    number         INTEGER PRIMARY KEY,
    commit_id      TEXT,
    author_name    TEXT,
    author_email   TEXT,
    committed_at   INTEGER NOT NULL,
    message        TEXT NOT NULL DEFAULT '',
    imported_at    INTEGER NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('commit', 'worktree')),
    skipped        INTEGER NOT NULL DEFAULT 0,
    skip_reason    TEXT,
    warnings       TEXT,
    rewrite_of     INTEGER REFERENCES revisions_v4 (number),
    validation     TEXT
);
INSERT INTO revisions_v4 (number, commit_id, author_name, author_email, committed_at, message, imported_at, source, skipped, skip_reason, warnings)
    SELECT number, commit_id, author_name, author_email, committed_at, message, imported_at, source, skipped, skip_reason, warnings FROM revisions;
DROP TABLE revisions;
ALTER TABLE revisions_v4 RENAME TO revisions;
CREATE INDEX revisions_committed_at ON revisions (committed_at, number);
CREATE INDEX revisions_commit ON revisions (commit_id, number);
