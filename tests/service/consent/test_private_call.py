"""The private call end to end in the whole product (CNS-2, INV-2): A invites B over HTTP, B
accepts, both learn the session, and real aiortc clients publish and subscribe through the session
routes. Each hears and sees the OTHER (their pictures and tones differ), only ever through the
SFU: nothing the server tells one of them names the other's ICE candidates, ufrag or certificate.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
import trio.testing

from tests.service.consent.conftest import beat
from tests.service.consent.conftest import post
from tests.service.presence.conftest import Tab
from tests.service.presence.conftest import User
from tests.service.presence.conftest import World
from tests.webrtc_clients import Address
from tests.webrtc_clients import ClientPeer
from tests.webrtc_clients import ClientPeers
from tests.webrtc_clients import HttpSignalling
from tests.webrtc_clients import Look
from tests.webrtc_clients import candidates
from tests.webrtc_clients import client_peers
from tests.webrtc_clients import wait_for
from vvtv.media.local_sfu import LocalSFU
from vvtv.media.local_sfu.ice import allow_loopback_candidates

pytestmark = pytest.mark.slow

# Far apart in chroma and pitch, so a mix-up (or one's own media looped back) cannot pass.
LOOKS = {"ana": Look(chroma=200, tone_hz=300.0), "bob": Look(chroma=60, tone_hz=900.0)}
CHROMA_TOLERANCE = 12
PITCH_TOLERANCE = 0.1  # relative
# A small picture: the SFU decodes and re-encodes every publisher (call_private), on 2 cores.
PICTURE = {"width": 320, "height": 180, "fps": 15}


@pytest.fixture(autouse=True)
def loopback() -> None:
    # The SFU and the clients share this host; on a box with only loopback they could not meet.
    allow_loopback_candidates()


@dataclass
class Caller:
    """One person in the call: their tab, their HTTP signalling, their two peer connections,
    and everything the server told them (HTTP bodies and socket events, verbatim)."""

    user: User
    tab: Tab
    signalling: HttpSignalling
    events: list[dict[str, Any]] = field(default_factory=list)
    publisher: ClientPeer | None = None
    subscriber: ClientPeer | None = None

    @property
    def peers(self) -> tuple[ClientPeer, ClientPeer]:
        assert self.publisher is not None
        assert self.subscriber is not None
        return self.publisher, self.subscriber

    async def heard(self) -> list[dict[str, Any]]:
        """What reached the tab since last asked (kept in `events` too)."""
        new = await self.tab.settle()
        self.events += new
        return new

    def transcript(self) -> list[str]:
        """Every text the server sent this person."""
        return [*self.signalling.bodies, *(repr(event) for event in self.events)]


async def _told(caller: Caller, kind: str) -> dict[str, Any]:
    [event] = [event for event in await caller.heard() if event["type"] == kind]
    return event


@asynccontextmanager
async def private_call(world: World) -> AsyncIterator[tuple[Caller, Caller, str, ClientPeers]]:
    """Ana invites Bob, Bob accepts; both publish at call_private and subscribe to each other
    over HTTP, and every peer connection is connected."""
    people = await world.users("ana", "bob")
    async with (
        world.tab(people["ana"]) as ana_tab,
        world.tab(people["bob"]) as bob_tab,
        client_peers() as peers,
    ):
        ana, bob = (
            Caller(people[h], tab, HttpSignalling(world.client, people[h].headers))
            for h, tab in (("ana", ana_tab), ("bob", bob_tab))
        )
        status, made = await post(world, ana.user, "/consent/invites", invitee_id=bob.user.id)
        assert status == 201, made
        ana.signalling.bodies.append(repr(made))
        request = await _told(bob, "consent.request")
        status, accepted = await post(world, bob.user, f"/consent/invites/{made['id']}/accept")
        assert (status, accepted["status"]) == (200, "accepted"), accepted
        session_id = accepted["session_id"]
        assert request["invite"]["id"] == made["id"]
        told = await _told(ana, "consent.accepted")
        assert told["session_id"] == session_id  # how A learns the call it asked for
        for caller in (ana, bob):
            caller.publisher = await peers.publish(
                caller.signalling,
                session_id,
                caller.user.id,
                look=LOOKS[caller.user.handle],
                **PICTURE,
            )
            caller.subscriber = await peers.subscribe(caller.signalling, session_id, caller.user.id)
        every = [*ana.peers, *bob.peers]
        await wait_for(lambda: all(p.pc.connectionState == "connected" for p in every), 20)
        yield ana, bob, session_id, peers


def _sfu(world: World) -> LocalSFU:
    sfu = world.services.sessions._ports.provider
    assert isinstance(sfu, LocalSFU)
    return sfu


async def _sfu_candidates(world: World, session_id: str, user_id: str) -> set[Address]:
    """The SFU's own ICE host candidates on the peer connections it holds for `user_id`."""
    sfu = _sfu(world)

    async def read() -> set[Address]:
        media = sfu.engine._sessions[session_id]
        found: set[Address] = set()
        for (participant, _role), pc in media.peers.items():
            if participant == user_id:
                gatherer = pc.getTransceivers()[0].sender.transport.transport.iceGatherer
                found |= {(c.ip, c.port) for c in gatherer.getLocalCandidates()}
        return found

    return await sfu.bridge.call(read)


_UFRAG = re.compile(r"^a=ice-ufrag:(\S+)", re.MULTILINE)
_FINGERPRINT = re.compile(r"^a=fingerprint:\S+ (\S+)", re.MULTILINE)


def _identity(peer: ClientPeer) -> set[str]:
    """What would let someone reach this client directly: its ICE username fragment, its DTLS
    certificate's fingerprint, and each candidate as an SDP line spells it ("addr port typ")."""
    sdp = peer.offer_sdp
    return {
        *_UFRAG.findall(sdp),
        *_FINGERPRINT.findall(sdp),
        *(f"{host} {port} typ" for host, port in candidates(sdp)),
    }


def _spelled(secret: str, text: str) -> bool:
    """`secret` appears in `text` as a whole token (a 4-letter ufrag inside a longer word is
    chance, not a leak)."""
    return re.search(rf"(?<![\w+/]){re.escape(secret)}(?![\w+/])", text) is not None


@pytest.mark.req("CNS-2", "INV-2", "MED-3")
async def test_each_caller_sees_and_hears_the_other(world: World) -> None:
    async with private_call(world) as (ana, bob, session_id, _):
        for caller in (ana, bob):
            received = caller.peers[1].received
            await wait_for(lambda r=received: len(r.video) >= 30 and r.audio_samples >= 48000)
            assert sorted(received.tracks) == ["audio", "video"]
            # Advancing: frames keep coming, spread over time, not one burst then silence.
            seen = len(received.video)
            await wait_for(lambda r=received, n=seen: len(r.video) >= n + 10)
            assert received.video[-1][0] - received.video[0][0] > 1.0
        for me, other in ((ana, bob), (bob, ana)):
            received = me.peers[1].received
            look = LOOKS[other.user.handle]
            late = received.chroma[-20:]
            assert all(abs(v - look.chroma) <= CHROMA_TOLERANCE for v in late), (me.user, late)
            pitch = received.pitch_hz()
            assert abs(pitch - look.tone_hz) <= look.tone_hz * PITCH_TOLERANCE, (me.user, pitch)
        status, view = await world.get(ana.user, f"/sessions/{session_id}")
        assert (status, view["state"], view["media_profile"]) == (200, "active", "call_private")


@pytest.mark.req("INV-2", "CNS-2")
async def test_the_call_is_relayed_and_neither_learns_the_others_address(world: World) -> None:
    """On loopback both clients and the SFU share addresses, so ports, ufrags and certificate
    fingerprints are what tell them apart."""
    async with private_call(world) as (ana, bob, session_id, peers):
        for caller in (ana, bob):  # whatever arrives after the call is up counts too
            await caller.heard()
        for me, other in ((ana, bob), (bob, ana)):
            theirs = set().union(*(_identity(peer) for peer in other.peers))
            their_addresses = set().union(*(candidates(peer.offer_sdp) for peer in other.peers))
            for path in (f"/sessions/{session_id}", "/consent/invites"):
                status, body = await world.get(me.user, path)
                assert status == 200
                me.signalling.bodies.append(repr(body))
            for text in me.transcript():
                leaked = {secret for secret in theirs if _spelled(secret, text)}
                assert not leaked, (me.user.handle, leaked, text[:200])
            sfu_side = await _sfu_candidates(world, session_id, me.user.id)
            assert sfu_side
            assert not sfu_side & their_addresses
            for peer in me.peers:
                answered = candidates(peer.answer_sdp)
                assert answered
                assert answered <= sfu_side, (answered, sfu_side)
                local, remote = await peers.selected_pair(peer)
                assert remote in answered, (remote, answered)
                assert remote not in their_addresses
                assert local in candidates(peer.offer_sdp)


@pytest.mark.req("SES-3", "CNS-2")
async def test_hanging_up_ends_the_call_for_both_and_tells_the_other_who_left(
    world: World,
) -> None:
    async with private_call(world) as (ana, bob, session_id, _):
        await wait_for(lambda: len(ana.peers[1].received.video) > 5)
        for caller in (ana, bob):
            await caller.heard()
        status, ended = await post(world, bob.user, f"/sessions/{session_id}/end")
        assert status == 200, ended
        assert (ended["state"], ended["end_reason"], ended["ended_by"]) == (
            "ended",
            "user",
            bob.user.id,
        )
        for caller in (ana, bob):  # ana's UI can say "bob hung up", bob's "you hung up"
            told = [
                (event["state"], event["reason"], event["ended_by"])
                for event in await caller.heard()
                if event["type"] == "session.state"
            ]
            assert told == [("ending", "user", bob.user.id), ("ended", "user", bob.user.id)]
        # The endpoints are revoked: every peer connection of both closes, the SFU holds nothing.
        every = [*ana.peers, *bob.peers]
        gone = ("closed", "failed", "disconnected")
        await wait_for(lambda: all(peer.pc.connectionState in gone for peer in every))
        stats = _sfu(world).statistics()
        assert (stats.sessions, stats.peer_connections, stats.subscribers) == (0, 0, 0)
        status, view = await world.get(ana.user, f"/sessions/{session_id}")
        assert (status, view["state"], view["ended_by"]) == (200, "ended", bob.user.id)
        status, late = await post(world, ana.user, f"/sessions/{session_id}/offer",
                                  role="publish", sdp="v=0")  # fmt: skip
        assert (status, late["code"]) == (409, "invalid_session_state")


async def _refresh_in_band(caller: Caller) -> None:
    """The UI's answer to `auth.expired`: new tokens over the same socket (OPS-5)."""
    await caller.tab.send("auth.refresh", refresh_token=caller.user.tokens["refresh_token"])
    while (event := await caller.tab.next())["type"] != "auth.refreshed":
        assert event["type"] != "error", event
    caller.user.tokens |= {k: event[k] for k in ("access_token", "refresh_token")}


async def _refresh_over_http(world: World, caller: Caller) -> None:
    refresh = {"refresh_token": caller.user.tokens["refresh_token"]}
    response = await world.client.post("/auth/refresh", json=refresh)
    assert response.status_code == 200, await response.get_data()
    caller.user.tokens = await response.get_json()


@pytest.mark.req("OPS-5", "SES-8")
async def test_the_access_token_running_out_during_a_call_keeps_the_call(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    """Past auth.access_ttl_s the call is still on and its media still flow (the SFU's peer
    connections owe nothing to tokens); each side refreshes as the UI does, ana in-band on her
    socket when told `auth.expired`, bob over HTTP after a 401, and both go on heartbeating;
    then ana, on her new token, hangs up."""
    mock_clock.rate = 1.0  # media run in real time on their own threads; the test jumps the rest
    limits = world.config.limits
    step = limits.sessions.heartbeat_timeout_s * 2 / 3
    async with private_call(world) as (ana, bob, session_id, _):
        refreshed: set[str] = set()
        waited = 0.0
        while waited <= limits.auth.tokens.access_ttl_s + step:
            await world.advance(mock_clock, step)
            waited += step
            answer = await beat(ana.tab, session_id)
            if answer[-1]["type"] == "error":
                assert answer[-1]["code"] == "token_expired"
                assert "auth.expired" in [event["type"] for event in answer]
                await _refresh_in_band(ana)
                refreshed.add("ana")
                answer = await beat(ana.tab, session_id)
            assert answer[-1]["type"] == "heartbeat.ack", answer
            path = f"/sessions/{session_id}/heartbeat"
            status, body = await post(world, bob.user, path)
            if status == 401:
                assert body["code"] == "token_expired"
                await _refresh_over_http(world, bob)
                refreshed.add("bob")
                status, body = await post(world, bob.user, path)
            assert status == 200, body
        assert refreshed == {"ana", "bob"}
        status, view = await world.get(bob.user, f"/sessions/{session_id}")
        assert (status, view["state"]) == (200, "active")
        for caller in (ana, bob):
            received = caller.peers[1].received
            seen = len(received.video)
            await wait_for(lambda r=received, n=seen: len(r.video) >= n + 10)
            assert all(peer.pc.connectionState == "connected" for peer in caller.peers)
        await ana.heard()
        status, ended = await post(world, ana.user, f"/sessions/{session_id}/end")
        assert (status, ended["state"], ended["ended_by"]) == (200, "ended", ana.user.id)


@pytest.mark.req("OPS-5")
async def test_a_second_device_joining_the_call_takes_over_from_the_first(world: World) -> None:
    """Both of bob's devices learn the call (consent.accepted reaches every tab); the one that
    joins last takes over his place (an offer again is a reconnect, as after a reload): the
    first device's connections close, ana now sees and hears the second, and it sees her."""
    phone = Look(chroma=120, tone_hz=600.0)
    async with private_call(world) as (ana, bob, session_id, peers):
        heard = ana.peers[1].received
        await wait_for(lambda: len(heard.chroma) > 5)
        assert heard.chroma[-1] == pytest.approx(LOOKS["bob"].chroma, abs=CHROMA_TOLERANCE)
        async with world.tab(bob.user):
            signalling = HttpSignalling(world.client, bob.user.headers)
            publisher = await peers.publish(
                signalling, session_id, bob.user.id, look=phone, **PICTURE
            )
            subscriber = await peers.subscribe(signalling, session_id, bob.user.id)
            joined = (publisher, subscriber)
            await wait_for(lambda: all(p.pc.connectionState == "connected" for p in joined), 20)
            gone = ("closed", "failed", "disconnected")
            await wait_for(lambda: all(p.pc.connectionState in gone for p in bob.peers))
            before = (heard.audio_samples, heard.audio_crossings)

            def now_the_phone() -> bool:
                late = heard.chroma[-10:]
                return len(late) == 10 and all(
                    abs(v - phone.chroma) <= CHROMA_TOLERANCE for v in late
                )

            await wait_for(now_the_phone)
            await wait_for(lambda: heard.audio_samples - before[0] >= 48000)
            samples = heard.audio_samples - before[0]
            pitch = (heard.audio_crossings - before[1]) / 2 / (samples / 48000)
            # Mostly the phone's tone; the first device's last frames may still be in it.
            assert abs(pitch - phone.tone_hz) <= phone.tone_hz * 0.2, pitch
            seen = subscriber.received
            await wait_for(lambda: len(seen.chroma) > 5)
            assert seen.chroma[-1] == pytest.approx(LOOKS["ana"].chroma, abs=CHROMA_TOLERANCE)
        status, view = await world.get(ana.user, f"/sessions/{session_id}")
        assert (status, view["state"]) == (200, "active")
        assert sorted(view["participants"]) == sorted([ana.user.id, bob.user.id])
