"""The incident flag (TEL-2): while it is on, every call samples its QoS instead of a share of
them. The tier's `feature_flags.incident_mode` holds it on (a protection); an admin switches it on
and off at run time, audited, saved (a restart keeps it) and told to every signed-in tab.

Every change happens with no await between reading and writing it, on trio's one thread."""

from __future__ import annotations

from datetime import datetime

from vvtv.config import ConfigBundle
from vvtv.contracts.events import TelemetrySampling
from vvtv.contracts.telemetry import IncidentStatus
from vvtv.contracts.telemetry import QosSampling
from vvtv.errors import Conflict
from vvtv.observability.audit import AuditRecord
from vvtv.observability.switches import SwitchPorts

ACTION = "incident.switch"


class Incident:
    def __init__(self, config: ConfigBundle, ports: SwitchPorts) -> None:
        self._rates = config.limits.telemetry
        self._forced = config.limits.feature_flags.incident_mode
        self._ports = ports
        self._switched_on = False
        self._changed_at: datetime | None = None

    async def restore(self) -> None:
        """The admin's switch as the last run left it."""
        saved = await self._ports.store.load()
        if saved is not None:
            self._switched_on, self._changed_at = saved

    @property
    def active(self) -> bool:
        return self._forced or self._switched_on

    def qos_rate(self) -> float:
        """The share of calls that sample their QoS now."""
        rates = self._rates
        return rates.qos_sampling_incident if self.active else rates.qos_sampling_default

    def sampling(self) -> QosSampling:
        return QosSampling(
            rate=self.qos_rate(), incident=self.active, interval_s=self._rates.qos_sample_interval_s
        )

    def status(self) -> IncidentStatus:
        return IncidentStatus(
            active=self.active,
            switched_on=self._switched_on,
            forced_by_tier=self._forced,
            qos_rate=self.qos_rate(),
            changed_at=self._changed_at,
        )

    async def switch(self, actor_id: str, active: bool, reason: str) -> IncidentStatus:
        if self._forced and not active:
            raise Conflict(
                "This tier keeps incident mode on (feature_flags.incident_mode).",
                code="incident_forced",
            )
        was = self.active
        self._switched_on = active
        self._changed_at = at = self._ports.clock()
        if self.active != was:
            self._ports.notify_all(TelemetrySampling(rate=self.qos_rate(), incident=self.active))
        await self._ports.store.save(
            active,
            at,
            AuditRecord(
                at=at,
                actor_id=actor_id,
                action=ACTION,
                reason=reason,
                detail={"active": active, "qos_rate": self.qos_rate()},
            ),
        )
        return self.status()
