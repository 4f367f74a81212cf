-- What the community says of designs. Rows keep the whole record as JSON
-- beside the columns they are looked up by; seq keeps the order they
-- came in (SQLite's rowid).
CREATE TABLE reports (
	id         UUID PRIMARY KEY,
	design_id  UUID NOT NULL REFERENCES designs(id),
	data       JSONB NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_design ON reports (design_id, created_at);

CREATE TABLE attestations (
	seq         BIGSERIAL NOT NULL UNIQUE,
	design_id   UUID NOT NULL REFERENCES designs(id),
	revision_id TEXT NOT NULL,
	reviewer    TEXT NOT NULL,
	data        JSONB NOT NULL,
	PRIMARY KEY (design_id, revision_id, reviewer)
);

CREATE TABLE votes (
	seq         BIGSERIAL NOT NULL UNIQUE,
	design_id   UUID NOT NULL REFERENCES designs(id),
	revision_id TEXT NOT NULL,
	scale       TEXT NOT NULL,
	voter       TEXT NOT NULL,
	data        JSONB NOT NULL,
	PRIMARY KEY (design_id, revision_id, scale, voter)
);

CREATE TABLE translations (
	seq        BIGSERIAL PRIMARY KEY,
	design_id  UUID NOT NULL REFERENCES designs(id),
	lang       TEXT NOT NULL,
	data       JSONB NOT NULL
);
CREATE INDEX translations_design ON translations (design_id, lang);
