-- Reports the SFU's frame checks raise (issue 16, MOD-1) join the one queue: they have no human
-- reporter, so reporter_id may be NULL, `source` says who raised the report, and `score` is the
-- classifier's (0..1) for the still it kept. SQLite cannot drop a NOT NULL in place: the column
-- is added again without it and the old one dropped (rows, ids and indexes stay); every report
-- filed before was a person's.
ALTER TABLE reports RENAME COLUMN reporter_id TO reporter_id_required;
ALTER TABLE reports ADD COLUMN reporter_id TEXT;
UPDATE reports SET reporter_id = reporter_id_required;
ALTER TABLE reports DROP COLUMN reporter_id_required;
ALTER TABLE reports ADD COLUMN source TEXT NOT NULL DEFAULT 'person'
    CHECK (source IN ('person', 'frame_check'));
-- A person's report names its reporter; a frame check's names none and gives its score.
ALTER TABLE reports ADD COLUMN score REAL
    CHECK ((source = 'person' AND reporter_id IS NOT NULL AND score IS NULL)
           OR (source = 'frame_check' AND reporter_id IS NULL AND score IS NOT NULL));
