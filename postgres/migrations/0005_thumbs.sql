-- The mesh a design's cards show: the first part mesh of its head.
ALTER TABLE designs ADD COLUMN thumb TEXT NOT NULL DEFAULT '';
CREATE INDEX designs_forked ON designs (forked_design);
