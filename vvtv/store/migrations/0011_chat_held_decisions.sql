-- A moderator's decision on a message chat auto-moderation held (issue 16): approved (delivered
-- into its thread as the message `message_id`, with its original author) or rejected (never
-- delivered). A held message is decided once: the status moves from `held` only, so of two
-- moderators deciding at once the first wins. The console lists what is still held.
ALTER TABLE chat_held ADD COLUMN status TEXT NOT NULL DEFAULT 'held'
    CHECK (status IN ('held', 'approved', 'rejected'));
ALTER TABLE chat_held ADD COLUMN decided_by TEXT;
ALTER TABLE chat_held ADD COLUMN decided_at TEXT;
ALTER TABLE chat_held ADD COLUMN message_id TEXT;
CREATE INDEX chat_held_status ON chat_held (status, id);
