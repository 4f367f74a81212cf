-- Federation: the node's keys, the logs it keeps (its own and those it
-- follows), the peers it follows, and entries two versions of which were
-- seen (kept, never resolved). Designs and facilities learned from a
-- peer name the node that owns them, their home ('' is this node); a
-- fork names the node of the design it started from.
CREATE TABLE node_keys (
	seq        INTEGER PRIMARY KEY,
	public     TEXT NOT NULL UNIQUE,
	sealed     BLOB NOT NULL, -- the private key, encrypted with the node's passphrase
	created_at TEXT NOT NULL,
	retired_at TEXT
);

CREATE TABLE logs (
	node TEXT PRIMARY KEY,
	key  TEXT NOT NULL,    -- the public key that signs the log now
	seq  INTEGER NOT NULL, -- the last entry kept
	last TEXT NOT NULL,    -- its hash
	tree BLOB NOT NULL     -- the Merkle tree as a compact range: hashes end to end
);

CREATE TABLE feed_entries (
	node        TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	body        BLOB NOT NULL, -- the entry's canonical JSON, signed
	root        TEXT NOT NULL, -- the log's Merkle root after it
	received_at TEXT NOT NULL,
	PRIMARY KEY (node, seq)
);
CREATE INDEX feed_entries_kind ON feed_entries (node, kind, seq);

CREATE TABLE peers (
	node      TEXT PRIMARY KEY,
	url       TEXT NOT NULL UNIQUE,
	name      TEXT NOT NULL DEFAULT '',
	domain    TEXT NOT NULL DEFAULT '',
	status    TEXT NOT NULL DEFAULT 'new',
	error     TEXT NOT NULL DEFAULT '',
	synced_at TEXT,
	added_at  TEXT NOT NULL
);

CREATE TABLE feed_conflicts (
	seq       INTEGER PRIMARY KEY,
	node      TEXT NOT NULL,
	entry_seq INTEGER NOT NULL,
	hash      TEXT NOT NULL,
	body      BLOB NOT NULL,
	source    TEXT NOT NULL,
	seen_at   TEXT NOT NULL,
	UNIQUE (node, entry_seq, hash)
);

ALTER TABLE designs ADD COLUMN home TEXT NOT NULL DEFAULT '';
ALTER TABLE designs ADD COLUMN forked_node TEXT NOT NULL DEFAULT '';
ALTER TABLE facilities ADD COLUMN home TEXT NOT NULL DEFAULT '';
CREATE INDEX designs_home ON designs (home);
CREATE INDEX facilities_home ON facilities (home);

-- A proposal from another node (or sent to one) names that node and its
-- id there, once.
ALTER TABLE proposals ADD COLUMN from_node TEXT NOT NULL DEFAULT '';
ALTER TABLE proposals ADD COLUMN remote TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX proposals_remote ON proposals (from_node, remote) WHERE remote <> '';

-- The nodes that follow this one and said so, signed: what a workshop
-- shares with followers only is served to them, on signed requests.
CREATE TABLE followers (
	node     TEXT PRIMARY KEY,
	url      TEXT NOT NULL,
	key      TEXT NOT NULL, -- its key when it said so
	added_at TEXT NOT NULL
);

-- Fediverse accounts (ActivityPub actors) following this node: new
-- designs are delivered to their inboxes.
CREATE TABLE ap_followers (
	actor    TEXT PRIMARY KEY,
	inbox    TEXT NOT NULL,
	added_at TEXT NOT NULL
);
