-- Reports the SFU's frame checks raise (issue 16, MOD-1) join the one queue: they have no human
-- reporter, so reporter_id may be NULL, `source` says who raised the report, and `score` is the
-- classifier's (0..1) for the still it kept. SQLite cannot drop a NOT NULL in place: the table is
-- rebuilt with the same rows, ids and indexes; every report filed before was a person's.
CREATE TABLE reports_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    reporter_id TEXT,
    target_id TEXT NOT NULL,
    context TEXT NOT NULL
        CHECK (context IN ('profile_card', 'chat', 'random', 'private_call', 'live', 'tile')),
    reason_code TEXT NOT NULL,
    session_id TEXT,
    thread_id TEXT,
    mode_id TEXT,
    message_ids TEXT NOT NULL DEFAULT '[]',   -- JSON array of chat message ids
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'claimed', 'decided')),
    claimed_by TEXT,
    claimed_at TEXT,
    decided_by TEXT,
    decided_at TEXT,
    decision TEXT,
    still_id TEXT,
    still BLOB,
    still_expires_at TEXT,
    source TEXT NOT NULL DEFAULT 'person' CHECK (source IN ('person', 'frame_check')),
    score REAL,
    -- A person's report names its reporter; a frame check's names none and gives its score.
    CHECK ((source = 'person' AND reporter_id IS NOT NULL AND score IS NULL)
           OR (source = 'frame_check' AND reporter_id IS NULL AND score IS NOT NULL))
);
INSERT INTO reports_rebuilt (id, created_at, reporter_id, target_id, context, reason_code,
                             session_id, thread_id, mode_id, message_ids, status, claimed_by,
                             claimed_at, decided_by, decided_at, decision, still_id, still,
                             still_expires_at)
SELECT id, created_at, reporter_id, target_id, context, reason_code, session_id, thread_id,
       mode_id, message_ids, status, claimed_by, claimed_at, decided_by, decided_at, decision,
       still_id, still, still_expires_at
FROM reports ORDER BY id;
DROP TABLE reports;
ALTER TABLE reports_rebuilt RENAME TO reports;
-- The same indexes as 0007's (dropped with the old table).
CREATE INDEX reports_queue ON reports (status, id);
CREATE INDEX reports_target ON reports (target_id, status);
CREATE INDEX reports_stills ON reports (still_expires_at) WHERE still_expires_at IS NOT NULL;
