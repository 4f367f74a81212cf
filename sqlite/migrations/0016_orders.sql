-- Orders: what a person asked for, one request per workshop, and every
-- change of a request's state or message on it, with who and when. The
-- records are JSON; the columns are what lists and conditional updates
-- need.
CREATE TABLE orders (
	id         TEXT PRIMARY KEY,
	person     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	data       TEXT NOT NULL
);
CREATE INDEX orders_person ON orders (person, created_at);

CREATE TABLE order_requests (
	id          TEXT PRIMARY KEY,
	order_id    TEXT NOT NULL REFERENCES orders (id),
	facility_id TEXT NOT NULL,
	state       TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	data        TEXT NOT NULL
);
CREATE INDEX order_requests_order ON order_requests (order_id);
CREATE INDEX order_requests_facility ON order_requests (facility_id, updated_at);

CREATE TABLE order_events (
	seq        INTEGER PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES order_requests (id),
	kind       TEXT NOT NULL,
	state      TEXT NOT NULL DEFAULT '',
	by_name    TEXT NOT NULL,
	at         TEXT NOT NULL,
	text       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX order_events_request ON order_events (request_id, seq);

-- A person's inbox on this node.
CREATE TABLE notifications (
	id      INTEGER PRIMARY KEY,
	user_id TEXT NOT NULL,
	at      TEXT NOT NULL,
	text    TEXT NOT NULL,
	link    TEXT NOT NULL DEFAULT '',
	read    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications (user_id, id);
