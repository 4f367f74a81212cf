-- Runs: one part line's job on one booked machine, from queued to done,
-- with what the machine reported (time, material, energy). Finished runs
-- per machine give the correction the planner applies to its estimates.
CREATE TABLE runs (
	id          TEXT PRIMARY KEY,
	request_id  TEXT NOT NULL,
	facility_id TEXT NOT NULL,
	machine_id  TEXT NOT NULL,
	state       TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	data        TEXT NOT NULL
);
CREATE INDEX runs_machine ON runs (machine_id, state, updated_at);
CREATE INDEX runs_facility ON runs (facility_id, updated_at);
CREATE INDEX runs_request ON runs (request_id);
