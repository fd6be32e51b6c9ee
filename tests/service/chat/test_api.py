"""Chat in the whole product, over HTTP and /ws (CHT-1..4, MOD-1/2, TEL-3): one thread per pair,
ordered delivery to every tab, resume without gaps or duplicates, the rate limit's feedback,
blocks, outsiders, reports, and bodies that never reach a log line or a metric."""

from __future__ import annotations

import logging

import pytest
import trio.testing

from tests.service.chat.conftest import chat_events
from tests.service.chat.conftest import open_thread
from tests.service.chat.conftest import post
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.service.tiles.conftest import start_session
from vvtv.domain.moderation.reports import Place


def _seqs(events: list[dict[str, object]]) -> list[object]:
    return [e["seq"] for e in events]


@pytest.mark.req("CHT-1")
async def test_a_pair_reopens_its_one_thread_whoever_opens_it(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    status, first = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    assert status == 200, first
    assert (first["reopened"], sorted(first["participants"])) == (False, sorted([ana.id, bob.id]))
    status, again = await open_thread(world, bob, scope="private_1to1", peer_user_id=ana.id)
    assert status == 200
    assert (again["thread_id"], again["reopened"]) == (first["thread_id"], True)


async def test_a_thread_needs_a_real_peer_or_a_room(world: World) -> None:
    ana = (await world.users("ana"))["ana"]
    assert (await open_thread(world, ana, scope="private_1to1"))[1]["code"] == "invalid_thread"
    status, body = await open_thread(world, ana, scope="private_1to1", peer_user_id=ana.id)
    assert (status, body["code"]) == (400, "invalid_thread")
    status, body = await open_thread(world, ana, scope="room")
    assert (status, body["code"]) == (400, "invalid_thread")
    status, _ = await open_thread(world, ana, scope="private_1to1", peer_user_id="f" * 32)
    assert status == 404


@pytest.mark.req("CHT-2")
async def test_messages_reach_every_tab_of_both_users_in_seq_order(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    async with world.tab(ana) as ana1, world.tab(ana) as ana2, world.tab(bob) as bob1:
        for n in range(3):
            await ana1.send("chat.send", thread_id=tid, body=f"hello {n}", client_id=f"c{n}")
        first = await chat_events(ana1)  # two sockets are two queues: ana's go first here
        await bob1.send("chat.send", thread_id=tid, body="hi!", client_id="b0")
        for tab in (bob1, ana1, ana2):  # bob's settle waits for his send to be handled
            events = await chat_events(tab)
            if tab is ana1:
                events = first + events
            assert [e["type"] for e in events] == ["chat.message"] * 4
            assert _seqs(events) == [1, 2, 3, 4]
            assert [e["body"] for e in events] == ["hello 0", "hello 1", "hello 2", "hi!"]
            assert [e["client_id"] for e in events] == ["c0", "c1", "c2", "b0"]
    status, page = await world.get(ana, f"/chat/{tid}/messages")
    assert status == 200
    assert (_seqs(page["messages"]), page["last_seq"], page["has_more"]) == ([1, 2, 3, 4], 4, False)


@pytest.mark.req("CHT-2")
async def test_a_reconnecting_tab_resumes_without_gaps_or_duplicates(world: World) -> None:
    people = await world.users(old=("ana", "bob"))  # past MOD-6's chat rate
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    async with world.tab(bob) as bob_tab:
        for n in range(2):
            assert (await post(world, ana, tid, f"m{n}"))[0] == 200
        seen = await chat_events(bob_tab)
    assert _seqs(seen) == [1, 2]
    for n in range(2, 5):  # while bob is away
        await post(world, ana, tid, f"m{n}")
    async with world.tab(bob) as bob_tab:
        await bob_tab.send("chat.subscribe", thread_id=tid, after_seq=seen[-1]["seq"])
        resumed = await chat_events(bob_tab)
        assert _seqs(resumed) == [3, 4, 5]
        assert [e["body"] for e in resumed] == ["m2", "m3", "m4"]
        await post(world, ana, tid, "m5")
        assert _seqs(await chat_events(bob_tab)) == [6]
    status, page = await world.get(bob, f"/chat/{tid}/messages", after_seq=3, limit=2)
    assert (status, _seqs(page["messages"]), page["has_more"]) == (200, [4, 5], True)
    status, page = await world.get(bob, f"/chat/{tid}/messages", before_seq=4, limit=2)
    assert (status, _seqs(page["messages"]), page["has_more"]) == (200, [2, 3], True)
    status, page = await world.get(bob, f"/chat/{tid}/messages", before_seq=2, limit=2)
    assert (_seqs(page["messages"]), page["has_more"]) == ([1], False)
    status, body = await world.get(bob, f"/chat/{tid}/messages", before_seq=4, after_seq=1)
    assert (status, body["code"]) == (400, "invalid_history_query")
    over = world.config.limits.chat.history_page_max + 1
    status, body = await world.get(bob, f"/chat/{tid}/messages", limit=over)
    assert status == 400


@pytest.mark.req("CHT-2")
async def test_a_tab_that_resubscribes_after_a_live_message_gets_each_message_once(
    world: World,
) -> None:
    """The overlap of a resume: bob's new tab is sent seq 5 live before its `chat.subscribe`
    with the last seq it had (2) is handled; it gets 3 and 4 from the history, 5 only once."""
    people = await world.users(old=("ana", "bob"))  # past MOD-6's chat rate
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    async with world.tab(bob) as bob_tab:
        for n in (1, 2):
            await post(world, ana, tid, f"m{n}")
        assert _seqs(await chat_events(bob_tab)) == [1, 2]
    for n in (3, 4):  # while bob is away
        await post(world, ana, tid, f"m{n}")
    async with world.tab(bob) as bob_tab:
        await post(world, ana, tid, "m5")  # live, before the tab resubscribes
        await bob_tab.send("chat.subscribe", thread_id=tid, after_seq=2)
        await bob_tab.send("chat.subscribe", thread_id=tid, after_seq=2)  # twice: nothing new
        got = await chat_events(bob_tab)
        assert _seqs(got) == [5, 3, 4]
        assert [e["body"] for e in got] == ["m5", "m3", "m4"]
        await post(world, ana, tid, "m6")
        await bob_tab.send("chat.subscribe", thread_id=tid, after_seq=0)
        assert _seqs(await chat_events(bob_tab)) == [6, 1, 2]


@pytest.mark.req("CHT-4")
async def test_over_the_scope_rate_a_message_gets_rate_limited_with_its_wait(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    rate = world.config.limits.chat.scopes.live_public
    _, thread = await open_thread(world, ana, scope="live_public", room="live_public")
    await open_thread(world, bob, scope="live_public", room="live_public")
    tid = thread["thread_id"]
    async with world.tab(ana) as ana_tab, world.tab(bob) as bob_tab:
        await bob_tab.send("chat.subscribe", thread_id=tid)
        for n in range(rate.max_messages):  # ana's socket follows the room from her first
            await ana_tab.send("chat.send", thread_id=tid, body=f"n{n}", client_id=f"c{n}")
        await ana_tab.send("chat.send", thread_id=tid, body="one more", client_id="late")
        events = await chat_events(ana_tab)
        assert _seqs(events[:-1]) == list(range(1, rate.max_messages + 1))
        limited = events[-1]
        assert (limited["type"], limited["scope"], limited["client_id"]) == (
            "chat.rate_limited",
            "live_public",
            "late",
        )
        assert limited["retry_after_s"] == pytest.approx(rate.window_s, abs=0.5)
        assert len(await chat_events(bob_tab)) == rate.max_messages  # the limited one never left
        # Over HTTP: 429 with the same wait.
        status, body = await post(world, ana, tid, "still too soon")
        assert (status, body["code"]) == (429, "chat_rate_limited")
        # The other user has a budget of their own.
        assert (await post(world, bob, tid, "mine"))[0] == 200
        await World.advance(mock_clock, limited["retry_after_s"])
        assert (await post(world, ana, tid, "now again"))[0] == 200


@pytest.mark.req("CHT-3")
async def test_bodies_are_checked_against_the_scope(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, private = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    _, live = await open_thread(world, ana, scope="live_public", room="live_public")
    live_cap = world.config.limits.chat.scopes.live_public.max_chars
    refusals = [
        (private["thread_id"], "   \n\t", "empty_message"),
        (live["thread_id"], "x" * (live_cap + 1), "message_too_long"),
        (live["thread_id"], "go to spam.com now", "links_not_allowed"),
    ]
    for tid, body, code in refusals:
        status, answer = await post(world, ana, tid, body)
        assert (status, answer["code"]) == (400, code)
    status, answer = await post(world, ana, private["thread_id"], "x" * (live_cap + 1))
    assert status == 200  # the private scope's cap is higher
    async with world.tab(ana) as tab:
        await tab.send("chat.send", thread_id=private["thread_id"], body=" ", client_id="e1")
        [error] = await tab.settle()
        assert (error["type"], error["code"], error["status"]) == ("error", "empty_message", 400)
        assert error["ref"] == "e1"  # which of the tab's sends it refuses


@pytest.mark.req("MOD-2")
async def test_a_blocked_pair_cannot_open_a_thread_nor_see_each_other_in_rooms(
    world: World,
) -> None:
    people = await world.users("ana", "bob", "cyd")
    ana, bob, cyd = people["ana"], people["bob"], people["cyd"]
    _, before = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    for user in (ana, bob, cyd):
        _, room = await open_thread(world, user, scope="room", room="party")
    rid = room["thread_id"]
    await post(world, bob, rid, "before the block")
    response = await world.client.post(f"/blocks/{bob.id}", json={}, headers=ana.headers)
    assert response.status_code == 201
    for opener, peer in ((ana, bob), (bob, ana)):
        status, body = await open_thread(world, opener, scope="private_1to1", peer_user_id=peer.id)
        assert (status, body["code"]) == (403, "blocked")
    status, body = await post(world, bob, before["thread_id"], "still there?")
    assert (status, body["code"]) == (403, "blocked")
    async with world.tab(ana) as ana_tab, world.tab(cyd) as cyd_tab:
        for tab in (ana_tab, cyd_tab):  # follow the room from now on
            await tab.send("chat.subscribe", thread_id=rid, after_seq=1)
        await post(world, bob, rid, "after the block")
        await post(world, cyd, rid, "cyd here")
        assert [e["body"] for e in await chat_events(ana_tab)] == ["cyd here"]
        assert [e["body"] for e in await chat_events(cyd_tab)] == ["after the block", "cyd here"]
    async with world.tab(ana) as ana_tab:
        await ana_tab.send("chat.subscribe", thread_id=rid, after_seq=0)
        assert [e["body"] for e in await chat_events(ana_tab)] == ["cyd here"]
    _, page = await world.get(ana, f"/chat/{rid}/messages")
    assert [m["body"] for m in page["messages"]] == ["cyd here"]
    _, page = await world.get(cyd, f"/chat/{rid}/messages")
    assert len(page["messages"]) == 3


async def test_an_outsider_gets_404_for_every_use_of_someone_elses_thread(world: World) -> None:
    people = await world.users("ana", "bob", "eve")
    ana, bob, eve = people["ana"], people["bob"], people["eve"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    await post(world, ana, tid, "private words")
    status, body = await world.get(eve, f"/chat/{tid}/messages")
    assert (status, body["code"]) == (404, "thread_not_found")
    assert (await post(world, eve, tid, "let me in"))[0] == 404
    response = await world.client.post(
        f"/chat/{tid}/report", json={"reason_code": "spam"}, headers=eve.headers
    )
    assert response.status_code == 404
    # A room thread, too, until one opens it (joins).
    _, room = await open_thread(world, ana, scope="room", room="party")
    assert (await world.get(eve, f"/chat/{room['thread_id']}/messages"))[0] == 404
    async with world.tab(eve) as tab:
        await tab.send("chat.subscribe", thread_id=tid, after_seq=0)
        await tab.send("chat.send", thread_id=tid, body="hi", client_id="x1")
        errors = await tab.settle()
        assert [(e["type"], e["code"]) for e in errors] == [("error", "thread_not_found")] * 2
    for path in (f"/chat/{tid}/messages",):
        response = await world.client.get(path)
        assert response.status_code == 401


@pytest.mark.req("MOD-1")
async def test_a_report_is_stored_with_its_metadata_and_audited(world: World) -> None:
    """A chat report joins moderation's one queue: its target is the reported messages' author."""
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    _, message = await post(world, bob, tid, "rude words")
    session_id = await start_session(world, ana)  # one she is in (MOD-1)
    report = {
        "reason_code": "harassment",
        "message_ids": [message["message_id"]],
        "session_id": session_id,
        "mode_id": "party",
    }
    response = await world.client.post(f"/chat/{tid}/report", json=report, headers=ana.headers)
    assert response.status_code == 201
    report_id = (await response.get_json())["report_id"]
    stored = await world.services.moderation._ports.store.get(report_id)
    assert stored is not None
    assert (stored.reporter_id, stored.target_id) == (ana.id, bob.id)
    assert stored.reason_code == "harassment"
    message_ids = (message["message_id"],)
    assert stored.place == Place("chat", session_id, tid, "party", message_ids)
    [entry] = [e for e in await world.services.audit.page(None, 50) if e.action == "report.filed"]
    assert (entry.actor_id, entry.target_id, entry.reason) == (ana.id, bob.id, "harassment")
    assert entry.detail == {
        "context": "chat", "session_id": session_id, "thread_id": tid, "mode_id": "party",
        "message_ids": list(message_ids), "report_id": report_id,
    }  # fmt: skip
    assert "rude words" not in repr(entry)
    too_many = world.config.limits.chat.max_report_messages + 1
    bad = {"reason_code": "spam", "message_ids": ["m"] * too_many}
    response = await world.client.post(f"/chat/{tid}/report", json=bad, headers=ana.headers)
    assert response.status_code == 400


@pytest.mark.req("TEL-3")
async def test_message_bodies_never_reach_logs_or_metrics(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "zebra-secret-body-7781"
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    with caplog.at_level(logging.DEBUG):
        async with world.tab(ana) as tab:
            await tab.send("chat.send", thread_id=tid, body=secret, client_id="s1")
            await tab.send("chat.send", thread_id=tid, body=f"{secret} spam.com", client_id="s2")
            assert len(await chat_events(tab)) == 1
        assert (await post(world, ana, tid, secret))[0] == 200
        assert (await post(world, ana, tid, "x" * 5000 + secret))[0] == 400
        await world.client.post(
            f"/chat/{tid}/report", json={"reason_code": "other"}, headers=ana.headers
        )
    # Chat itself logged at DEBUG meanwhile (who, where, how long), so the check is not vacuous.
    chat_lines = [r for r in caplog.records if r.name.startswith("vvtv.chat")]
    assert logging.DEBUG in {r.levelno for r in chat_lines}
    assert secret not in caplog.text
    assert all(secret not in repr(r.__dict__) for r in caplog.records)  # nor in `extra`
    metrics = await (await world.client.get("/metrics")).get_data(as_text=True)
    assert secret not in metrics
    assert 'vvtv_chat_messages_total{scope="private_1to1"} 2.0' in metrics


@pytest.mark.req("CHT-2")
async def test_concurrent_senders_get_distinct_gapless_seqs(world: World) -> None:
    people = await world.users("ana", "bob")
    ana, bob = people["ana"], people["bob"]
    _, thread = await open_thread(world, ana, scope="private_1to1", peer_user_id=bob.id)
    tid = thread["thread_id"]
    seqs: list[int] = []

    async def send(user: User, n: int) -> None:
        status, message = await post(world, user, tid, f"m{n}")
        assert status == 200
        seqs.append(message["seq"])

    async with trio.open_nursery() as nursery:
        for n in range(8):
            nursery.start_soon(send, ana if n % 2 else bob, n)
    assert sorted(seqs) == list(range(1, 9))
    _, page = await world.get(ana, f"/chat/{tid}/messages")
    assert _seqs(page["messages"]) == list(range(1, 9))


@pytest.mark.req("CHT-4")
async def test_rate_limited_messages_are_counted_by_scope(world: World) -> None:
    ana = (await world.users("ana"))["ana"]
    _, live = await open_thread(world, ana, scope="live_public", room="live_public")
    allowed = world.config.limits.chat.scopes.live_public.max_messages
    for _ in range(allowed + 2):
        await post(world, ana, live["thread_id"], "hey")
    metrics = await (await world.client.get("/metrics")).get_data(as_text=True)
    assert 'vvtv_chat_rate_limited_total{scope="live_public"} 2.0' in metrics
    assert f'vvtv_chat_messages_total{{scope="live_public"}} {float(allowed)}' in metrics
