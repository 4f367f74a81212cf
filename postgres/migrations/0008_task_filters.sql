-- The help-wanted feed is filtered in SQL.
ALTER TABLE tasks ADD COLUMN process TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN claim_until TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN lat DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN lon DOUBLE PRECISION NOT NULL DEFAULT 0;

CREATE TABLE task_skills (
	task_id UUID NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
	skill   TEXT NOT NULL,
	PRIMARY KEY (task_id, skill)
);
CREATE INDEX task_skills_skill ON task_skills (skill, task_id);
CREATE INDEX tasks_feed ON tasks (status, created_at);
