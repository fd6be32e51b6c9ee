"""The rules of mode-manifests.yaml (CFG-4), with its references into the other files: profiles,
events and the feature flags of cost-tiers.yaml (CFG-6)."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from typing import get_args

from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.schema.limits import Limits
from vvtv.config.schema.media import MediaProfiles
from vvtv.config.schema.modes import ChatScope
from vvtv.config.schema.modes import Mode
from vvtv.config.schema.modes import ModeManifests
from vvtv.config.schema.modes import Mount
from vvtv.config.schema.modes import Regions
from vvtv.config.schema.telemetry import TelemetryEvents
from vvtv.config.validate.locator import Locator

PRESENCE_RAIL = "PresenceRail"


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
    namespaces = _namespaces(modes, media, telemetry)
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
        if mode.requires_role is not None and not mode.requires_auth:
            problems.append(
                at.problem(
                    (*here, "requires_auth"),
                    f"must be true: a mode for `{mode.requires_role}` needs a sign-in (AUTH-4)",
                )
            )
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
        problems += _check_mounts(name, mode, modes, at, namespaces)
        problems += _check_policies(name, mode, modes, at, media)
    return problems


def _namespaces(
    modes: ModeManifests, media: MediaProfiles, telemetry: TelemetryEvents
) -> Mapping[str, Iterable[str]]:
    """What a prop of each naming kind may name."""
    return {
        "profile": media.profiles,
        "event": telemetry.events,
        "mode": modes.modes,
        "route": frozenset(mode.route for mode in modes.modes.values()),
        "chat_scope": get_args(ChatScope),
    }


def _mounted(regions: Regions) -> Iterator[tuple[str, KeyPath, Mount]]:
    """(region, its key path under the mode, mount) for each mount; overlays go by index."""
    overlay_index = 0
    for region, mount in regions.mounts():
        if region == "overlays":
            yield region, ("regions", region, overlay_index), mount
            overlay_index += 1
        else:
            yield region, ("regions", region), mount


def _check_mounts(
    name: str,
    mode: Mode,
    modes: ModeManifests,
    at: Locator,
    namespaces: Mapping[str, Iterable[str]],
) -> list[Problem]:
    problems: list[Problem] = []
    for region, path, mount in _mounted(mode.regions):
        here: KeyPath = ("modes", name, *path)
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
        problems += _check_props(mount, spec.props, (*here, "props"), at, namespaces)
    return problems


def _check_props(
    mount: Mount,
    declared: Mapping[str, str],
    here: KeyPath,
    at: Locator,
    namespaces: Mapping[str, Iterable[str]],
) -> list[Problem]:
    problems: list[Problem] = []
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
        for _, path, mount in _mounted(mode.regions):
            spec = modes.components.get(mount.component)
            if spec is not None and spec.reads_presence and mount.component != PRESENCE_RAIL:
                problems.append(
                    at.problem(
                        (*here, *path, "component"),
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


def check_flags_cover_modes(modes: ModeManifests, at: Locator, limits: Limits) -> list[Problem]:
    """CFG-6: every mode but the default can be switched off by a tier, so each needs a flag.
    A staff mode (the operator's console) costs nothing to run and is how a tier is watched."""
    flags = limits.feature_flags.__struct_fields__
    return [
        at.problem(
            ("modes", name), f"has no feature flag `{name}` in cost-tiers feature_flags (CFG-6)"
        )
        for name, mode in modes.modes.items()
        if name != modes.app.default_mode and mode.requires_role is None and name not in flags
    ]
