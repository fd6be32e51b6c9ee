-- Moderation (MOD-1, MOD-5, TEL-6): every report, from any context, in one queue. A report carries
-- metadata (who, whom, where, which messages by id) and, where the context is video, the last
-- sampled still of the reported stream, kept only until still_expires_at (TEL-3).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    reporter_id TEXT NOT NULL,
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
    still_expires_at TEXT
);
-- The console reads the queue by status (oldest first), and one account's reports.
CREATE INDEX reports_queue ON reports (status, id);
CREATE INDEX reports_target ON reports (target_id, status);
-- Stills past their time are dropped (TEL-3): only the few that are kept are indexed.
CREATE INDEX reports_stills ON reports (still_expires_at) WHERE still_expires_at IS NOT NULL;
-- One history per user: the audit entries about an account (TEL-6).
CREATE INDEX audit_log_target ON audit_log (target_id, id);

-- Chat's reports join the one queue. Their target is whoever wrote the first reported message,
-- else the other member of a private thread; a room report naming no message had none.
INSERT INTO reports (created_at, reporter_id, target_id, context, reason_code, session_id,
                     thread_id, mode_id, message_ids)
SELECT r.created_at, r.reporter_id, t.target_id, 'chat', r.reason_code, r.session_id,
       r.thread_id, r.mode_id, r.message_ids
FROM chat_reports r
JOIN (
    SELECT c.id AS report_id,
           COALESCE(
               (SELECT m.author_id FROM chat_messages m
                WHERE m.id = json_extract(c.message_ids, '$[0]')),
               (SELECT p.user_id FROM chat_participants p
                JOIN chat_threads th ON th.id = p.thread_id AND th.scope = 'private_1to1'
                WHERE p.thread_id = c.thread_id AND p.user_id != c.reporter_id)
           ) AS target_id
    FROM chat_reports c
) t ON t.report_id = r.id
WHERE t.target_id IS NOT NULL
ORDER BY r.id;
DROP TABLE chat_reports;

-- A moderator's warning, shown to its user over /ws at once and at each load until seen.
CREATE TABLE warnings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    seen_at TEXT
);
CREATE INDEX warnings_unseen ON warnings (user_id, seen_at);
