"""Chat (CHT-1..4, MOD-2): one thread model for every scope, as pure rules: the thread and its
sequence, who may read and send, what a message may hold per scope, and the per-scope rate."""
