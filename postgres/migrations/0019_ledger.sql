-- The commons' value accounting. Economic events are append-only and
-- kept by their content hash (the body is their canonical JSON, the
-- other columns what queries filter on). Money movements are groups of
-- rows that add up to zero; balances are sums of rows, never stored.
CREATE TABLE ledger_events (
	seq         BIGSERIAL PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	action      TEXT NOT NULL,
	provider    TEXT NOT NULL,
	receiver    TEXT NOT NULL,
	design      TEXT NOT NULL,
	realization TEXT NOT NULL,
	corrects    TEXT NOT NULL,
	node        TEXT NOT NULL,
	at          TEXT NOT NULL,
	body        TEXT NOT NULL
);
CREATE INDEX ledger_events_design ON ledger_events (design, seq);
CREATE INDEX ledger_events_provider ON ledger_events (provider, seq);
CREATE INDEX ledger_events_receiver ON ledger_events (receiver, seq);
CREATE INDEX ledger_events_realization ON ledger_events (realization, seq);

CREATE TABLE value_policies (
	seq        BIGSERIAL PRIMARY KEY,
	owner      TEXT NOT NULL,
	hash       TEXT NOT NULL,
	body       TEXT NOT NULL,
	set_by     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX value_policies_owner ON value_policies (owner, seq);
CREATE INDEX value_policies_hash ON value_policies (hash);

CREATE TABLE distributions (
	id         TEXT PRIMARY KEY,
	order_ref  TEXT NOT NULL,
	design     TEXT NOT NULL,
	policy     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX distributions_order ON distributions (order_ref);
CREATE INDEX distributions_design ON distributions (design);

CREATE TABLE money_groups (
	id           TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	currency     TEXT NOT NULL,
	ref          TEXT NOT NULL,
	memo         TEXT NOT NULL,
	recorded_by  TEXT NOT NULL,
	confirmer    TEXT NOT NULL,
	confirmed_at TIMESTAMPTZ,
	event        TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX money_groups_ref ON money_groups (ref);

CREATE TABLE money_rows (
	group_id TEXT NOT NULL REFERENCES money_groups (id) ON DELETE CASCADE,
	n        INTEGER NOT NULL,
	account  TEXT NOT NULL,
	amount   BIGINT NOT NULL,
	note     TEXT NOT NULL,
	PRIMARY KEY (group_id, n)
);
CREATE INDEX money_rows_account ON money_rows (account);
