-- Who takes part in each session, one row per participant, so a user's sessions are found by
-- index: sessions.max_concurrent_per_user is checked before every new session (OPS-5), and a
-- scan of every unfinished session's participants took ~36 ms at 10,000 of them.
CREATE TABLE session_participants (
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id),
    PRIMARY KEY (user_id, session_id)
) WITHOUT ROWID;
INSERT INTO session_participants (user_id, session_id)
    SELECT json_each.value, sessions.id FROM sessions, json_each(sessions.participants);
