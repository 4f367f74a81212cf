-- People of this node and what they may change.
CREATE TABLE users (
	id            UUID PRIMARY KEY,
	name          TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	admin         BOOLEAN NOT NULL DEFAULT false,
	created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf       TEXT NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tokens (
	id          UUID PRIMARY KEY,
	user_id     UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name        TEXT NOT NULL,
	scope       TEXT NOT NULL,
	secret_hash TEXT NOT NULL UNIQUE,
	created_at  TIMESTAMPTZ NOT NULL,
	revoked_at  TIMESTAMPTZ
);

CREATE TABLE roles (
	kind      TEXT NOT NULL,
	object_id TEXT NOT NULL,
	user_id   UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (kind, object_id, user_id)
);

CREATE TABLE proposals (
	id          UUID PRIMARY KEY,
	design_id   UUID NOT NULL REFERENCES designs(id),
	from_design UUID NOT NULL,
	revision_id TEXT NOT NULL REFERENCES revisions(id),
	base        TEXT NOT NULL,
	title       TEXT NOT NULL,
	author      TEXT NOT NULL,
	status      TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX proposals_design ON proposals (design_id);

CREATE TABLE tasks (
	id         UUID PRIMARY KEY,
	design_id  UUID NOT NULL REFERENCES designs(id),
	data       JSONB NOT NULL,
	status     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tasks_design ON tasks (design_id);

CREATE TABLE comments (
	kind       TEXT NOT NULL,
	object_id  TEXT NOT NULL,
	seq        BIGSERIAL PRIMARY KEY,
	author     TEXT NOT NULL,
	text       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_object ON comments (kind, object_id);

CREATE TABLE events (
	id         BIGSERIAL PRIMARY KEY,
	design_id  TEXT NOT NULL DEFAULT '',
	actor      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	summary    TEXT NOT NULL,
	link       TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_design ON events (design_id, id);
CREATE INDEX events_actor ON events (actor, id);
