-- What the community says of designs: replication reports, attestations
-- of revisions, readiness votes, and contributed translations. Rows keep
-- the whole record as JSON beside the columns they are looked up by.
CREATE TABLE reports (
	id         TEXT PRIMARY KEY,
	design_id  TEXT NOT NULL REFERENCES designs(id),
	data       TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX reports_design ON reports (design_id, created_at);

-- One attestation per reviewer and revision; a later one replaces it.
CREATE TABLE attestations (
	design_id   TEXT NOT NULL REFERENCES designs(id),
	revision_id TEXT NOT NULL,
	reviewer    TEXT NOT NULL,
	data        TEXT NOT NULL,
	PRIMARY KEY (design_id, revision_id, reviewer)
);

CREATE TABLE votes (
	design_id   TEXT NOT NULL REFERENCES designs(id),
	revision_id TEXT NOT NULL,
	scale       TEXT NOT NULL,
	voter       TEXT NOT NULL,
	data        TEXT NOT NULL,
	PRIMARY KEY (design_id, revision_id, scale, voter)
);

CREATE TABLE translations (
	seq        INTEGER PRIMARY KEY,
	design_id  TEXT NOT NULL REFERENCES designs(id),
	lang       TEXT NOT NULL,
	data       TEXT NOT NULL
);
CREATE INDEX translations_design ON translations (design_id, lang);
