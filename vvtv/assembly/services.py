"""What the composition root opens: every context's one entry point, for `vvtv serve`'s app,
the CLI and the tests."""

from __future__ import annotations

from dataclasses import dataclass

from vvtv.chat.service import Chat
from vvtv.consent.service import Consent
from vvtv.cost.ladder import KillSwitch
from vvtv.cost.service import CostMeter
from vvtv.frames.service import FrameChecks
from vvtv.identity.service import Identity
from vvtv.lab.board import LabStatusBoard
from vvtv.lab.runtime import LabRuntime
from vvtv.matching.service import Matching
from vvtv.moderation.service import Moderation
from vvtv.observability.audit import AuditLog
from vvtv.operator.service import LiveBoard
from vvtv.presence.service import Presence
from vvtv.sessions.orchestrator import Orchestrator
from vvtv.shield.service import Shield
from vvtv.telemetry.incident import Incident
from vvtv.tiles.service import Tiles
from vvtv.web.sockets import SocketHub


@dataclass
class Services:
    identity: Identity
    audit: AuditLog
    sockets: SocketHub
    sessions: Orchestrator
    presence: Presence
    tiles: Tiles
    chat: Chat
    moderation: Moderation
    consent: Consent
    matching: Matching
    frames: FrameChecks  # the automated frame checks' outcomes (issue 16)
    # The 24/7 channel: opened here (cheap, no ffmpeg), put on air by `vvtv serve` (`lab.run`).
    lab: LabRuntime
    lab_board: LabStatusBoard
    lab_token: str | None  # the standalone agents' push token; None: admins' bearer tokens only
    cost: CostMeter
    kill_switch: KillSwitch
    incident: Incident  # TEL-2: every call samples its QoS while it is on
    shield: Shield  # the operator's one switch for a raid (issue 16)
    live: LiveBoard  # the operator's live counts and alerts (TEL-5)
