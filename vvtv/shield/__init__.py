"""Shield Mode: the operator's one switch for a raid (issue 16)."""
