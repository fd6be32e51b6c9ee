"""The operator's live cost (TEL-4, THB-6): egress per mode, estimated and measured, and money."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from msgspec import Meta

from vvtv.contracts.base import Contract
from vvtv.contracts.base import Count
from vvtv.contracts.base import Serial
from vvtv.contracts.shield import ShieldBanner


class CostLine(Contract):
    """One mode: the SPEC's estimate (0.439 x Mbps x viewers x direction) beside the bytes really
    sent (SFU senders; HLS bytes served for the channel's modes), per hour and in money."""

    mode: str
    viewers: Count
    estimated_gb_per_hour: float
    measured_gb_per_hour: float
    estimated_usd_per_hour: float
    measured_usd_per_hour: float


class CostReport(Contract):
    """The last sample of every mode's cost, with the totals the kill-switch ladder compares
    against `ceiling_gb_per_hour` (kill_switches.max_estimated_egress_gb_per_hour_total)."""

    at: datetime
    price_per_gb_usd: float
    ceiling_gb_per_hour: float
    lines: list[CostLine]
    total_estimated_gb_per_hour: float
    total_measured_gb_per_hour: float
    total_estimated_usd_per_hour: float
    total_measured_usd_per_hour: float
    channel_bytes_served: Count  # HLS bytes served since the process started


class KillSwitchStatus(Contract, kw_only=True):
    """Where the kill-switch ladder stands (INV-7): `level` steps of `steps` are taken (the first
    `level`), by the load (`automatic_level`) or pinned by an admin (`override_level`)."""

    level: Count
    steps: list[str]
    engaged: list[str]
    automatic_level: Count
    override_level: Count | None = None
    load_gb_per_hour: float
    ceiling_gb_per_hour: float
    step_up_below_gb_per_hour: float
    changed_at: datetime | None = None


class KillSwitchOverride(Contract):
    """Pin the ladder at `level` (0: nothing taken), or give it back to the load with null."""

    level: Count | None
    reason: Annotated[str, Meta(min_length=1, max_length=500)]


class CostPoint(Contract):
    """One past sample of the cost meter, for the operator's charts: each mode's egress per hour,
    estimated and measured, and the totals in money."""

    seq: Serial  # counts every sample since the process started
    at: datetime
    estimated_gb_per_hour: dict[str, float]
    measured_gb_per_hour: dict[str, float]
    estimated_usd_per_hour: float
    measured_usd_per_hour: float


class CostHistoryQuery(Contract):
    after_seq: Count | None = None  # only the samples after this one (a chart that has the rest)


class CostHistory(Contract):
    """The cost meter's last samples, oldest first: at most `cost.history_samples` of them, one
    every `sample_interval_s`."""

    sample_interval_s: float
    capacity: Count  # cost.history_samples: older samples are dropped, here and in a chart
    samples: list[CostPoint]


class ServiceStatus(Contract):
    """Where the product stands for its users (INV-7): `level` steps of the kill-switch ladder
    are taken, `step` the last one (None at level 0). A tab reads it when its socket opens, then
    follows `service.notice`."""

    level: Count
    step: str | None = None
    shield: ShieldBanner | None = None  # Shield Mode is on: the banner, and what tiles blur
