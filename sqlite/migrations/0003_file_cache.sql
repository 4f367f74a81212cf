-- Results computed from a stored file (mesh analysis, estimates,
-- thumbnails), computed once per file hash and kind of result.
CREATE TABLE file_cache (
	sha256     TEXT NOT NULL,
	kind       TEXT NOT NULL,
	key        TEXT NOT NULL,
	value      BLOB NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (sha256, kind, key)
);
