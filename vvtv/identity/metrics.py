"""The identity context's Prometheus series, on the registry it is given (no globals)."""

from __future__ import annotations

from typing import Final, Literal, get_args

from prometheus_client import CollectorRegistry

from vvtv.errors import VvtvError
from vvtv.identity.errors import AuthBusy, Banned, InvalidCredentials, LoginBusy, LoginLockedOut
from vvtv.observability.series import Series

LoginOutcome = Literal["succeeded", "failed", "locked_out", "busy", "banned"]
LOGIN_OUTCOMES: Final = get_args(LoginOutcome)
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


class IdentityMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        series = Series(registry)
        self.logins = series.counter(
            "vvtv_identity_logins",
            "Sign-in attempts by outcome: succeeded; failed (wrong handle or password); locked_out"
            " (refused unchecked by the sign-in lockout); busy (too many password checks at once);"
            " banned (right password, banned account).",
            {"outcome": LOGIN_OUTCOMES},
        )
        self.signups = series.counter("vvtv_identity_signups", "Accounts created by sign-up.")

    def login(self, outcome: LoginOutcome) -> None:
        self.logins.labels(outcome).inc()
