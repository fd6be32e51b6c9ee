-- The 24/7 channel (vvtv/lab): its catalog, the OwnerCard versions (POL-1/2), and what prepare
-- measured and refused. Its audit entries (commands, policy changes, what aired) go to audit_log.
CREATE TABLE catalog_items (
    id TEXT PRIMARY KEY,
    item TEXT NOT NULL,                 -- the MediaItem as JSON
    added_at TEXT NOT NULL
);

CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY,
    card TEXT NOT NULL,                 -- the OwnerCard as JSON
    author TEXT NOT NULL,
    created_at TEXT NOT NULL,
    diff TEXT NOT NULL                  -- list of FieldChange as JSON
);

CREATE TABLE prepared_loudness (
    prepared_id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL,
    target_lufs REAL NOT NULL,
    measurement TEXT NOT NULL,          -- ffmpeg loudnorm's first-pass JSON
    measured_at TEXT NOT NULL
);

CREATE TABLE qa_rejections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
