-- Chat's safety records (issue 16). Messages auto-moderation held for a moderator's review, with
-- the rule that held them (the body is kept for that review and nowhere else, TEL-3); chat
-- timeouts (an automod `timeout` rule, Shield Mode's sweep), so a restart keeps them; and where
-- Shield Mode stands, one row.
CREATE TABLE chat_held (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL REFERENCES chat_threads (id),
    scope TEXT NOT NULL,
    author_id TEXT NOT NULL,
    body TEXT NOT NULL,
    rule TEXT NOT NULL,
    client_id TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE chat_timeouts (
    user_id TEXT PRIMARY KEY,
    until TEXT NOT NULL,
    reason TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX chat_messages_sent_at ON chat_messages (sent_at);

CREATE TABLE shield_mode (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    active INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
