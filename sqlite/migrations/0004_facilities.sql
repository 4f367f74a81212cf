-- Workshops of the local network, each stored whole as JSON (machines
-- included); the columns are what lists and filters need.
CREATE TABLE facilities (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	lat        REAL NOT NULL,
	lon        REAL NOT NULL,
	country    TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- Bumped on every change, so processes holding the network in memory
-- know when to reload it.
CREATE TABLE facilities_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO facilities_version (id, version) VALUES (1, 0);
