-- Files of a hub whose processes share no folder: kept in the database,
-- in chunks of 1 MiB, each with its own SHA-256 so that any part read is
-- checked, and the whole named by its SHA-256 as on disk. (SQLite nodes
-- keep files in their data folder; these tables are PostgreSQL's only.)
CREATE TABLE blobs (
	sha256     TEXT PRIMARY KEY,
	size       BIGINT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE blob_chunks (
	sha256       TEXT NOT NULL REFERENCES blobs(sha256) ON DELETE CASCADE,
	seq          INTEGER NOT NULL,
	chunk_sha256 TEXT NOT NULL,
	data         BYTEA NOT NULL,
	PRIMARY KEY (sha256, seq)
);
