-- Sessions (SES-1..12): one row per session, rewritten on every state change, with the figures
-- of its cost estimate (SES-12, INV-10). Rows are never deleted: lineage and cost stay auditable.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    audience_type TEXT NOT NULL,
    stream_transport TEXT NOT NULL,
    intent_label TEXT NOT NULL,
    media_profile TEXT,
    webrtc INTEGER NOT NULL,              -- 1: the media provider holds endpoints for it
    participants TEXT NOT NULL,           -- JSON array of user ids
    policy TEXT NOT NULL,                 -- JSON policy snapshot (config version, tier, policy)
    parent_session_id TEXT REFERENCES sessions (id),
    state TEXT NOT NULL
        CHECK (state IN ('creating', 'active', 'ending', 'ended', 'failed')),
    created_at TEXT NOT NULL,
    started_at TEXT,                      -- media could flow from here: the cost clock starts
    ended_at TEXT,
    end_reason TEXT,
    bitrate_kbps INTEGER NOT NULL,        -- the profile's video + audio ceiling
    direction_factor REAL NOT NULL,       -- per ecosystem (cost.direction_factor)
    estimated_egress_bytes INTEGER NOT NULL DEFAULT 0
);
-- Start-up reconciliation looks for what a dead process left unfinished.
CREATE INDEX sessions_unfinished ON sessions (state) WHERE state IN ('creating', 'active', 'ending');
CREATE INDEX sessions_parent ON sessions (parent_session_id);
