-- Who ended a session (SES-3): the participant who hung up or went silent, NULL when the system
-- ended it; the others are told, and a reloaded call screen can still say who left.
ALTER TABLE sessions ADD COLUMN ended_by TEXT;
