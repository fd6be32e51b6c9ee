"""What each socket is sent of a thread (CHT-2): each message at most once, and after a subscribe
with `after_seq` everything after it, whatever the order of live sends, subscribes and sockets
joining in; who sees whom in rooms (MOD-2, MOD-4)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vvtv.domain.chat.delivery import CatchUp
from vvtv.domain.chat.delivery import catch_up
from vvtv.domain.chat.delivery import sees


@pytest.mark.req("CHT-2")
def test_a_catch_up_sends_only_what_the_socket_was_never_sent() -> None:
    assert catch_up(None, 2, 5) == CatchUp(3, 5, 3)  # not following: all after 2
    assert catch_up(5, 2, 6) == CatchUp(3, 4, 3)  # had 5 and 6 live: only 3 and 4
    assert catch_up(3, 4, 6) == CatchUp(5, 2, 3)  # has all after 4 already: nothing
    assert catch_up(None, 9, 5) == CatchUp(6, 5, 6)  # beyond the newest: from now on
    assert catch_up(None, 0, 0) == CatchUp(1, 0, 1)  # an empty thread


Op = tuple[str, int, int]  # ("send", -, -) | ("open", socket, -) | ("subscribe", socket, after)


@pytest.mark.req("CHT-2")
@given(
    st.lists(
        st.one_of(
            st.just(("send", 0, 0)),
            st.tuples(st.just("open"), st.integers(0, 3), st.just(0)),
            st.tuples(st.just("subscribe"), st.integers(0, 3), st.integers(0, 12)),
        ),
        max_size=40,
    )
)
def test_whatever_the_interleaving_no_socket_gets_a_seq_twice_nor_misses_one(ops: list[Op]) -> None:
    """Sockets follow from their first live message (a private thread's) or their subscribe;
    a subscribe with `after_seq` leaves the socket with every seq after it, each once."""
    last = 0
    open_sockets: set[int] = set()
    following: dict[int, int] = {}  # socket -> from_seq
    got: dict[int, list[int]] = {}
    for op, socket, after in ops:
        if op == "send":
            last += 1
            for s in open_sockets:
                following.setdefault(s, last)
            for s in following:
                got.setdefault(s, []).append(last)
        elif op == "open":
            open_sockets.add(socket)
        elif socket in open_sockets:
            plan = catch_up(following.get(socket), after, last)
            got.setdefault(socket, []).extend(range(plan.first, plan.last + 1))
            following[socket] = plan.from_seq
            assert set(range(min(after, last) + 1, last + 1)) <= set(got[socket])
    for seqs in got.values():
        assert len(seqs) == len(set(seqs))
    for socket, from_seq in following.items():
        assert set(range(from_seq, last + 1)) <= set(got.get(socket, []))


@pytest.mark.req("MOD-2")
@pytest.mark.req("MOD-4")
def test_in_rooms_blocks_hide_both_ways_and_shadow_authors_reach_only_their_like() -> None:
    def view(**kw: bool) -> bool:
        flags = {"own": False, "blocked_pair": False, "author_shadowed": False} | kw
        return sees(reader_shadowed=flags.pop("reader_shadowed", False), **flags)

    assert view()
    assert not view(blocked_pair=True)
    assert not view(author_shadowed=True)
    assert view(author_shadowed=True, reader_shadowed=True)
    assert view(reader_shadowed=True)  # the quarantined see everyone, as in presence
    assert view(own=True, author_shadowed=True)  # and never learn they are hidden
