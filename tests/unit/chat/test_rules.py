"""Chat's pure rules: the thread key (CHT-1), bodies per scope (CHT-3), rates (CHT-4), blocks."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest

from vvtv.domain.chat.message import BodyPolicy
from vvtv.domain.chat.message import check_body
from vvtv.domain.chat.message import has_link
from vvtv.domain.chat.rate import ChatRates
from vvtv.domain.chat.rate import admit
from vvtv.domain.chat.rate import pruned
from vvtv.domain.chat.thread import Thread
from vvtv.domain.chat.thread import may_take_part
from vvtv.domain.chat.thread import private_key
from vvtv.domain.chat.thread import thread_key
from vvtv.domain.chat.thread import visible_to
from vvtv.domain.rate_limit import Limit

NOBODY: frozenset[str] = frozenset()


@pytest.mark.req("CHT-1")
def test_a_pair_has_one_key_whoever_opens_it() -> None:
    assert thread_key("private_1to1", "a", "b", None, NOBODY) == private_key("b", "a") == "a:b"


def test_a_thread_needs_its_peer_or_room_and_never_oneself() -> None:
    assert thread_key("private_1to1", "a", None, None, NOBODY) == "peer_required"
    assert thread_key("private_1to1", "a", "a", None, NOBODY) == "self_thread"
    assert thread_key("room", "a", None, None, NOBODY) == "room_required"
    assert thread_key("live_public", "a", None, "live1", NOBODY) == "live1"


@pytest.mark.req("MOD-2")
def test_a_blocked_pair_cannot_open_a_thread_and_hides_in_rooms() -> None:
    assert thread_key("private_1to1", "a", "b", None, frozenset({"b"})) == "blocked"
    assert not visible_to("b", frozenset({"b"}))
    assert visible_to("c", frozenset({"b"}))


def test_sequence_counts_up_without_gaps_and_members_join_once() -> None:
    thread = Thread("t", "room", "party", frozenset({"a"}), 0, datetime(2026, 1, 1, tzinfo=UTC))
    seqs = []
    for _ in range(3):
        thread, seq = thread.next_seq()
        seqs.append(seq)
    assert seqs == [1, 2, 3]
    assert thread.last_seq == 3
    assert not may_take_part(thread, "b")
    joined = thread.joined("b")
    assert may_take_part(joined, "b")
    assert joined.joined("b") is joined


@pytest.mark.req("CHT-3")
@pytest.mark.parametrize(
    ("body", "policy", "refusal"),
    [
        ("", BodyPolicy(10, True), "empty_message"),
        (" \n\t ", BodyPolicy(10, True), "empty_message"),
        ("x" * 11, BodyPolicy(10, True), "message_too_long"),
        ("x" * 10, BodyPolicy(10, True), None),
        ("see https://x.example", BodyPolicy(100, False), "links_not_allowed"),
        ("see https://x.example", BodyPolicy(100, True), None),
        ("hello there. bye", BodyPolicy(100, False), None),
    ],
)
def test_bodies_per_scope_policy(body: str, policy: BodyPolicy, refusal: str | None) -> None:
    assert check_body(body, policy) == refusal


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("go to www.spam.biz", True),
        ("evil.com now", True),
        ("ftp://host/x", True),
        ("e.g. fine", False),
        ("3.14 is pi", False),
    ],
)
def test_link_detection(text: str, link: bool) -> None:
    assert has_link(text) is link


@pytest.mark.req("CHT-4")
def test_rate_counts_per_user_and_scope_and_tells_the_wait() -> None:
    limit = Limit(max_hits=2, window_s=10)
    rates = ChatRates()
    rates, wait = admit(rates, "a", "live_public", 0.0, limit)
    assert wait is None
    rates, wait = admit(rates, "a", "live_public", 4.0, limit)
    assert wait is None
    limited, wait = admit(rates, "a", "live_public", 5.0, limit)
    assert wait == pytest.approx(5.0)
    assert limited is rates
    # Another user, or another scope, has a budget of its own.
    assert admit(rates, "b", "live_public", 5.0, limit)[1] is None
    assert admit(rates, "a", "room", 5.0, limit)[1] is None
    # The oldest hit leaves the window: one more is allowed.
    assert admit(rates, "a", "live_public", 10.0, limit)[1] is None


def test_quiet_senders_are_forgotten() -> None:
    limit = Limit(max_hits=5, window_s=10)
    rates, _ = admit(ChatRates(), "a", "room", 0.0, limit)
    rates, _ = admit(rates, "b", "room", 8.0, limit)
    assert set(pruned(rates, 12.0, 10).hits) == {("b", "room")}
