"""Shield Mode (issue 16): one switch for the operator that applies config's `shield` preset at
once and reverts it exactly. While on, the contexts read its gates (`gates()`): chat (new
accounts, slow mode, the live room's age gate), consent (new accounts' invites), matching (Random
for older accounts) and the tiles' blur (told in the banner). Each switch is audited, saved (a
restart keeps it), metered and told to every signed-in tab as a calm notice; switching on may
also sweep: whoever posted a listed term lately is timed out of chat.

Every change happens with no await between reading and writing it, on trio's one thread."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime

import msgspec

from vvtv.config import ConfigBundle
from vvtv.contracts.cost import ServiceStatus
from vvtv.contracts.events import ServiceNotice
from vvtv.contracts.shield import ShieldBanner
from vvtv.contracts.shield import ShieldGatesView
from vvtv.contracts.shield import ShieldStatus
from vvtv.domain.shield import Gates
from vvtv.domain.shield import gates
from vvtv.domain.values import frozen
from vvtv.observability.audit import AuditRecord
from vvtv.observability.switches import SwitchPorts
from vvtv.shield.metrics import ShieldMetrics

log = logging.getLogger(__name__)
ACTION = "shield.switch"

# (terms, window_s, timeout_s, actor_id) -> users timed out: chat's sweep.
Sweep = Callable[[tuple[str, ...], float, float, str | None], Awaitable[int]]


@frozen
class ShieldPorts:
    switch: SwitchPorts
    notice: Callable[[], ServiceStatus]  # where the product stands for users (the ladder's)
    sweep: Sweep
    metrics: ShieldMetrics


def preset_of(config: ConfigBundle) -> Gates:
    """Config's `shield` section read as the gates it holds (its sweep aside)."""
    return msgspec.convert(config.limits.shield, Gates, from_attributes=True)


class Shield:
    def __init__(self, config: ConfigBundle, ports: ShieldPorts) -> None:
        self._preset = preset_of(config)
        self._sweep = config.limits.shield.sweep
        self._ports = ports
        self._active = False
        self._changed_at: datetime | None = None
        self._last_swept: int | None = None
        self._gates = gates(self._preset, False)

    async def restore(self) -> None:
        """The switch as the last run left it (no sweep: that ran when it was switched on)."""
        saved = await self._ports.switch.store.load()
        if saved is not None:
            self._set(saved[0])
            self._changed_at = saved[1]
            if self._active:
                log.warning("shield mode: resumed on")

    def gates(self) -> Gates:
        """What is in force now (all open while off)."""
        return self._gates

    def banner(self) -> ShieldBanner | None:
        """What users are told while it is on."""
        if not self._active:
            return None
        return ShieldBanner(blur_new_tiles=self._gates.blur_new_tiles)

    def status(self) -> ShieldStatus:
        on = gates(self._preset, True)
        return ShieldStatus(
            active=self._active,
            changed_at=self._changed_at,
            preset=msgspec.structs.replace(
                msgspec.convert(on, ShieldGatesView, from_attributes=True),
                live_rooms=sorted(on.live_rooms),
            ),
            sweep_enabled=self._sweep.enabled,
            last_swept=self._last_swept,
        )

    async def switch(self, actor_id: str | None, active: bool, reason: str) -> ShieldStatus:
        """Switch on (the preset at once, then the sweep if config wants it) or off (all of it
        reverted); audited even when it stays where it was (the decision is the record)."""
        was = self._active
        self._set(active)
        self._changed_at = at = self._ports.switch.clock()
        if active != was:
            self._ports.metrics.switches.labels("on" if active else "off").inc()
            notice = self._ports.notice()
            self._ports.switch.notify_all(
                ServiceNotice(level=notice.level, step=notice.step, shield=notice.shield)
            )
            log.warning("shield mode: %s (%s)", "on" if active else "off", reason)
        await self._ports.switch.store.save(
            active,
            at,
            AuditRecord(
                at=at, actor_id=actor_id, action=ACTION, reason=reason,
                detail={"active": active, "was": was},
            ),
        )  # fmt: skip
        if active and not was and self._sweep.enabled:
            swept = await self._ports.sweep(
                self._sweep.terms, self._sweep.window_s, self._sweep.timeout_s, actor_id
            )
            self._last_swept = swept
            self._ports.metrics.swept.inc(swept)
        return self.status()

    def _set(self, active: bool) -> None:
        self._active = active
        self._gates = gates(self._preset, active)
        self._ports.metrics.active.set(1 if active else 0)
