-- A log of designs whose searchable text changed, so that every process
-- holding an in-memory search index (a serving node, a CLI run) can catch
-- up with commits made by the others.
CREATE TABLE search_changes (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	design_seq INTEGER NOT NULL
);
