-- The durable job queue: background work that must run once however many
-- processes serve (thumbnails and estimates of new files, later
-- federation pulls, dispatch, expiry of holds). A job is enqueued in the
-- transaction of the write that causes it; a worker leases it, runs it
-- and marks it done, or it is tried again later.
CREATE TABLE jobs (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	kind         TEXT NOT NULL,
	args         TEXT NOT NULL,
	unique_key   TEXT UNIQUE,
	state        TEXT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL,
	run_at       TEXT NOT NULL,
	locked_by    TEXT NOT NULL DEFAULT '',
	locked_until TEXT,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	finished_at  TEXT
);
CREATE INDEX jobs_ready ON jobs (state, run_at);
