-- fnreg schema, version 3: digests of the sets of files known to give a revision's state
-- (SourceTree.digest: the relevant paths with their kinds and git blob ids). The stored state is a
-- function of those files alone, so a work tree whose digest is recorded for the latest revision is
-- unchanged, and `fnreg import` can say so after reading the files, without rebuilding and
-- validating the whole state. A cache like 0002: without a row, an import only takes the longer way.
CREATE TABLE tree_digests (
    revision  INTEGER NOT NULL REFERENCES revisions (number),
    digest    TEXT NOT NULL,
    PRIMARY KEY (revision, digest)
) WITHOUT ROWID;
