"""The kill-switch ladder's one owner (INV-7): it judges each cost sample, takes an admin's pin,
and performs each change: audited, metered, and told to every signed-in tab as a calm notice.
Other contexts consult it through `engaged(step)` and `admit(mode)`. Where it stands (the load's
level and the pin) is saved with each change, so a restart resumes there (`restore`).

Every change of state happens synchronously (no await between reading and writing it), so the
meter's samples and an admin's pin, both on trio's one thread, are two messages in one mailbox.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime

import trio

from vvtv.clock import WallClock
from vvtv.config import ConfigBundle
from vvtv.contracts.cost import CostReport
from vvtv.contracts.cost import KillSwitchStatus
from vvtv.contracts.cost import ServiceStatus
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.events import ServiceNotice
from vvtv.contracts.shield import ShieldBanner
from vvtv.cost.metrics import LadderMetrics
from vvtv.cost.store import LadderStore
from vvtv.cost.store import SavedLadder
from vvtv.domain.kill_switch import Changed
from vvtv.domain.kill_switch import Ladder
from vvtv.domain.kill_switch import LadderRules
from vvtv.domain.kill_switch import engaged
from vvtv.domain.kill_switch import observe
from vvtv.domain.kill_switch import pin
from vvtv.domain.kill_switch import step_name
from vvtv.domain.values import frozen
from vvtv.errors import BadRequest
from vvtv.errors import Unavailable
from vvtv.observability.audit import AuditRecord

log = logging.getLogger(__name__)
ACTION = "kill_switch.step"


@frozen
class LadderPorts:
    audit: Callable[[AuditRecord], Awaitable[int]]
    notify_all: Callable[[ServerEvent], None]
    clock: WallClock
    metrics: LadderMetrics
    # Where the ladder stands, saved with each change's audit entry; None: kept in memory only.
    store: LadderStore | None = None
    # The server's telemetry (`kill_switch_tripped` on each step down, TEL-4); None: not told.
    emit: Callable[..., None] | None = None
    # Shield Mode's banner while it is on: one notice tells users both where the product stands.
    shield: Callable[[], ShieldBanner | None] = lambda: None


class KillSwitch:
    def __init__(self, config: ConfigBundle, ports: LadderPorts) -> None:
        kill = config.limits.kill_switches
        self._rules = LadderRules(
            steps=kill.ladder.steps,
            ceiling_gb_per_hour=kill.max_estimated_egress_gb_per_hour_total,
            step_up_fraction=kill.ladder.step_up_fraction,
            min_dwell_s=kill.ladder.min_dwell_s,
        )
        self._paused_modes = frozenset(kill.ladder.paused_modes)
        self._call_modes = frozenset(kill.ladder.call_modes)
        self._ports = ports
        self._ladder = Ladder()
        self._load = 0.0
        self._changed_at: datetime | None = None
        self._listeners: list[Callable[[int], None]] = []
        self._recorded: list[Callable[[int], None]] = []
        ports.metrics.show(self._ladder)

    async def restore(self) -> None:
        """Resume where the last run left the ladder (its level and any pin). Its dwell starts
        afresh, so a restart never moves it at once."""
        if self._ports.store is None or (saved := await self._ports.store.load()) is None:
            return
        top = len(self._rules.steps)  # config may have dropped steps since
        override = None if saved.override is None else min(saved.override, top)
        self._ladder = Ladder(
            automatic=min(saved.automatic, top), changed_at=trio.current_time(), override=override
        )
        self._ports.metrics.show(self._ladder)
        if self._ladder.level or override is not None:
            log.warning(
                "kill switch: resumed at level %d (%s)", self._ladder.level,
                "pinned" if override is not None else "by the load",
            )  # fmt: skip

    # -- what other contexts consult ---------------------------------------------------------------

    def on_change(self, listener: Callable[[int], None]) -> None:
        """Call `listener(level)` each time the effective level moves (e.g. Random pauses its
        queue at `random_paused`)."""
        self._listeners.append(listener)

    def on_recorded(self, listener: Callable[[int], None]) -> None:
        """Call `listener(level)` once a move's audit entry is written: later than `on_change`
        (which admission needs at once), for whoever shows the move and its entry together."""
        self._recorded.append(listener)

    def engaged(self, step: str) -> bool:
        """Whether `step` (e.g. `stills`, `party_tiles_off`) is taken now."""
        return engaged(self._ladder.level, step, self._rules)

    def admit(self, mode: str) -> None:
        """Refuse a new session of `mode` while the ladder says so (503 `kill_switch`)."""
        if mode in self._call_modes and self.engaged("new_calls_refused"):
            raise Unavailable(
                "New calls are paused for a moment to keep the service running for everyone.",
                code="kill_switch",
            )
        if mode in self._paused_modes and self.engaged("random_paused"):
            raise Unavailable(
                f"{mode.capitalize()} is paused for a moment to keep the service running.",
                code="kill_switch",
            )

    def notice(self) -> ServiceStatus:
        """What users are told: how far the product stepped down (0: not at all)."""
        level = self._ladder.level
        return ServiceStatus(
            level=level, step=step_name(level, self._rules), shield=self._ports.shield()
        )

    # -- what drives it ----------------------------------------------------------------------------

    async def observe(self, report: CostReport) -> None:
        """A cost sample: the larger of the estimate and what was really sent is the load."""
        self._load = max(report.total_estimated_gb_per_hour, report.total_measured_gb_per_hour)
        before = self._ladder
        self._ladder, changed = observe(self._ladder, self._load, trio.current_time(), self._rules)
        self._ports.metrics.show(self._ladder)
        if changed is not None:
            await self._perform(changed, actor_id=None, reason="egress")
        elif self._ladder.automatic != before.automatic:
            # The load moved under a pin: users see nothing, but a restart must resume there.
            await self._save(None)

    async def override(self, actor_id: str, level: int | None, reason: str) -> KillSwitchStatus:
        """An admin pins the ladder at `level`, or gives it back to the load (None)."""
        try:
            self._ladder, changed = pin(self._ladder, level, self._rules)
        except ValueError:
            raise BadRequest(
                f"Pick a level from 0 to {len(self._rules.steps)}.", code="invalid_level",
                path="level",
            ) from None  # fmt: skip
        self._ports.metrics.show(self._ladder)
        # The pin itself is a decision worth a trail even when the level stays where it was.
        await self._perform(
            changed or Changed(self._ladder.level, self._ladder.level, "override"),
            actor_id=actor_id, reason=reason, pinned=level,
        )  # fmt: skip
        return self.status()

    def status(self) -> KillSwitchStatus:
        ladder = self._ladder
        return KillSwitchStatus(
            level=ladder.level,
            steps=list(self._rules.steps),
            engaged=list(self._rules.steps[: ladder.level]),
            automatic_level=ladder.automatic,
            override_level=ladder.override,
            load_gb_per_hour=self._load,
            ceiling_gb_per_hour=self._rules.ceiling_gb_per_hour,
            step_up_below_gb_per_hour=(
                self._rules.ceiling_gb_per_hour * self._rules.step_up_fraction
            ),
            changed_at=self._changed_at,
        )

    async def _perform(
        self, changed: Changed, *, actor_id: str | None, reason: str, pinned: int | None = None
    ) -> None:
        step = step_name(changed.after, self._rules)
        moved = changed.after != changed.before
        if moved:
            self._changed_at = self._ports.clock()
            self._ports.metrics.changed(changed)
            self._ports.notify_all(
                ServiceNotice(level=changed.after, step=step, shield=self._ports.shield())
            )
            for listener in self._listeners:
                listener(changed.after)
            if changed.after > changed.before and step is not None and self._ports.emit:
                self._ports.emit(
                    "kill_switch_tripped", switch=step, measured=self._load,
                    threshold=self._rules.ceiling_gb_per_hour,
                )  # fmt: skip
            log.warning(
                "kill switch: level %d -> %d (%s, %s)", changed.before, changed.after,
                changed.cause, step or "nothing taken",
            )  # fmt: skip
        detail: dict[str, object] = {
            "from": changed.before, "to": changed.after, "cause": changed.cause, "step": step,
        }  # fmt: skip
        if changed.load_gb_per_hour is not None:
            detail["load_gb_per_hour"] = round(changed.load_gb_per_hour, 3)
        if changed.cause == "override":
            detail["pinned"] = pinned
        await self._save(
            AuditRecord(
                at=self._ports.clock(), actor_id=actor_id, action=ACTION, reason=reason,
                detail=detail,
            )
        )  # fmt: skip
        if moved:
            for listener in self._recorded:
                listener(changed.after)

    async def _save(self, audit: AuditRecord | None) -> None:
        """Where the ladder stands now, with the audit entry of the change (one transaction)."""
        if self._ports.store is None:
            if audit is not None:
                await self._ports.audit(audit)
            return
        saved = SavedLadder(self._ladder.automatic, self._ladder.override)
        await self._ports.store.save(saved, self._ports.clock(), audit)
