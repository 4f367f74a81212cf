-- A log of designs whose searchable text changed (kept for parity with
-- SQLite, whose in-memory index follows it; PostgreSQL searches itself).
CREATE TABLE search_changes (
	id         BIGSERIAL PRIMARY KEY,
	design_seq BIGINT NOT NULL
);
