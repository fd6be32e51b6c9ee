"""What the composition root builds across contexts: the adapters that fill one context's port
with another's service (so that neither imports the other), and the operator's views that read
every context where it keeps its figures."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from prometheus_client import CollectorRegistry

from vvtv.clock import WallClock
from vvtv.config import ConfigBundle
from vvtv.contracts.identity import AuditEntry
from vvtv.cost.service import CostMeter
from vvtv.cost.service import session_loads
from vvtv.domain.cost import ModeLoad
from vvtv.domain.health import ServiceShape
from vvtv.domain.health import judge_capacity
from vvtv.domain.health import judge_channel
from vvtv.frames.reports import AutomatedReport
from vvtv.lab.board import LabStatusBoard
from vvtv.media.local_sfu import LocalSFU
from vvtv.moderation.service import Moderation
from vvtv.observability.audit import AuditLog
from vvtv.observability.health import HealthBoard
from vvtv.operator.service import LiveBoard
from vvtv.operator.service import LivePorts
from vvtv.sessions.orchestrator import Orchestrator
from vvtv.sessions.store import SqliteSessionStore


class FrameReportsToModeration:
    """The frame checks' `ReportSink`: each report they raise is filed in moderation's one queue
    (`Moderation.raise_automated`) with the reported session's mode, so neither context imports
    the other. Built before moderation, which needs the frame checks' stills: `file_into` joins
    the two once both exist, before any request is served."""

    def __init__(self, sessions: Orchestrator) -> None:
        self._sessions = sessions
        self._moderation: Moderation | None = None

    def file_into(self, moderation: Moderation) -> None:
        self._moderation = moderation

    async def raise_report(self, report: AutomatedReport) -> None:
        assert self._moderation is not None, "a frame check reported before moderation is wired"
        mode_id = await self._sessions.mode_of(report.session_id)
        if mode_id is None:  # the SFU checks the cameras of sessions the orchestrator started
            raise LookupError(f"frame check on unknown session {report.session_id}")
        await self._moderation.raise_automated(
            target_id=report.target_user_id,
            session_id=report.session_id,
            mode_id=mode_id,
            reason_code=report.reason_code,
            score=report.score,
            still=(report.still_id, report.still, report.taken_at),
        )


async def audit_entries(audit: AuditLog, limit: int) -> list[AuditEntry]:
    """The newest page of the audit log, as the console shows it."""
    return [AuditEntry(**msgspec.structs.asdict(entry)) for entry in await audit.page(None, limit)]


async def active_loads(store: SqliteSessionStore, config: ConfigBundle) -> list[ModeLoad]:
    """What each mode runs now: its active sessions, as the store counts them (every sample, so
    never by reading each session)."""
    active = {t.mode: t.sessions for t in await store.tally() if t.state == "active"}
    return session_loads(config)(active)


def watch_services(
    health: HealthBoard,
    config: ConfigBundle,
    lab_board: LabStatusBoard,
    sfu: LocalSFU,
    clock: WallClock,
) -> None:
    """What each service runs, for its health (TEL-5): actor kinds and supervised loops, or a
    probe of its own (the channel's agents' reports, the SFU's admission cap)."""
    health.watch_actors("presence", ServiceShape(kinds=("presence",), loops=("presence wakes",)))
    health.watch_actors("sessions", ServiceShape(kinds=("session",)))
    health.watch_actors("chat", ServiceShape(kinds=("chat",)))
    health.watch_actors("consent", ServiceShape(kinds=("consent",), loops=("consent timers",)))
    health.watch_actors("matching", ServiceShape(kinds=("matching",), loops=("matching calls",)))
    stale_after_s = config.limits.observability.stuck_after_s
    health.watch(
        "broadcast",
        lambda: judge_channel(
            (
                (report.status.on_air, (clock() - report.at).total_seconds())
                for report in lab_board.agents().agents
            ),
            stale_after_s,
        ),
    )
    cap = config.limits.media.sfu.max_peer_connections
    health.watch(
        "sfu", lambda: judge_capacity(sfu.statistics().peer_connections, cap, "peer connections")
    )


def live_board(
    config: ConfigBundle,
    registry: CollectorRegistry,
    channel_viewers: Callable[[], int],
    cost: CostMeter,
    health: HealthBoard,
    clock: WallClock,
) -> LiveBoard:
    """The console's live counts, each read where its context keeps it (TEL-5): Party is the
    ecosystem a login lands in (UI-8); calls are the ladder's call modes' sessions."""
    sample = registry.get_sample_value
    party = config.modes.modes[config.modes.app.login_lands_in].ecosystem
    call_modes = frozenset(config.limits.kill_switches.ladder.call_modes)
    return LiveBoard(
        LivePorts(
            channel_viewers=channel_viewers,
            party_members=lambda: int(sample("vvtv_presence_members", {"ecosystem": party}) or 0),
            random_queue=lambda: int(sample("vvtv_matching_searching") or 0),
            calls=lambda: sum(
                line.viewers for line in cost.report().lines if line.mode in call_modes
            ),
            services=health.services,
            clock=clock,
        )
    )
