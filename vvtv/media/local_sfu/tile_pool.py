"""One viewer's tile pool: a subscribe connection with a fixed number of video slots, each pointed
by the server at whichever publisher that viewer sees (THB-2, THB-5), and what the SFU measures of
it: the bytes its senders really sent (THB-6) and what its receiver reports over RTCP (THB-4).

Why a pool of slots rather than a connection (or an m-line) per tile: the budget holds by
construction (a viewer can never receive more tiles than it has slots), scrolling re-points a slot
at the next keyframe instead of renegotiating (no SDP round trip, no ICE/DTLS per tile, no setup
stall), and one DTLS/SRTP transport carries every tile of a viewer.
"""

from __future__ import annotations

from collections.abc import Callable

from aiortc import RTCPeerConnection
from aiortc import RTCRtpSender
from aiortc.rtp import RTCP_PSFB_APP
from aiortc.rtp import AnyRtcpPacket
from aiortc.rtp import RtcpPsfbPacket
from aiortc.rtp import RtcpRrPacket
from aiortc.rtp import RtcpSrPacket
from aiortc.rtp import unpack_remb_fci

from vvtv.media.local_sfu.subscriber_track import SubscriberTrack
from vvtv.media.local_sfu.video_rendition import VIDEO_TIME_BASE
from vvtv.media.port import TilePoolSample

Follow = Callable[[SubscriberTrack, str], None]
_DOWN = ("failed", "closed")
"""Point a slot's track at a publisher's rendition for the pool's current profile."""


class _Window:
    """Receiver reports since the previous sample, per sender SSRC (RTCP counts are cumulative,
    so each report is taken as the difference from the one before)."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[int, int]] = {}  # ssrc -> (extended highest seq, lost)
        self.expected = 0
        self.lost = 0
        self.jitter_ms: float | None = None
        self.remb_kbps: float | None = None

    def report(self, ssrc: int, highest_sequence: int, packets_lost: int, jitter: int) -> None:
        before = self.last.get(ssrc)
        self.last[ssrc] = (highest_sequence, packets_lost)
        jitter_ms = jitter / VIDEO_TIME_BASE.denominator * 1000
        self.jitter_ms = jitter_ms if self.jitter_ms is None else max(self.jitter_ms, jitter_ms)
        if before is None:
            return  # the first report of a stream: its totals are not this window's
        expected = highest_sequence - before[0]
        if expected <= 0:
            return
        self.expected += expected
        self.lost += min(expected, max(0, packets_lost - before[1]))

    def reset(self) -> None:
        self.expected = self.lost = 0
        self.jitter_ms = None  # REMB stays: it is a standing estimate, sent only when it changes


class TilePool:
    def __init__(self, session_id: str, participant_id: str, slots: int, profile_name: str):
        self.session_id = session_id
        self.participant_id = participant_id
        self.slots = slots
        self.profile_name = profile_name
        self.pointing: list[str | None] = [None] * slots
        self.tracks: list[SubscriberTrack] = []  # one per slot while a connection is up
        self._pc: RTCPeerConnection | None = None
        self._ssrcs: set[int] = set()
        self._window = _Window()
        self._bytes_before = 0  # sent by the connections this pool had before the current one

    def connect(self, pc: RTCPeerConnection, tracks: list[SubscriberTrack], follow: Follow) -> None:
        """A (new) connection's slot tracks: they take up the current pointing at once."""
        self.disconnect()
        self._pc = pc
        self.tracks = tracks
        for track, publisher_id in zip(tracks, self.pointing, strict=True):
            if publisher_id is not None:
                follow(track, publisher_id)

    def watch(self, sender: RTCRtpSender) -> None:
        """Read the receiver's RTCP for this sender as aiortc hands it over (its only hook is
        the sender's own `_handle_rtcp_packet`), then let aiortc handle it as before."""
        ssrc: int = sender._ssrc  # noqa: SLF001
        self._ssrcs.add(ssrc)
        handle = sender._handle_rtcp_packet  # noqa: SLF001

        async def observed(packet: AnyRtcpPacket) -> None:
            # A compound packet reaches every sender it reports on: each reads its own report.
            self._observe(packet, ssrc)
            await handle(packet)

        sender._handle_rtcp_packet = observed  # type: ignore[method-assign]  # noqa: SLF001

    def disconnect(self) -> None:
        """The connection closed: its tracks stop; what they sent stays counted."""
        self._bytes_before = self.bytes_sent
        for track in self.tracks:
            track.stop()
        self.tracks = []
        self._pc = None
        self._ssrcs.clear()
        self._window = _Window()

    def point(self, publishers: tuple[str | None, ...], follow: Follow) -> None:
        if len(publishers) != self.slots:
            raise ValueError(f"{len(publishers)} publishers for a pool of {self.slots} slots")
        for index, publisher_id in enumerate(publishers):
            if publisher_id == self.pointing[index]:
                continue
            self.pointing[index] = publisher_id
            if not self.tracks:
                continue  # taken up when the connection comes
            track = self.tracks[index]
            if publisher_id is None:
                track.unfollow()
            else:
                follow(track, publisher_id)

    def refollow(self, follow: Follow) -> None:
        """The profile changed: every pointed slot moves to the new rendition at its keyframe."""
        for track, publisher_id in zip(self.tracks, self.pointing, strict=False):
            if publisher_id is not None:
                follow(track, publisher_id)

    @property
    def bytes_sent(self) -> int:
        return self._bytes_before + sum(track.bytes_delivered for track in self.tracks)

    def sample(self) -> TilePoolSample:
        window = self._window
        sample = TilePoolSample(
            session_id=self.session_id,
            participant_id=self.participant_id,
            profile_name=self.profile_name,
            connected=self._pc is not None and self._pc.connectionState not in _DOWN,
            bytes_sent=self.bytes_sent,
            packets_expected=window.expected,
            packets_lost=window.lost,
            jitter_ms=window.jitter_ms,
            remb_kbps=window.remb_kbps,
        )
        window.reset()
        return sample

    def _observe(self, packet: AnyRtcpPacket, ssrc: int) -> None:
        if isinstance(packet, RtcpRrPacket | RtcpSrPacket):
            for report in packet.reports:
                if report.ssrc == ssrc:
                    self._window.report(
                        report.ssrc, report.highest_sequence, report.packets_lost, report.jitter
                    )
        elif isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                return  # an APP message that is not REMB
            if ssrc in ssrcs:
                self._window.remb_kbps = bitrate / 1000
