"""Bodies of the operational endpoints: liveness, readiness."""

from __future__ import annotations

from typing import Literal

from vvtv.contracts.base import Contract


class Health(Contract):
    """The process is alive and its event loop answers."""

    status: Literal["ok"] = "ok"


class ReadinessCheck(Contract):
    name: str
    ok: bool
    detail: str = ""


class ServiceHealth(Contract):
    """One service's last judged state (TEL-5): `ok`, `degraded`, `stuck` or `down`."""

    service: str
    state: Literal["ok", "degraded", "stuck", "down"]
    detail: str = ""


class Readiness(Contract):
    """Whether this process can serve traffic, with each check that decides it. `services` is
    each service's health: detail for the operator, not part of readiness (a channel off air
    must not take the API out of a load balancer)."""

    ready: bool
    checks: list[ReadinessCheck]
    config_version: str
    tier: str | None = None
    services: list[ServiceHealth] = []
