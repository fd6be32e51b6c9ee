"""What each socket is sent of a thread (CHT-2): every message at most once, in seq order from where
it joined in, and after `chat.subscribe` with `after_seq`, everything after that seq.

A socket that follows a thread has been sent (or, when hidden from its user, passed over) every
message from its `from_seq` to the thread's last one, live, as each was sent. Subscribing asks for
what came before, down to `after_seq`: only the part of (after_seq, last] it was never sent comes
from the history, and its run then starts lower. So a tab that reconnects, gets a new message live
and then resubscribes with the last seq it had before gets the missed ones once, and the live one
not again. Who sees whose messages in rooms (`sees`) is decided per reader (MOD-2, MOD-4)."""

from __future__ import annotations

from vvtv.domain.values import frozen


@frozen
class CatchUp:
    first: int  # the history to send: seqs first..last, none when first > last
    last: int
    from_seq: int  # where the socket's run starts once it has them


def catch_up(from_seq: int | None, after_seq: int, last_seq: int) -> CatchUp:
    """What a socket following the thread from `from_seq` (None: not following) is sent when it
    subscribes with `after_seq`, the thread's newest seq being `last_seq`."""
    # A seq beyond the newest is one the client cannot have: it gets what there is from now on.
    start = min(after_seq, last_seq) + 1
    if from_seq is None:
        return CatchUp(start, last_seq, start)
    return CatchUp(start, min(last_seq, from_seq - 1), min(from_seq, start))


def sees(*, own: bool, blocked_pair: bool, author_shadowed: bool, reader_shadowed: bool) -> bool:
    """Whether a reader sees a message: always their own; in a room never one of someone they
    stand in a block with, either way (MOD-2); a shadow-quarantined author's only if the reader
    is quarantined too, as in presence, in private threads as well (MOD-4: never told)."""
    if own:
        return True
    return not blocked_pair and (reader_shadowed or not author_shadowed)
