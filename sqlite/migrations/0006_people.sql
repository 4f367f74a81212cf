-- People of this node and what they may change.
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);

-- Secrets are stored as SHA-256 digests, never as given.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	expires_at TEXT NOT NULL
);

CREATE TABLE tokens (
	id          TEXT PRIMARY KEY,
	user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	scope       TEXT NOT NULL,
	secret_hash TEXT NOT NULL UNIQUE,
	created_at  TEXT NOT NULL,
	revoked_at  TEXT
);

-- Maintainers of designs, operators of facilities.
CREATE TABLE roles (
	kind      TEXT NOT NULL,
	object_id TEXT NOT NULL,
	user_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (kind, object_id, user_id)
);

CREATE TABLE proposals (
	id          TEXT PRIMARY KEY,
	design_id   TEXT NOT NULL REFERENCES designs(id),
	from_design TEXT NOT NULL,
	revision_id TEXT NOT NULL REFERENCES revisions(id),
	base        TEXT NOT NULL,
	title       TEXT NOT NULL,
	author      TEXT NOT NULL,
	status      TEXT NOT NULL,
	created_at  TEXT NOT NULL
);
CREATE INDEX proposals_design ON proposals (design_id);

CREATE TABLE tasks (
	id         TEXT PRIMARY KEY,
	design_id  TEXT NOT NULL REFERENCES designs(id),
	data       TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX tasks_design ON tasks (design_id);

-- Comments on proposals and progress on tasks.
CREATE TABLE comments (
	kind       TEXT NOT NULL,
	object_id  TEXT NOT NULL,
	seq        INTEGER PRIMARY KEY,
	author     TEXT NOT NULL,
	text       TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX comments_object ON comments (kind, object_id);

CREATE TABLE events (
	id         INTEGER PRIMARY KEY,
	design_id  TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	summary    TEXT NOT NULL,
	link       TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
);
CREATE INDEX events_design ON events (design_id, id);
CREATE INDEX events_actor ON events (actor, id);
