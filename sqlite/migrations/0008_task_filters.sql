-- The help-wanted feed is filtered in SQL: what it is filtered by gets
-- columns of its own (and skills a table), so that a page of matches is
-- a page of matches however many tasks there are. claim_until is UTC
-- with a fixed nine-digit fraction, so that text order is time order.
ALTER TABLE tasks ADD COLUMN process TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN claim_until TEXT;
ALTER TABLE tasks ADD COLUMN lat REAL NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN lon REAL NOT NULL DEFAULT 0;
UPDATE tasks SET
	process = coalesce(json_extract(data, '$.process'), ''),
	language = coalesce(json_extract(data, '$.language'), ''),
	claim_until = strftime('%Y-%m-%dT%H:%M:%S.000000000Z', json_extract(data, '$.claim_until')),
	lat = coalesce(json_extract(data, '$.lat'), 0),
	lon = coalesce(json_extract(data, '$.lon'), 0);

CREATE TABLE task_skills (
	task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
	skill   TEXT NOT NULL,
	PRIMARY KEY (task_id, skill)
);
INSERT INTO task_skills (task_id, skill)
	SELECT DISTINCT t.id, s.value FROM tasks t, json_each(t.data, '$.skills') s WHERE json_type(t.data, '$.skills') = 'array';
CREATE INDEX task_skills_skill ON task_skills (skill, task_id);
CREATE INDEX tasks_feed ON tasks (status, created_at);
