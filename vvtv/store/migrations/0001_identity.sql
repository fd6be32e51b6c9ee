-- Accounts, login sessions (refresh tokens), blocks and the append-only audit log.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'mod', 'admin')),
    created_at TEXT NOT NULL,
    age_confirmed_at TEXT NOT NULL,
    terms_version TEXT NOT NULL,
    banned_until TEXT,              -- NULL: not banned; an ISO time; or 'permanent'
    ban_reason TEXT,
    shadow_quarantine INTEGER NOT NULL DEFAULT 0,
    reputation INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE auth_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    device_id TEXT,
    refresh_hash TEXT NOT NULL UNIQUE,  -- sha256 of the current refresh token; rotated on use
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id),
    blocked_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id TEXT,                  -- NULL: the system or the shell
    action TEXT NOT NULL,
    target_id TEXT,
    reason TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    trace_id TEXT
);

-- Append-only: the log can grow, never change.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
