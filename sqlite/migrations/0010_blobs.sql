-- A SQLite node keeps its files in its data folder (PostgreSQL hubs may
-- keep them in the database, their migration 0010): nothing to make here,
-- so that both dialects keep the same version numbers.
SELECT 1;
