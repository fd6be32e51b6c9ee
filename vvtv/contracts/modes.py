"""The mode catalog the shell composes itself from (UI-2): modes as manifests, not apps."""

from __future__ import annotations

from typing import Literal

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Int64
from vvtv.contracts.sessions import HandoverHint

PropValue = str | Int64 | float | bool


class MountView(Contract):
    component: str
    props: dict[str, PropValue] = {}


class RegionsView(Contract):
    stage: MountView
    rail: MountView | None = None
    topbar: MountView | None = None
    overlays: list[MountView] = []


class ModeView(Contract):
    name: str
    route: str
    ecosystem: str
    requires_auth: bool
    media_profile: str | None
    regions: RegionsView
    transitions: dict[str, HandoverHint]  # target mode -> handover hint
    chat_scope: str | None = None
    requires_role: Literal["mod", "admin"] | None = None  # staff only: others get not-allowed


class TileBudget(Contract):
    """Live tiles a device may show at once (THB-5); the backend enforces the same figures."""

    desktop: Count
    mobile: Count


class ChatLengthCaps(Contract):
    """Each chat scope's longest message (CHT-3): the composer stops there, the server refuses
    longer."""

    private_1to1: Count
    room: Count
    performer_room: Count
    live_public: Count


class ClientSettings(Contract):
    """What the browser UI reads from config before its first request: signup's rules and its
    own waits and retries, so none is hard-coded in the client."""

    terms_version: str  # signup accepts exactly this version of the terms
    password_min_length: Count
    password_max_length: Count
    access_ttl_s: float  # an access token's lifetime
    token_refresh_lead_s: float  # refresh the access token this long before it expires
    socket_reconnect_backoff_s: list[float]  # waits between reconnects; the last one repeats
    channel_poll_s: float  # how often the player asks `GET /channel/now`
    player_retry_s: float  # the channel is off air: retry loading the stream this often
    transition_ms: Count  # crossfade between two modes
    presence_heartbeat_s: float  # while in or watching a presence room, heartbeat this often
    session_heartbeat_s: float  # while in a call, heartbeat its session this often (SES-8)
    telemetry_flush_interval_s: float  # the client sends its queued telemetry this often
    telemetry_max_batch_events: Count  # ... at most this many events per request
    tiles: TileBudget
    chat_max_chars: ChatLengthCaps
    audit_page_max: Count  # the operator's console keeps this many newest audit entries


class ModeCatalog(Contract):
    """The modes this deployment offers now: those the cost tier switched off are left out."""

    config_version: str
    default_mode: str
    login_lands_in: str
    modes: list[ModeView]
    client: ClientSettings
