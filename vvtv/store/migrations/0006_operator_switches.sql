-- The operator's switches outlive a restart: the kill-switch ladder's level (the load's and an
-- admin's pin, INV-7) and the incident flag that samples every call's QoS (TEL-2). One row each.
CREATE TABLE kill_switch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    automatic INTEGER NOT NULL,
    override INTEGER,
    updated_at TEXT NOT NULL
);
CREATE TABLE incident_flag (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    active INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
