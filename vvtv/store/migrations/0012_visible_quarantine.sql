-- A moderator's quarantine (MOD-6): the account is limited as a new one is, and told so, until
-- this time, or until a moderator lifts it ('permanent'); NULL: none. A shadow quarantine
-- (MOD-4, `shadow_quarantine`) is apart: applied alike, never told.
ALTER TABLE users ADD COLUMN quarantined_until TEXT;
