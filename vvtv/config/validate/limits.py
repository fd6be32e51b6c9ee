"""The rules of cost-tiers.yaml (CFG-4), checked on each effective tier, with its references
into media-profiles.yaml (the quarantine's forced profile, ABU-4)."""

from __future__ import annotations

import ipaddress

from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.schema.limits import Limits
from vvtv.config.schema.media import MediaProfiles
from vvtv.config.schema.modes import ModeManifests
from vvtv.config.validate.locator import Locator
from vvtv.config.validate.orderings import check_orderings
from vvtv.config.validate.safety import check_safety
from vvtv.contracts.chat import BODY_MAX
from vvtv.contracts.chat import HISTORY_PAGE_MAX
from vvtv.contracts.chat import REPORT_MESSAGES_MAX
from vvtv.contracts.moderation import BULK_MAX
from vvtv.contracts.moderation import PAGE_MAX
from vvtv.contracts.presence import CAPABILITIES_MAX
from vvtv.contracts.presence import PAGE_SIZE_MAX
from vvtv.contracts.presence import TAGS_MAX
from vvtv.domain.kill_switch import STEPS

# Sanity bounds of the validator itself (not product caps): a tile budget beyond this is a typo.
MAX_SANE_TILES = 64
# THB-4 / ABU-1: the first three quick skips are free; the schedule only grows from the 4th on.
COOLDOWN_MONOTONIC_FROM = 3


def check_limits(limits: Limits, at: Locator, media: MediaProfiles) -> list[Problem]:
    problems: list[Problem] = []
    tiles = limits.tiles
    for device in ("desktop", "mobile"):
        count = getattr(tiles, device)
        if count < 1:
            problems.append(
                at.problem(
                    ("tiles", device),
                    f"must be a positive number of tiles, got {count} (CFG-4, THB-5)",
                )
            )
        elif count > MAX_SANE_TILES:
            problems.append(
                at.problem(
                    ("tiles", device),
                    f"{count} tiles is beyond the sane bound {MAX_SANE_TILES} (CFG-4, THB-5)",
                )
            )
    if tiles.mobile > tiles.desktop:
        problems.append(
            at.problem(
                ("tiles", "mobile"),
                f"{tiles.mobile} exceeds desktop's {tiles.desktop}; "
                "mobile gets fewer tiles (CFG-4, THB-5)",
            )
        )
    problems += _check_tile_quality(limits, at)
    problems += _check_frame_checks(limits, at)
    problems += _check_schedule(
        limits.anti_abuse.cooldown_schedule_s, ("anti_abuse", "cooldown_schedule_s"), at
    )
    problems += _check_schedule(
        limits.anti_abuse.reconnect.backoff_s,
        ("anti_abuse", "reconnect", "backoff_s"),
        at,
        from_index=0,
    )
    presence = limits.presence
    if presence.ghost_ttl_s + presence.sweep_interval_s > presence.removal_deadline_s:
        problems.append(
            at.problem(
                ("presence", "removal_deadline_s"),
                "ghost_ttl_s + sweep_interval_s must fit within it (PRS-5)",
            )
        )
    problems += _check_presence(limits, at)
    problems += check_orderings(limits, at)
    problems += _check_observability(limits, at)
    problems += _check_socket_grace(limits, at)
    problems += _check_matching_grace(limits, at)
    quarantine = limits.anti_abuse.quarantine
    forced = media.profiles.get(quarantine.forced_profile)
    if forced is None:
        problems.append(
            at.problem(
                ("anti_abuse", "quarantine", "forced_profile"),
                f"names unknown profile `{quarantine.forced_profile}` (CFG-4, ABU-4)",
            )
        )
    elif forced.kind != "call":
        problems.append(
            at.problem(
                ("anti_abuse", "quarantine", "forced_profile"), "must be a call profile (ABU-4)"
            )
        )
    elif quarantine.reduced_profile in media.profiles:
        # The bundle derives that profile (the forced one at the reduced caps): a profile of the
        # same name in media-profiles.yaml would be shadowed.
        problems.append(
            at.problem(
                ("anti_abuse", "quarantine", "forced_profile"),
                f"derives `{quarantine.reduced_profile}`, which media-profiles.yaml already"
                " names (ABU-4)",
            )
        )
    else:
        if quarantine.max_video_bitrate_kbps > forced.video.max_bitrate_kbps:
            problems.append(
                at.problem(
                    ("anti_abuse", "quarantine", "max_video_bitrate_kbps"),
                    f"must reduce `{quarantine.forced_profile}`'s "
                    f"{forced.video.max_bitrate_kbps} kbps (ABU-4)",
                )
            )
        if quarantine.max_fps > forced.video.fps:
            problems.append(
                at.problem(
                    ("anti_abuse", "quarantine", "max_fps"),
                    f"must reduce `{quarantine.forced_profile}`'s {forced.video.fps:g} fps (ABU-4)",
                )
            )
    problems += _check_chat(limits, at)
    problems += _check_reports(limits, at)
    problems += _check_schedule(
        limits.ui.socket_reconnect_backoff_s, ("ui", "socket_reconnect_backoff_s"), at, from_index=0
    )
    problems += _check_login(limits, at)
    problems += check_safety(limits, at)
    return problems


def _check_tile_quality(limits: Limits, at: Locator) -> list[Problem]:
    """THB-4's hysteresis: the way back up must be stricter than the way down."""
    quality = limits.tile_quality
    pairs = (
        ("recover_loss_below", "loss_above"),
        ("recover_jitter_below_ms", "jitter_above_ms"),
    )
    return [
        at.problem(
            ("tile_quality", recover),
            f"must be below {degrade}, or a link on the threshold steps up and down for ever"
            " (THB-4)",
        )
        for recover, degrade in pairs
        if getattr(quality, recover) >= getattr(quality, degrade)
    ]


def _check_frame_checks(limits: Limits, at: Locator) -> list[Problem]:
    """Each outcome of a frame check includes the milder ones (a frame that ends a call was
    reported, a reported one blurred), the dense sampling is denser than the sparse one, and the
    report's reason is one the queue offers."""
    checks = limits.media.frame_checks
    key = ("media", "frame_checks")
    problems = [
        at.problem(
            (*key, stronger),
            f"must not be below {milder}: a stronger outcome includes the milder (MOD-1)",
        )
        for milder, stronger in (("blur_at", "report_at"), ("report_at", "end_call_at"))
        if getattr(checks, stronger) < getattr(checks, milder)
    ]
    if checks.report_reason not in limits.reports.reason_codes:
        problems.append(
            at.problem(
                (*key, "report_reason"),
                f"{checks.report_reason!r} is not one of reports.reason_codes: the report goes"
                " to the one queue, whose reasons those are (MOD-1)",
            )
        )
    return problems


def _check_presence(limits: Limits, at: Locator) -> list[Problem]:
    presence = limits.presence
    problems = []
    # A room holding anyone wakes for its next expiry at least this often; the actor kernel must
    # not passivate it in between, or everyone in it would vanish at once.
    longest_sleep_s = presence.ghost_ttl_s + presence.sweep_interval_s
    if longest_sleep_s >= limits.runtime.actors.idle_passivate_s:
        problems.append(
            at.problem(
                ("presence", "ghost_ttl_s"),
                "ghost_ttl_s + sweep_interval_s must be shorter than "
                "runtime.actors.idle_passivate_s, or rooms passivate with people in them (PRS-4)",
            )
        )
    wire_bounds = {
        "page_size_max": PAGE_SIZE_MAX,
        "max_tags": TAGS_MAX,
        "max_capabilities": CAPABILITIES_MAX,
    }
    problems += _within_wire_bounds(presence, "presence", wire_bounds, at, " (PRS-2)")
    return problems


def _check_socket_grace(limits: Limits, at: Locator) -> list[Problem]:
    sessions, reconnect = limits.sessions, limits.ui.socket_reconnect_backoff_s
    if sessions.socket_grace_s >= sessions.heartbeat_timeout_s:
        return [
            at.problem(
                ("sessions", "socket_grace_s"),
                "must be shorter than heartbeat_timeout_s, or a closed tab ends a call no sooner"
                " than silence does (OPS-5)",
            )
        ]
    if sessions.socket_grace_s <= reconnect[0]:
        return [
            at.problem(
                ("sessions", "socket_grace_s"),
                f"must outlast the UI's first reconnect wait ({reconnect[0]:g} s), or every"
                " dropped socket ends its calls (OPS-5)",
            )
        ]
    return []


def _check_matching_grace(limits: Limits, at: Locator) -> list[Problem]:
    grace = limits.matching.socket_grace_s
    reconnect = limits.ui.socket_reconnect_backoff_s
    if grace <= reconnect[0]:
        return [
            at.problem(
                ("matching", "socket_grace_s"),
                f"must outlast the UI's first reconnect wait ({reconnect[0]:g} s), or a reload"
                " leaves Random and counts as a reconnect (ABU-3)",
            )
        ]
    if grace >= limits.sessions.heartbeat_timeout_s:
        return [
            at.problem(
                ("matching", "socket_grace_s"),
                "must be shorter than sessions.heartbeat_timeout_s, or a joiner gone for good"
                " holds the one they were matched with longer than silence would (MAT-5)",
            )
        ]
    return []


def _check_observability(limits: Limits, at: Locator) -> list[Problem]:
    problems = []
    tracing = limits.observability.tracing
    if tracing.exporter == "otlp" and not tracing.otlp_endpoint:
        problems.append(
            at.problem(
                ("observability", "tracing", "otlp_endpoint"),
                "must name the collector's OTLP/HTTP endpoint when exporter is otlp (TEL-7)",
            )
        )
    ladder = limits.kill_switches.ladder
    for index, step in enumerate(ladder.steps):
        if step not in STEPS or step in ladder.steps[:index]:
            problems.append(
                at.problem(
                    ("kill_switches", "ladder", "steps", index),
                    f"`{step}` is not a step the product knows, or is named twice"
                    f" (known: {', '.join(STEPS)}) (INV-7)",
                )
            )
    # A rate needs two samples inside its window.
    cost = limits.cost
    if cost.rate_window_s < 2 * cost.sample_interval_s:
        problems.append(
            at.problem(
                ("cost", "rate_window_s"),
                "must be at least twice cost.sample_interval_s (TEL-4)",
            )
        )
    return problems


def check_ladder_modes(limits: Limits, at: Locator, modes: ModeManifests) -> list[Problem]:
    """The modes the ladder pauses or refuses exist in mode-manifests.yaml: a typo would leave
    that mode running at the very step meant to stop it (INV-7)."""
    ladder = limits.kill_switches.ladder
    return [
        at.problem(
            ("kill_switches", "ladder", key, index),
            f"names unknown mode `{mode}` (known: {', '.join(modes.modes)}) (CFG-4, INV-7)",
        )
        for key in ("paused_modes", "call_modes")
        for index, mode in enumerate(getattr(ladder, key))
        if mode not in modes.modes
    ]


def _check_login(limits: Limits, at: Locator) -> list[Problem]:
    login = limits.auth.login
    problems = [
        at.problem(("auth", "login", "trusted_proxies", index), f"{proxy!r} is not an IP network")
        for index, proxy in enumerate(login.trusted_proxies)
        if not _is_network(proxy)
    ]
    return problems


def _within_wire_bounds(
    section: object, name: str, bounds: dict[str, int], at: Locator, why: str = ""
) -> list[Problem]:
    """A configured cap beyond what the published contract admits would be refused on the wire
    before the config could apply it: the contract's bound is the ceiling."""
    return [
        at.problem((name, key), f"must not exceed {bound}, the bound of the {name} contracts{why}")
        for key, bound in bounds.items()
        if getattr(section, key) > bound
    ]


def _is_network(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _check_schedule(
    schedule: tuple[float, ...],
    path: KeyPath,
    at: Locator,
    *,
    from_index: int = COOLDOWN_MONOTONIC_FROM,
) -> list[Problem]:
    problems = []
    for index, seconds in enumerate(schedule):
        if seconds < 0:
            problems.append(at.problem((*path, index), f"{seconds:g} s is negative (CFG-4, ABU-1)"))
        elif index > from_index and seconds < schedule[index - 1]:
            problems.append(
                at.problem(
                    (*path, index),
                    f"{seconds:g} s is less than the previous {schedule[index - 1]:g} s; "
                    f"the schedule must not decrease from index {from_index} on (CFG-4, ABU-1)",
                )
            )
    return problems


def _check_chat(limits: Limits, at: Locator) -> list[Problem]:
    problems: list[Problem] = []
    chat = limits.chat
    scopes = chat.scopes
    strictest = scopes.live_public.per_second
    for scope in ("private_1to1", "room", "performer_room"):
        if scopes.of(scope).per_second < strictest:
            problems.append(
                at.problem(
                    ("chat", "scopes", "live_public"),
                    f"must be the strictest scope, but `{scope}` is stricter (CHT-4)",
                )
            )
    for scope in scopes.__struct_fields__:
        if scopes.of(scope).max_chars > chat.max_message_chars:
            problems.append(
                at.problem(
                    ("chat", "scopes", scope, "max_chars"),
                    "must not exceed max_message_chars (CHT-3)",
                )
            )
    wire_bounds = {
        "max_message_chars": BODY_MAX,
        "history_page_max": HISTORY_PAGE_MAX,
        "max_report_messages": REPORT_MESSAGES_MAX,
    }
    problems += _within_wire_bounds(chat, "chat", wire_bounds, at)
    return problems


def _check_reports(limits: Limits, at: Locator) -> list[Problem]:
    reports = limits.reports
    bounds = {"queue_page_max": PAGE_MAX, "history_page_max": PAGE_MAX, "bulk_max": BULK_MAX}
    problems = _within_wire_bounds(reports, "reports", bounds, at, " (MOD-5)")
    if len(set(reports.reason_codes)) != len(reports.reason_codes):
        problems.append(at.problem(("reports", "reason_codes"), "lists a reason twice (MOD-1)"))
    return problems
