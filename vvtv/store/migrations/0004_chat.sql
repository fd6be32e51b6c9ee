-- Chat (CHT-1..4, MOD-1): one thread model for every scope. A thread is unique by (scope, key):
-- a private thread's key is its sorted pair, so A–B is one thread forever (CHT-1); a room's is
-- the room. Messages are numbered per thread (seq 1, 2, 3 …), which orders history and resumes.
CREATE TABLE chat_threads (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL
        CHECK (scope IN ('private_1to1', 'room', 'performer_room', 'live_public')),
    key TEXT NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (scope, key)
);

CREATE TABLE chat_participants (
    thread_id TEXT NOT NULL REFERENCES chat_threads (id),
    user_id TEXT NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
) WITHOUT ROWID;
CREATE INDEX chat_participants_user ON chat_participants (user_id);

CREATE TABLE chat_messages (
    thread_id TEXT NOT NULL REFERENCES chat_threads (id),
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    client_id TEXT,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, seq)
) WITHOUT ROWID;

-- Reports carry metadata only (MOD-1): the reported messages by id, never their bodies.
CREATE TABLE chat_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL REFERENCES chat_threads (id),
    reporter_id TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    session_id TEXT,
    mode_id TEXT,
    message_ids TEXT NOT NULL,          -- JSON array of message ids
    created_at TEXT NOT NULL
);
