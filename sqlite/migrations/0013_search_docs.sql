-- PostgreSQL's search documents moved to a table of their own; SQLite's
-- FTS5 table and in-memory index are unchanged. This keeps the two
-- dialects' version numbers in step.
SELECT 1;
