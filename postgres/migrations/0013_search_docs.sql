-- One search document per design, in a narrow table of its own: the
-- words as written ('simple') and as stemmed in the design's language,
-- weighted (name A, keywords B, function C, parts and steps D), under one
-- GIN index. A query asks for each word in every configuration at once,
-- so that one index scan and one ts_rank per match answer it (two
-- documents took two of each, and a query per configuration); the texts
-- stay in design_fts, out of the rows a search reads.
CREATE TABLE design_docs (
	design_seq BIGINT PRIMARY KEY REFERENCES designs(seq) ON DELETE CASCADE,
	doc        TSVECTOR NOT NULL
);
INSERT INTO design_docs (design_seq, doc) SELECT design_seq, doc_simple || doc_lang FROM design_fts;
CREATE INDEX design_docs_doc ON design_docs USING GIN (doc);
DROP INDEX design_fts_simple;
DROP INDEX design_fts_lang;
ALTER TABLE design_fts DROP COLUMN doc_simple, DROP COLUMN doc_lang;
