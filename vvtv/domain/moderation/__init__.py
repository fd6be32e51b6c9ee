"""Moderation (MOD-1, MOD-3..5, TEL-6) as pure rules: a report's life in the moderators' queue
(open, claimed, decided) and what each decision does to the reported account."""
