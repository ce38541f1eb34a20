-- fnreg schema, version 5: each revision records a digest of its whole state (the XOR of the
-- SHA-256 of every present key with its document's hash), kept up to date from the revision's
-- changes alone. `fnreg doctor` replays the versions and checks every revision's digest, so a
-- versions row pointed at another valid document is found. NULL for revisions written before.
ALTER TABLE revisions ADD COLUMN state_digest TEXT;
