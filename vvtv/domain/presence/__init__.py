"""Presence rooms (PRS-1..5, OPS-4/5, MOD-2/4/6) as a pure `decide(room, message, now)`: one
room per ecosystem, its members and watchers, who sees whom, the one query and batched diffs."""
