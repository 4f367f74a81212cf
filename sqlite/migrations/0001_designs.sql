-- Designs, their immutable revisions and the files they refer to.
-- Ids are global (UUIDv7 for designs, SHA-256 for revisions and files);
-- seq is a node-local row number used only to key the search index.
CREATE TABLE revisions (
	id         TEXT PRIMARY KEY,
	content    TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE designs (
	seq             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	slug            TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	head            TEXT NOT NULL REFERENCES revisions(id),
	forked_design   TEXT,
	forked_revision TEXT,
	function        TEXT NOT NULL DEFAULT '',
	license         TEXT NOT NULL DEFAULT '',
	version         TEXT NOT NULL DEFAULT '',
	otrl            INTEGER NOT NULL DEFAULT 0,
	odrl            INTEGER NOT NULL DEFAULT 0,
	languages       TEXT NOT NULL DEFAULT '',
	parts           INTEGER NOT NULL DEFAULT 0,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
);
CREATE INDEX designs_updated ON designs (updated_at);

CREATE TABLE design_revisions (
	design_id   TEXT NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	revision_id TEXT NOT NULL REFERENCES revisions(id),
	message     TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	PRIMARY KEY (design_id, seq)
);
CREATE INDEX design_revisions_revision ON design_revisions (revision_id);

CREATE TABLE files (
	sha256     TEXT PRIMARY KEY,
	size       INTEGER NOT NULL,
	media_type TEXT NOT NULL,
	name       TEXT NOT NULL
);

CREATE TABLE revision_files (
	revision_id TEXT NOT NULL REFERENCES revisions(id),
	sha256      TEXT NOT NULL REFERENCES files(sha256),
	PRIMARY KEY (revision_id, sha256)
);
CREATE INDEX revision_files_sha ON revision_files (sha256);

-- Filter values of each design's head revision: license ids, processes,
-- materials and languages, lower case.
CREATE TABLE design_facets (
	facet      TEXT NOT NULL,
	value      TEXT NOT NULL,
	design_seq INTEGER NOT NULL REFERENCES designs(seq) ON DELETE CASCADE,
	PRIMARY KEY (facet, value, design_seq)
);
CREATE INDEX design_facets_design ON design_facets (design_seq);

CREATE VIRTUAL TABLE design_fts USING fts5 (
	name, function, keywords, parts, steps,
	tokenize = 'unicode61 remove_diacritics 2'
);
