-- Workshops, each stored whole as JSON; the columns are what lists and
-- filters need. Ids are those records travel with (OKW ids are not
-- always UUIDs). Near queries use earthdistance (PostgreSQL's contrib:
-- points on a sphere, a GiST index over ll_to_earth), which every
-- PostgreSQL install ships; PostGIS would add projections and shapes the
-- network does not need.
CREATE EXTENSION IF NOT EXISTS cube WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS earthdistance WITH SCHEMA public;
CREATE TABLE facilities (
	seq        BIGSERIAL PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	lat        DOUBLE PRECISION NOT NULL,
	lon        DOUBLE PRECISION NOT NULL,
	country    TEXT NOT NULL DEFAULT '',
	data       JSONB NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX facilities_earth ON facilities USING GIST (ll_to_earth(lat, lon));

CREATE TABLE facilities_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO facilities_version (id, version) VALUES (1, 0);
