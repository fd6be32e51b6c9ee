"""The limits' settings that bound one another (cost-tiers.yaml, CFG-4): one setting must stay
below, at or above another, or a rule built on both cannot hold. Said once as data, checked in
one loop; the checks that need more than two values stay with the rest in `limits`."""

from __future__ import annotations

from collections.abc import Callable
from operator import ge
from operator import gt
from operator import le
from operator import lt
from typing import Any

from vvtv.config.problems import Problem
from vvtv.config.schema.limits import Limits
from vvtv.config.validate.locator import Locator

# (key, refused_when, bound, why): the key's problem stands when `refused_when(its value, the
# bound's value)` holds; both are dotted key paths into the limits. Why some of them hold:
# - consent.timeout_s: invites live only in their invitee's actor; the kernel must not passivate
#   it between an invite and its expiry, or the invite would vanish unanswered and unexpired.
# - observability.stuck_after_s: a stall is seen between two samples; a shorter threshold could
#   never be told from a pause.
# - lab.viewer_window_s: a player asks what airs every ui.channel_poll_s; a shorter window loses
#   watching devices.
ORDERINGS: tuple[tuple[str, Callable[[Any, Any], bool], str, str], ...] = (
    (
        "presence.heartbeat_interval_s",
        ge,
        "presence.ghost_ttl_s",
        "must be shorter than ghost_ttl_s (PRS-1)",
    ),
    (
        "presence.party_page_size",
        gt,
        "presence.page_size_max",
        "must not exceed page_size_max (PRS-3, OPS-4)",
    ),
    (
        "presence.grid_page_size",
        gt,
        "presence.page_size_max",
        "must not exceed page_size_max (PRS-3, OPS-4)",
    ),
    (
        "consent.timeout_s",
        ge,
        "runtime.actors.idle_passivate_s",
        "must be shorter than runtime.actors.idle_passivate_s, or pending invites "
        "passivate unanswered (CNS-4)",
    ),
    (
        "runtime.gc.thaw_every_s",
        le,
        "runtime.gc.freeze_every_s",
        "must be longer than freeze_every_s: each thaw is a full collection's pause",
    ),
    (
        "observability.stuck_after_s",
        lt,
        "observability.health_sample_interval_s",
        "must be at least observability.health_sample_interval_s (TEL-5)",
    ),
    (
        "lab.viewer_window_s",
        le,
        "ui.channel_poll_s",
        "must be longer than ui.channel_poll_s, how often a player asks (TEL-5)",
    ),
    (
        "sessions.heartbeat_interval_s",
        ge,
        "sessions.heartbeat_timeout_s",
        "must be shorter than heartbeat_timeout_s (SES-8)",
    ),
    (
        "anti_abuse.quarantine.max_matches_per_hour",
        gt,
        "anti_abuse.max_matches_per_hour",
        "quarantine must not allow more matches than everyone else (ABU-5)",
    ),
    (
        "lab.queue_alert_below_s",
        ge,
        "lab.queue_slack_target_s",
        "must be below queue_slack_target_s (LAB-7)",
    ),
    (
        "lab.fetch_ahead_s",
        lt,
        "lab.queue_slack_target_s",
        "must cover queue_slack_target_s (LAB-2)",
    ),
    (
        "telemetry.qos_sampling_incident",
        lt,
        "telemetry.qos_sampling_default",
        "must be at least qos_sampling_default (TEL-2)",
    ),
    (
        "auth.tokens.access_ttl_s",
        ge,
        "auth.tokens.refresh_ttl_s",
        "must be shorter than refresh_ttl_s (AUTH-1)",
    ),
    (
        "ui.token_refresh_lead_s",
        ge,
        "auth.tokens.access_ttl_s",
        "must be shorter than auth.tokens.access_ttl_s, or the UI refreshes constantly",
    ),
    (
        "auth.login.per_account_and_address.max_attempts",
        gt,
        "auth.login.per_account.max_attempts",
        "must not exceed per_account.max_attempts, or one address could lock new devices"
        " out of the account on its own",
    ),
    (
        "chat.history_page_size",
        gt,
        "chat.history_page_max",
        "must not exceed history_page_max (CHT-2)",
    ),
    (
        "reports.queue_page_size",
        gt,
        "reports.queue_page_max",
        "must not exceed queue_page_max (MOD-5)",
    ),
    (
        "media.frame_checks.early_interval_s",
        gt,
        "media.frame_checks.later_interval_s",
        "must not exceed later_interval_s: the first seconds are checked densely",
    ),
)


def check_orderings(limits: Limits, at: Locator) -> list[Problem]:
    return [
        at.problem(tuple(key.split(".")), why)
        for key, refused_when, bound, why in ORDERINGS
        if refused_when(_value(limits, key), _value(limits, bound))
    ]


def _value(limits: Limits, key: str) -> Any:
    value: Any = limits
    for name in key.split("."):
        value = getattr(value, name)
    return value
