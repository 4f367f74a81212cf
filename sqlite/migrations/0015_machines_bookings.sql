-- Machines get rows of their own, so that bookings, jobs and history can
-- name one for years: a machine keeps its id when its workshop reorders
-- or removes others, and a removed one stays (removed_at set). The
-- machines already listed keep the ids their records carry.
CREATE TABLE machines (
	id          TEXT PRIMARY KEY,
	facility_id TEXT NOT NULL,
	position    INTEGER NOT NULL,
	data        TEXT NOT NULL,
	removed_at  TEXT
);
CREATE INDEX machines_facility ON machines (facility_id, position);
INSERT OR IGNORE INTO machines (id, facility_id, position, data)
	SELECT json_extract(m.value, '$.id'), f.id, m.key, m.value
	FROM facilities f, json_each(f.data, '$.machines') m
	WHERE json_extract(m.value, '$.id') IS NOT NULL;

-- Machine time. No two active bookings of one machine unit overlap: the
-- store checks and inserts in one immediate (write-locked) transaction.
-- Times are UTC text with a fixed fraction, so text order is time order.
CREATE TABLE bookings (
	id           TEXT PRIMARY KEY,
	machine_id   TEXT NOT NULL REFERENCES machines (id),
	facility_id  TEXT NOT NULL,
	unit         INTEGER NOT NULL DEFAULT 1,
	kind         TEXT NOT NULL CHECK (kind IN ('job', 'session', 'maintenance', 'hold')),
	status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled', 'expired')),
	starts_at    TEXT NOT NULL,
	ends_at      TEXT NOT NULL,
	expires_at   TEXT,
	person       TEXT NOT NULL DEFAULT '',
	job          TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	price        INTEGER NOT NULL DEFAULT 0,
	currency     TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	cancelled_at TEXT,
	cancelled_by TEXT NOT NULL DEFAULT '',
	CHECK (ends_at > starts_at)
);
CREATE INDEX bookings_machine ON bookings (machine_id, unit, starts_at);
CREATE INDEX bookings_person ON bookings (person, starts_at);
CREATE INDEX bookings_facility ON bookings (facility_id, starts_at);
