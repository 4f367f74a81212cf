-- Failed logins and sign-ups counted by the login guard, in the store so
-- that every process of a node (the server, the command line, several
-- servers of a hub) counts them together. Rows older than a day are
-- pruned as new ones come.
CREATE TABLE auth_failures (
	kind TEXT NOT NULL,
	key  TEXT NOT NULL,
	at   TEXT NOT NULL
);
CREATE INDEX auth_failures_key ON auth_failures (kind, key, at);
CREATE INDEX auth_failures_at ON auth_failures (at);
