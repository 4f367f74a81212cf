-- The durable job queue (see the SQLite migration of the same number).
CREATE TABLE jobs (
	id           BIGSERIAL PRIMARY KEY,
	kind         TEXT NOT NULL,
	args         JSONB NOT NULL,
	unique_key   TEXT UNIQUE,
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	run_at       TIMESTAMPTZ NOT NULL,
	locked_by    TEXT NOT NULL DEFAULT '',
	locked_until TIMESTAMPTZ,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	finished_at  TIMESTAMPTZ
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
