-- Results computed from a stored file, once per file hash and kind.
CREATE TABLE file_cache (
	sha256     TEXT NOT NULL,
	kind       TEXT NOT NULL,
	key        TEXT NOT NULL,
	value      BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (sha256, kind, key)
);
