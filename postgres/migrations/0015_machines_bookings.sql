-- Machines get rows of their own, so that bookings, jobs and history can
-- name one for years: a machine keeps its id when its workshop reorders
-- or removes others, and a removed one stays (removed_at set). The
-- machines already listed keep the ids their records carry.
CREATE TABLE machines (
	id          TEXT PRIMARY KEY,
	facility_id TEXT NOT NULL,
	position    INTEGER NOT NULL,
	data        JSONB NOT NULL,
	removed_at  TIMESTAMPTZ
);
CREATE INDEX machines_facility ON machines (facility_id, position);
INSERT INTO machines (id, facility_id, position, data)
	SELECT m.value->>'id', f.id, m.ord - 1, m.value
	FROM facilities f, jsonb_array_elements(f.data->'machines') WITH ORDINALITY AS m(value, ord)
	WHERE m.value->>'id' IS NOT NULL
	ON CONFLICT DO NOTHING;

-- Machine time. No two active bookings of one machine unit overlap: an
-- exclusion constraint (btree_gist, for the equality on machine and
-- unit beside the range overlap) refuses the second of two racing
-- inserts, whatever the application checked before.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
CREATE TABLE bookings (
	id           UUID PRIMARY KEY,
	machine_id   TEXT NOT NULL REFERENCES machines (id),
	facility_id  TEXT NOT NULL,
	unit         INTEGER NOT NULL DEFAULT 1,
	kind         TEXT NOT NULL CHECK (kind IN ('job', 'session', 'maintenance', 'hold')),
	status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled', 'expired')),
	starts_at    TIMESTAMPTZ NOT NULL,
	ends_at      TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ,
	person       TEXT NOT NULL DEFAULT '',
	job          TEXT NOT NULL DEFAULT '',
	note         TEXT NOT NULL DEFAULT '',
	price        BIGINT NOT NULL DEFAULT 0,
	currency     TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	cancelled_at TIMESTAMPTZ,
	cancelled_by TEXT NOT NULL DEFAULT '',
	CHECK (ends_at > starts_at),
	CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
		machine_id WITH =, unit WITH =, tstzrange(starts_at, ends_at) WITH &&
	) WHERE (status = 'active')
);
CREATE INDEX bookings_machine ON bookings (machine_id, unit, starts_at);
CREATE INDEX bookings_person ON bookings (person, starts_at);
CREATE INDEX bookings_facility ON bookings (facility_id, starts_at);
