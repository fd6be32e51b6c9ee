"""Every cross-field and cross-file rule of the config (CFG-4), each naming its requirement.

The checks read typed Structs and report through a `Locator`, which turns a key path into
`file:line` (for an effective tier: the overlay's line when the tier set the value, else base's).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from vvtv.config.load import SourceFile
from vvtv.config.problems import KeyPath, Problem
from vvtv.config.schema.limits import Limits
from vvtv.config.schema.media import MediaProfiles
from vvtv.config.schema.modes import Mode, ModeManifests, Mount
from vvtv.config.schema.telemetry import TelemetryEvents

# Sanity bounds of the validator itself (not product caps): a tile budget beyond this is a typo.
MAX_SANE_TILES = 64
# THB-4 / ABU-1: the first three quick skips are free; the schedule only grows from the 4th on.
COOLDOWN_MONOTONIC_FROM = 3
PRESENCE_RAIL = "PresenceRail"
# TEL-3: name parts that would mean logging a message body, a video frame or a precise location.
FORBIDDEN_PROPERTY_PARTS = frozenset(
    {
        "body",
        "text",
        "content",
        "transcript",
        "message",
        "frame",
        "frames",
        "image",
        "snapshot",
        "screenshot",
        "pixels",
        "lat",
        "lon",
        "lng",
        "latitude",
        "longitude",
        "geo",
        "geolocation",
        "gps",
        "coords",
        "location",
        "ip",
        "address",
    }
)
# `message` alone is a body, but a count or length of messages is not.
_HARMLESS_SUFFIXES = frozenset({"count", "length", "chars", "id", "kind", "type"})
_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


class Locator(Protocol):
    def problem(self, path: KeyPath, message: str) -> Problem: ...


@dataclass(frozen=True)
class TierLocator:
    """Locates an effective-tier key path: `tiers.<tier>` if the overlay set it, else `base`."""

    source: SourceFile
    tier: str | None
    overlay: Mapping[str, Any]

    def problem(self, path: KeyPath, message: str) -> Problem:
        if self.tier is not None and _has_path(self.overlay, path):
            return self.source.problem(("tiers", self.tier, *path), message)
        return self.source.problem(("base", *path), message)


def _has_path(data: Any, path: KeyPath) -> bool:
    for part in path:
        if isinstance(data, Mapping):
            found = part in data
        else:
            found = isinstance(data, list) and isinstance(part, int) and part < len(data)
        if not found:
            return False
        data = data[part]
    return True


# --- media-profiles.yaml --------------------------------------------------------------------------


def check_media(media: MediaProfiles, at: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for name, profile in media.profiles.items():
        here: KeyPath = ("profiles", name)
        if profile.kind == "thumbnail" and profile.audio_enabled:
            problems.append(
                at.problem((*here, "audio"), "must be false for thumbnail profiles (INV-3)")
            )
        if (profile.transport == "local") != (profile.direction == "local"):
            problems.append(
                at.problem(
                    (*here, "direction"),
                    "transport and direction must both be `local` or neither (MED-3)",
                )
            )
        if profile.transport != "local" and profile.video.max_bitrate_kbps <= 0:
            problems.append(
                at.problem(
                    (*here, "video", "max_bitrate_kbps"),
                    "must be > 0 for a profile sent over the network (MED-3)",
                )
            )
        if profile.degrade_to is None:
            continue
        target = media.profiles.get(profile.degrade_to)
        where = (*here, "degrade_to")
        if target is None:
            problems.append(
                at.problem(where, f"names unknown profile `{profile.degrade_to}` (CFG-4)")
            )
        elif profile.degrade_to == name or target.kind != profile.kind:
            problems.append(
                at.problem(where, f"must name another `{profile.kind}` profile (THB-4)")
            )
        elif _exceeds(target.video, profile.video) or (
            target.audio_enabled and not profile.audio_enabled
        ):
            problems.append(
                at.problem(
                    where,
                    f"`{profile.degrade_to}` is not lower than `{name}` "
                    "in size, fps and bitrate (THB-4)",
                )
            )
    problems += _check_degrade_cycles(media, at)
    ladder = media.broadcast_ladder
    for index, rendition in enumerate(ladder.renditions):
        where = ("broadcast_ladder", "renditions", index)
        found = media.profiles.get(rendition)
        if found is None:
            problems.append(at.problem(where, f"names unknown profile `{rendition}` (CFG-4)"))
        elif found.kind != "broadcast":
            problems.append(at.problem(where, f"`{rendition}` is not a broadcast profile (LAB-5)"))
        elif not _whole_multiple(ladder.segment_s, found.video.keyframe_interval_s):
            problems.append(
                at.problem(
                    ("broadcast_ladder", "segment_s"),
                    f"must be a whole number of `{rendition}` GOPs "
                    f"({found.video.keyframe_interval_s} s) (LAB-5)",
                )
            )
    return problems


def _exceeds(lower: Any, upper: Any) -> bool:
    fields = ("width", "height", "fps", "max_bitrate_kbps")
    return any(getattr(lower, f) > getattr(upper, f) for f in fields)


def _whole_multiple(total: float, step: float) -> bool:
    ratio = total / step
    return abs(ratio - round(ratio)) < 1e-9


def _check_degrade_cycles(media: MediaProfiles, at: Locator) -> list[Problem]:
    problems = []
    for name in media.profiles:
        seen = {name}
        current = media.profiles[name].degrade_to
        while current is not None and current in media.profiles:
            if current in seen:
                problems.append(
                    at.problem(("profiles", name, "degrade_to"), "degrade chain loops (THB-4)")
                )
                break
            seen.add(current)
            current = media.profiles[current].degrade_to
    return problems


# --- telemetry-events.yaml ------------------------------------------------------------------------


def check_telemetry(telemetry: TelemetryEvents, at: Locator) -> list[Problem]:
    problems: list[Problem] = []
    for chain, steps in telemetry.chains.items():
        for index, event in enumerate(steps):
            if event not in telemetry.events:
                problems.append(
                    at.problem(("chains", chain, index), f"names unknown event `{event}` (TEL-1)")
                )
    for name, spec in telemetry.events.items():
        if not _SNAKE.match(name):
            problems.append(at.problem(("events", name), "event names are snake_case (TEL-1)"))
        if not spec.privacy.strip():
            problems.append(
                at.problem(
                    ("events", name, "privacy"), "must say what the event does not carry (TEL-3)"
                )
            )
        for prop, declared in spec.properties.items():
            where: KeyPath = ("events", name, "properties", prop)
            reason = privacy_violation(prop)
            if reason is not None:
                problems.append(at.problem(where, f"{reason} must never be logged (TEL-3)"))
            elif not _SNAKE.match(prop):
                problems.append(at.problem(where, "property names are snake_case (TEL-1)"))
            if isinstance(declared, str):
                continue
            if declared.type == "enum" and not declared.values:
                problems.append(at.problem((*where, "type"), "an enum needs `values` (TEL-1)"))
            if declared.type != "enum" and declared.values:
                problems.append(
                    at.problem((*where, "values"), "only an enum takes `values` (TEL-1)")
                )
    return problems


def privacy_violation(property_name: str) -> str | None:
    """Why `property_name` looks like private data (TEL-3), or None when it is harmless."""
    parts = property_name.lower().split("_")
    if parts[-1] in _HARMLESS_SUFFIXES:
        return None
    hits = FORBIDDEN_PROPERTY_PARTS.intersection(parts)
    if not hits:
        return None
    return f"`{property_name}` looks like {'/'.join(sorted(hits))} data, which"


# --- mode-manifests.yaml (with cross-references into the other files) ---------------------------


def check_modes(
    modes: ModeManifests, at: Locator, media: MediaProfiles, telemetry: TelemetryEvents
) -> list[Problem]:
    problems: list[Problem] = []
    for key in ("default_mode", "login_lands_in"):
        target = getattr(modes.app, key)
        if target not in modes.modes:
            problems.append(at.problem(("app", key), f"names unknown mode `{target}` (UI-8)"))
    for name, component in modes.components.items():
        if not component.regions:
            problems.append(
                at.problem(
                    ("components", name, "regions"),
                    "a component mounts in at least one region (UI-1)",
                )
            )
    routes: dict[str, str] = {}
    for name, mode in modes.modes.items():
        here: KeyPath = ("modes", name)
        if not mode.route.startswith("/"):
            problems.append(at.problem((*here, "route"), "a route starts with `/` (UI-2)"))
        if mode.route in routes:
            problems.append(
                at.problem(
                    (*here, "route"),
                    f"route `{mode.route}` is also mode `{routes[mode.route]}`'s; "
                    "routes are unique (CFG-4, INV-5)",
                )
            )
        routes.setdefault(mode.route, name)
        if mode.media_profile is not None and mode.media_profile not in media.profiles:
            problems.append(
                at.problem(
                    (*here, "media_profile"),
                    f"names unknown profile `{mode.media_profile}` (CFG-4, SES-11)",
                )
            )
        for target in mode.transitions:
            if target not in modes.modes:
                problems.append(
                    at.problem(
                        (*here, "transitions", target),
                        f"names unknown mode `{target}` (CFG-4, SES-2)",
                    )
                )
            elif target == name:
                problems.append(
                    at.problem(
                        (*here, "transitions", target),
                        "a mode does not transition to itself (INV-1)",
                    )
                )
        for hook in ("on_enter", "on_leave"):
            for index, event in enumerate(getattr(mode.telemetry, hook)):
                if event not in telemetry.events:
                    problems.append(
                        at.problem(
                            (*here, "telemetry", hook, index),
                            f"names unknown event `{event}` (CFG-4, TEL-1)",
                        )
                    )
        problems += _check_mounts(name, mode, modes, at, media, telemetry, routes_of(modes))
        problems += _check_policies(name, mode, modes, at, media)
    return problems


def routes_of(modes: ModeManifests) -> frozenset[str]:
    return frozenset(mode.route for mode in modes.modes.values())


def _region_path(region: str, index: int | None) -> KeyPath:
    return ("regions", region) if index is None else ("regions", region, index)


def _check_mounts(
    name: str,
    mode: Mode,
    modes: ModeManifests,
    at: Locator,
    media: MediaProfiles,
    telemetry: TelemetryEvents,
    routes: frozenset[str],
) -> list[Problem]:
    problems: list[Problem] = []
    overlay_index = 0
    for region, mount in mode.regions.mounts():
        index = None
        if region == "overlays":
            index, overlay_index = overlay_index, overlay_index + 1
        here: KeyPath = ("modes", name, *_region_path(region, index))
        spec = modes.components.get(mount.component)
        if spec is None:
            problems.append(
                at.problem(
                    (*here, "component"),
                    f"names unknown component `{mount.component}` (CFG-4, UI-3)",
                )
            )
            continue
        if region not in spec.regions:
            problems.append(
                at.problem(
                    (*here, "component"),
                    f"`{mount.component}` does not mount in `{region}` "
                    f"(allowed: {', '.join(spec.regions)}) (UI-1)",
                )
            )
        problems += _check_props(
            mount, spec.props, (*here, "props"), at, media, telemetry, modes, routes
        )
    return problems


_CHAT_SCOPES = ("private_1to1", "room", "performer_room", "live_public")


def _check_props(
    mount: Mount,
    declared: Mapping[str, str],
    here: KeyPath,
    at: Locator,
    media: MediaProfiles,
    telemetry: TelemetryEvents,
    modes: ModeManifests,
    routes: frozenset[str],
) -> list[Problem]:
    problems: list[Problem] = []
    namespaces: dict[str, Iterable[str]] = {
        "profile": media.profiles,
        "event": telemetry.events,
        "mode": modes.modes,
        "route": routes,
        "chat_scope": _CHAT_SCOPES,
    }
    for prop, value in mount.props.items():
        where = (*here, prop)
        kind = declared.get(prop)
        if kind is None:
            problems.append(at.problem(where, f"`{mount.component}` takes no prop `{prop}` (UI-4)"))
        elif kind in namespaces:
            if not isinstance(value, str) or value not in namespaces[kind]:
                problems.append(
                    at.problem(where, f"names unknown {kind.replace('_', ' ')} `{value}` (CFG-4)")
                )
        elif not _prop_value_fits(kind, value):
            problems.append(at.problem(where, f"expected a {kind}, got `{value!r}` (UI-4)"))
    return problems


def _prop_value_fits(kind: str, value: object) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, str)


def _check_policies(
    name: str, mode: Mode, modes: ModeManifests, at: Locator, media: MediaProfiles
) -> list[Problem]:
    problems: list[Problem] = []
    here: KeyPath = ("modes", name)
    separated = mode.policies.separate_ecosystem_from_party
    if name == "live_public":
        if not separated:
            problems.append(
                at.problem(
                    (*here, "policies", "separate_ecosystem_from_party"),
                    "must be true for live_public (CFG-4, INV-5)",
                )
            )
        if mode.regions.rail is not None and mode.regions.rail.component == PRESENCE_RAIL:
            problems.append(
                at.problem(
                    (*here, "regions", "rail", "component"),
                    f"live_public must not mount the {PRESENCE_RAIL} (CFG-4, INV-5)",
                )
            )
    if separated and mode.ecosystem == "party":
        problems.append(
            at.problem(
                (*here, "ecosystem"),
                "a mode separated from Party cannot be in the party ecosystem (INV-5)",
            )
        )
    if separated:
        overlay_index = 0
        for region, mount in mode.regions.mounts():
            index = None
            if region == "overlays":
                index, overlay_index = overlay_index, overlay_index + 1
            spec = modes.components.get(mount.component)
            if spec is not None and spec.reads_presence and mount.component != PRESENCE_RAIL:
                problems.append(
                    at.problem(
                        (*here, *_region_path(region, index), "component"),
                        f"`{mount.component}` shows Party presence; "
                        "this mode is separated from Party (INV-5)",
                    )
                )
    if mode.policies.requires_match and mode.ecosystem == "party":
        problems.append(
            at.problem(
                (*here, "ecosystem"), "the Random queue never draws from Party (INV-5, MOD-7)"
            )
        )
    profile = media.profiles.get(mode.media_profile or "")
    if (
        profile is not None
        and profile.kind == "call"
        and not (mode.policies.requires_consent or mode.policies.requires_match)
    ):
        problems.append(
            at.problem(
                (*here, "policies"),
                "a call mode requires consent or a match: "
                "set requires_consent or requires_match (INV-2)",
            )
        )
    return problems


# --- cost-tiers.yaml (one effective tier) ---------------------------------------------------------


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
    if presence.heartbeat_interval_s >= presence.ghost_ttl_s:
        problems.append(
            at.problem(
                ("presence", "heartbeat_interval_s"), "must be shorter than ghost_ttl_s (PRS-1)"
            )
        )
    if presence.ghost_ttl_s + presence.sweep_interval_s > presence.removal_deadline_s:
        problems.append(
            at.problem(
                ("presence", "removal_deadline_s"),
                "ghost_ttl_s + sweep_interval_s must fit within it (PRS-5)",
            )
        )
    if limits.sessions.heartbeat_interval_s >= limits.sessions.heartbeat_timeout_s:
        problems.append(
            at.problem(
                ("sessions", "heartbeat_interval_s"),
                "must be shorter than heartbeat_timeout_s (SES-8)",
            )
        )
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
    if quarantine.max_matches_per_hour > limits.anti_abuse.max_matches_per_hour:
        problems.append(
            at.problem(
                ("anti_abuse", "quarantine", "max_matches_per_hour"),
                "quarantine must not allow more matches than everyone else (ABU-5)",
            )
        )
    scopes = limits.chat.scopes
    strictest = scopes.live_public.per_second
    for scope in ("private_1to1", "room", "performer_room"):
        if getattr(scopes, scope).per_second < strictest:
            problems.append(
                at.problem(
                    ("chat", "scopes", "live_public"),
                    f"must be the strictest scope, but `{scope}` is stricter (CHT-4)",
                )
            )
    lab = limits.lab
    if lab.queue_alert_below_s >= lab.queue_slack_target_s:
        problems.append(
            at.problem(("lab", "queue_alert_below_s"), "must be below queue_slack_target_s (LAB-7)")
        )
    if lab.fetch_ahead_s < lab.queue_slack_target_s:
        problems.append(
            at.problem(("lab", "fetch_ahead_s"), "must cover queue_slack_target_s (LAB-2)")
        )
    if limits.telemetry.qos_sampling_incident < limits.telemetry.qos_sampling_default:
        problems.append(
            at.problem(
                ("telemetry", "qos_sampling_incident"),
                "must be at least qos_sampling_default (TEL-2)",
            )
        )
    if limits.auth.tokens.access_ttl_s >= limits.auth.tokens.refresh_ttl_s:
        problems.append(
            at.problem(
                ("auth", "tokens", "access_ttl_s"), "must be shorter than refresh_ttl_s (AUTH-1)"
            )
        )
    problems += _check_schedule(
        limits.ui.socket_reconnect_backoff_s, ("ui", "socket_reconnect_backoff_s"), at, from_index=0
    )
    if limits.ui.token_refresh_lead_s >= limits.auth.tokens.access_ttl_s:
        problems.append(
            at.problem(
                ("ui", "token_refresh_lead_s"),
                "must be shorter than auth.tokens.access_ttl_s, or the UI refreshes constantly",
            )
        )
    problems += _check_login(limits, at)
    return problems


def _check_login(limits: Limits, at: Locator) -> list[Problem]:
    login = limits.auth.login
    problems = [
        at.problem(("auth", "login", "trusted_proxies", index), f"{proxy!r} is not an IP network")
        for index, proxy in enumerate(login.trusted_proxies)
        if not _is_network(proxy)
    ]
    if login.per_account_and_address.max_attempts > login.per_account.max_attempts:
        problems.append(
            at.problem(
                ("auth", "login", "per_account_and_address", "max_attempts"),
                "must not exceed per_account.max_attempts, or one address could lock new devices"
                " out of the account on its own",
            )
        )
    return problems


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


def check_flags_cover_modes(modes: ModeManifests, at: Locator, limits: Limits) -> list[Problem]:
    """CFG-6: every mode but the default can be switched off by a tier, so each needs a flag."""
    flags = limits.feature_flags.__struct_fields__
    return [
        at.problem(
            ("modes", name), f"has no feature flag `{name}` in cost-tiers feature_flags (CFG-6)"
        )
        for name in modes.modes
        if name != modes.app.default_mode and name not in flags
    ]
