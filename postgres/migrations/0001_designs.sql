-- Designs, their immutable revisions and the files they refer to, as in
-- the SQLite store (same version numbers, same tables). Revision content
-- is kept byte for byte (bytea): its SHA-256 is the revision's id.
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

CREATE TABLE revisions (
	id         TEXT PRIMARY KEY,
	content    BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE designs (
	seq             BIGSERIAL PRIMARY KEY,
	id              UUID NOT NULL UNIQUE,
	slug            TEXT NOT NULL UNIQUE,
	name            TEXT NOT NULL,
	head            TEXT NOT NULL REFERENCES revisions(id),
	forked_design   UUID,
	forked_revision TEXT,
	function        TEXT NOT NULL DEFAULT '',
	license         TEXT NOT NULL DEFAULT '',
	version         TEXT NOT NULL DEFAULT '',
	otrl            INTEGER NOT NULL DEFAULT 0,
	odrl            INTEGER NOT NULL DEFAULT 0,
	languages       TEXT NOT NULL DEFAULT '',
	parts           INTEGER NOT NULL DEFAULT 0,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX designs_updated ON designs (updated_at);

CREATE TABLE design_revisions (
	design_id   UUID NOT NULL REFERENCES designs(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	revision_id TEXT NOT NULL REFERENCES revisions(id),
	message     TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (design_id, seq)
);
CREATE INDEX design_revisions_revision ON design_revisions (revision_id);

CREATE TABLE files (
	sha256     TEXT PRIMARY KEY,
	size       BIGINT NOT NULL,
	media_type TEXT NOT NULL,
	name       TEXT NOT NULL
);

CREATE TABLE revision_files (
	revision_id TEXT NOT NULL REFERENCES revisions(id),
	sha256      TEXT NOT NULL REFERENCES files(sha256),
	PRIMARY KEY (revision_id, sha256)
);
CREATE INDEX revision_files_sha ON revision_files (sha256);

CREATE TABLE design_facets (
	facet      TEXT NOT NULL,
	value      TEXT NOT NULL,
	design_seq BIGINT NOT NULL REFERENCES designs(seq) ON DELETE CASCADE,
	PRIMARY KEY (facet, value, design_seq)
);
CREATE INDEX design_facets_design ON design_facets (design_seq);

-- The searchable text of each design's head: the columns SQLite's FTS5
-- table has, and the weighted document PostgreSQL searches (name A,
-- keywords B, function C, parts and steps D), in 'simple' (every
-- language, words as written) and in the design's own language's
-- configuration (stems), each with a GIN index.
CREATE TABLE design_fts (
	design_seq BIGINT PRIMARY KEY REFERENCES designs(seq) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	function   TEXT NOT NULL,
	keywords   TEXT NOT NULL,
	parts      TEXT NOT NULL,
	steps      TEXT NOT NULL,
	config     REGCONFIG NOT NULL DEFAULT 'simple',
	doc_simple TSVECTOR NOT NULL,
	doc_lang   TSVECTOR NOT NULL
);
CREATE INDEX design_fts_simple ON design_fts USING GIN (doc_simple);
CREATE INDEX design_fts_lang ON design_fts USING GIN (doc_lang);
