"""The identity context's Prometheus series, on the registry it is given (no globals)."""

from __future__ import annotations

from typing import Literal

from prometheus_client import Counter

from vvtv.errors import VvtvError
from vvtv.identity.errors import AuthBusy
from vvtv.identity.errors import Banned
from vvtv.identity.errors import InvalidCredentials
from vvtv.identity.errors import LoginBusy
from vvtv.identity.errors import LoginLockedOut
from vvtv.observability.series import Catalogued

LoginOutcome = Literal["succeeded", "failed", "locked_out", "busy", "banned"]
# How a refused sign-in is counted; any other error (a bug, an outage) is not a sign-in outcome.
LOGIN_REFUSALS: dict[type[VvtvError], LoginOutcome] = {
    InvalidCredentials: "failed",
    LoginLockedOut: "locked_out",
    LoginBusy: "busy",
    AuthBusy: "busy",
    Banned: "banned",
}
# The same refusals as telemetry's auth_failure reasons (a reason code only, TEL-3).
FAILURE_REASONS: dict[LoginOutcome, str] = {
    "failed": "bad_credentials",
    "locked_out": "rate_limited",
    "busy": "rate_limited",
    "banned": "banned",
}


class IdentityMetrics(Catalogued, section="identity"):
    logins: Counter
    signups: Counter

    def login(self, outcome: LoginOutcome) -> None:
        self.logins.labels(outcome).inc()
