-- Failed logins and sign-ups counted by the login guard, shared by every
-- process of the hub. Rows older than a day are pruned as new ones come.
CREATE TABLE auth_failures (
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_failures_key ON auth_failures (kind, key, at);
CREATE INDEX auth_failures_at ON auth_failures (at);
