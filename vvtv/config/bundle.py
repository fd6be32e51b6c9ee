"""`build_runtime_config`: the five YAMLs -> one frozen, validated `ConfigBundle` (CFG-1/2/3).

The bundle is the one config object passed into the app (never a global): services read caps from
`bundle.limits` (the effective tier), media caps from `bundle.media`, and so on (INV-6).
"""

from __future__ import annotations

import hashlib
import re
import types
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import NamedTuple
from typing import TypeVar
from typing import cast

import msgspec

from vvtv.config.decode import decode
from vvtv.config.load import SourceFile
from vvtv.config.load import display_path
from vvtv.config.load import load_source
from vvtv.config.merge import clamp_violations
from vvtv.config.merge import deep_merge
from vvtv.config.problems import ConfigError
from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.schema.frozen import ConfigStruct
from vvtv.config.schema.limits import Limits
from vvtv.config.schema.media import MediaProfiles
from vvtv.config.schema.media import Profile
from vvtv.config.schema.modes import ModeManifests
from vvtv.config.schema.skins import Skins
from vvtv.config.schema.skins import Theme
from vvtv.config.schema.telemetry import TelemetryEvents
from vvtv.config.skins import limits_written_at
from vvtv.config.skins import modes_overlay
from vvtv.config.skins import modes_written_at
from vvtv.config.validate import Locator
from vvtv.config.validate import SkinLocator
from vvtv.config.validate import TierLocator
from vvtv.config.validate import check_flags_cover_modes
from vvtv.config.validate import check_ladder_modes
from vvtv.config.validate import check_limits
from vvtv.config.validate import check_media
from vvtv.config.validate import check_modes
from vvtv.config.validate import check_skins
from vvtv.config.validate import check_telemetry

MEDIA_FILE = "media-profiles.yaml"
MODES_FILE = "mode-manifests.yaml"
TIERS_FILE = "cost-tiers.yaml"
TELEMETRY_FILE = "telemetry-events.yaml"
SKINS_FILE = "skins.yaml"
# The text of the terms a signup accepts: terms/<auth.terms_version>.txt beside the YAMLs.
TERMS_DIR = "terms"
_TERMS_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

T = TypeVar("T")


class ConfigBundle(msgspec.Struct, frozen=True, kw_only=True):
    """The validated config of one process: immutable all the way down."""

    media: MediaProfiles
    modes: ModeManifests
    limits: Limits  # the EFFECTIVE tier: base with the selected overlay applied
    telemetry: TelemetryEvents
    tier: str | None  # the effective tier: the command line's, else the skin's
    tiers: tuple[str, ...]  # every tier the file defines (all of them validated)
    skin: str  # the skin worn (OPS-3): its layout, routes and policies are in the fields above
    skins: tuple[str, ...]  # every skin the file defines (all of them validated)
    theme: Theme  # the worn skin's look
    version: str  # policy version: short sha256 of the effective content
    source_dir: Path
    terms: str  # the text of the terms of use a signup accepts (limits.auth.terms_version)

    def profile(self, name: str) -> Profile:
        """The named media profile; KeyError if unknown (SES-11: refuse before any endpoint)."""
        return self.media.profiles[name]

    def summary(self) -> str:
        return (
            f"config OK: {len(self.media.profiles)} profiles, {len(self.modes.modes)} modes, "
            f"{len(self.tiers)} tiers, {len(self.skins)} skins, "
            f"{len(self.telemetry.events)} events; "
            f"tier={self.tier or 'base'}; skin={self.skin}; version={self.version}"
        )

    def to_builtins(self) -> dict[str, Any]:
        """Plain JSON-able data (e.g. a session's policy snapshot)."""
        data: dict[str, Any] = msgspec.to_builtins(self, enc_hook=_encode_extra)
        return data


def build_runtime_config(
    config_dir: Path, tier: str | None = None, skin: str | None = None
) -> ConfigBundle:
    """Load, type, merge `tier` onto base, put on `skin` (its own tier unless `tier` is given),
    validate every tier and skin; raise `ConfigError` listing every problem."""
    config_dir = Path(config_dir)
    problems: list[Problem] = []
    sources: dict[str, SourceFile] = {}
    for name in (MEDIA_FILE, MODES_FILE, TIERS_FILE, TELEMETRY_FILE, SKINS_FILE):
        loaded = load_source(config_dir / name)
        if isinstance(loaded, Problem):
            problems.append(loaded)
        else:
            sources[name] = loaded

    media = _decode(sources.get(MEDIA_FILE), MediaProfiles, problems)
    modes = _decode(sources.get(MODES_FILE), ModeManifests, problems)
    telemetry = _decode(sources.get(TELEMETRY_FILE), TelemetryEvents, problems)
    skins = _decode(sources.get(SKINS_FILE), Skins, problems)
    tiers_source = sources.get(TIERS_FILE)
    effective = _decode_tiers(tiers_source, problems) if tiers_source is not None else None

    if effective is not None and tier is not None and tier not in effective:
        assert tiers_source is not None
        problems.append(
            tiers_source.problem(("tiers",), f"unknown tier `{tier}` ({_known(effective)}) (CFG-3)")
        )
    if skins is not None and skin is not None and skin not in skins.skins:
        known = ", ".join(skins.skins) or "none"
        problems.append(
            sources[SKINS_FILE].problem(("skins",), f"unknown skin `{skin}` (known: {known})")
        )
    if media is not None:
        problems += check_media(media, sources[MEDIA_FILE])
    if telemetry is not None:
        problems += check_telemetry(telemetry, sources[TELEMETRY_FILE])
    if modes is not None and media is not None and telemetry is not None:
        problems += check_modes(modes, sources[MODES_FILE], media, telemetry)
    if effective is not None and media is not None:
        for limits, locator, _ in effective.values():
            problems += check_limits(limits, locator, media)
        if modes is not None:
            base = effective[None]
            problems += check_flags_cover_modes(modes, sources[MODES_FILE], base.limits)
            problems += check_ladder_modes(base.limits, base.at, modes)
    # A tier may not change the terms' version (it is fixed): the base names the one text.
    terms = (
        _load_terms(config_dir, effective[None].limits, effective[None].at, problems)
        if effective is not None
        else None
    )
    skinned: dict[str, _Skinned] = {}
    if skins is not None and modes is not None:
        problems += check_skins(skins, sources[SKINS_FILE], modes.modes)
    if (
        skins is not None
        and modes is not None
        and media is not None
        and telemetry is not None
        and effective is not None
    ):
        for name in skins.skins:
            dressed = _put_on(name, skins, tier, sources, effective, media, telemetry, problems)
            if dressed is not None:
                skinned[name] = dressed

    if (
        problems
        or skins is None
        or media is None
        or telemetry is None
        or effective is None
        or terms is None
    ):
        raise ConfigError(problems)
    chosen = skin if skin is not None else skins.default
    worn = skinned[chosen]
    media = _with_reduced_profile(media, worn.limits)
    theme = skins.skins[chosen].theme
    return ConfigBundle(
        media=_freeze(media),
        modes=_freeze(worn.modes),
        limits=_freeze(worn.limits),
        telemetry=_freeze(telemetry),
        tier=worn.tier,
        tiers=tuple(t for t in effective if t is not None),
        skin=chosen,
        skins=tuple(skins.skins),
        theme=_freeze(theme),
        version=_version(media, worn.modes, worn.limits, telemetry, theme),
        source_dir=config_dir,
        terms=terms,
    )


class _Skinned(NamedTuple):
    """A skin put on: its effective manifests, limits and tier."""

    modes: ModeManifests
    limits: Limits
    tier: str | None


def _put_on(
    name: str,
    skins: Skins,
    tier: str | None,
    sources: Mapping[str, SourceFile],
    effective: Mapping[str | None, _Tier],
    media: MediaProfiles,
    telemetry: TelemetryEvents,
    problems: list[Problem],
) -> _Skinned | None:
    """Skin `name` over the manifests and its tier (`tier` when given), checked as they are."""
    skin, at_skins = skins.skins[name], sources[SKINS_FILE]
    worn_tier = tier if tier is not None else skin.policies.tier
    if worn_tier not in effective:
        declared = sources[TIERS_FILE].data.get("tiers") or {}
        # An unknown `tier`, or a tier broken in its own file, is reported once, there.
        if tier is None and worn_tier not in declared:
            where = ("skins", name, "policies", "tier")
            message = f"unknown tier `{worn_tier}` ({_known(effective)}) (CFG-3, OPS-3)"
            problems.append(at_skins.problem(where, message))
        return None
    at_modes = sources[MODES_FILE]
    overlay = modes_overlay(skin, at_modes.data.get("modes") or {})
    modes_at = SkinLocator(at_skins, overlay, modes_written_at(name), at_modes)
    modes = decode(
        deep_merge(at_modes.data, overlay), ModeManifests, _reporter(modes_at.problem, (), problems)
    )
    if modes is not None:
        problems += check_modes(modes, modes_at, media, telemetry)
    limits, limits_at, raw = effective[worn_tier]
    if skin.policies.limits:
        written_at = limits_written_at(name)
        violations = clamp_violations(raw, skin.policies.limits, Limits)
        for path, message in violations:
            problems.append(at_skins.problem(written_at(path), message))
        if violations:
            return None
        limits_at = SkinLocator(at_skins, skin.policies.limits, written_at, limits_at)
        merged = decode(
            deep_merge(raw, skin.policies.limits),
            Limits,
            _reporter(limits_at.problem, (), problems),
        )
        if merged is None:
            return None
        limits = merged
        problems += check_limits(limits, limits_at, media)
        if modes is not None:
            problems += check_ladder_modes(limits, limits_at, modes)
    return _Skinned(modes, limits, worn_tier) if modes is not None else None


def _known(effective: Mapping[str | None, Any]) -> str:
    return "known: " + (", ".join(t for t in effective if t is not None) or "none")


def validate_config(
    config_dir: Path, tier: str | None = None, skin: str | None = None
) -> list[Problem]:
    """Every problem of the config in `config_dir`, empty when valid (`vvtv config validate`)."""
    try:
        build_runtime_config(config_dir, tier, skin)
    except ConfigError as exc:
        return exc.problems
    return []


def _load_terms(
    config_dir: Path, limits: Limits, at: Locator, problems: list[Problem]
) -> str | None:
    """The terms' text for `auth.terms_version`; None (and a problem) when no one could read what
    a signup accepts."""
    version = limits.auth.terms_version
    where = ("auth", "terms_version")
    if not _TERMS_VERSION.fullmatch(version):
        problems.append(at.problem(where, f"`{version}` must be a plain file name (AUTH-2)"))
        return None
    path = config_dir / TERMS_DIR / f"{version}.txt"
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    if not text:
        problems.append(
            at.problem(
                where,
                f"no text for terms version `{version}`: write {display_path(path)} "
                "(UTF-8), what a signup accepts (AUTH-2)",
            )
        )
        return None
    return text


def _decode(source: SourceFile | None, target: type[T], problems: list[Problem]) -> T | None:
    if source is None:
        return None
    return decode(source.data, target, _reporter(source.problem, (), problems))


def _reporter(
    problem: Callable[[KeyPath, str], Problem], prefix: KeyPath, problems: list[Problem]
) -> Callable[[KeyPath, str], None]:
    def report(path: KeyPath, message: str) -> None:
        problems.append(problem((*prefix, *path), message))

    return report


class _TiersFile(ConfigStruct, frozen=True):
    version: int
    base: dict[str, Any]
    tiers: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)


class _Tier(NamedTuple):
    """A tier's effective limits, where their lines are, and the plain data they decode from."""

    limits: Limits
    at: Locator
    raw: dict[str, Any]


def _decode_tiers(source: SourceFile, problems: list[Problem]) -> dict[str | None, _Tier] | None:
    """Base (key None) and every tier as effective Limits with their locator; None if broken."""
    shape = decode(source.data, _TiersFile, _reporter(source.problem, (), problems))
    if shape is None:
        return None
    base = decode(shape.base, Limits, _reporter(source.problem, ("base",), problems))
    if base is None:
        return None
    effective: dict[str | None, _Tier] = {
        None: _Tier(base, TierLocator(source, None, {}), dict(shape.base))
    }
    for name, overlay in shape.tiers.items():
        violations = clamp_violations(shape.base, overlay, Limits)
        for path, message in violations:
            problems.append(source.problem(("tiers", name, *path), message))
        if violations:
            continue
        locator = TierLocator(source, name, overlay)
        raw = deep_merge(shape.base, overlay)
        limits = decode(raw, Limits, _reporter(locator.problem, (), problems))
        if limits is not None:
            effective[name] = _Tier(limits, locator, raw)
    return effective


def _with_reduced_profile(media: MediaProfiles, limits: Limits) -> MediaProfiles:
    """The quarantine's profile (ABU-4) among the others: its forced profile with the tier's
    reduced video caps, so the orchestrator estimates a quarantined call at them (INV-10) and the
    SFU encodes it at them, like any profile. Validation has checked the caps only reduce."""
    quarantine = limits.anti_abuse.quarantine
    forced = media.profiles[quarantine.forced_profile]
    video = msgspec.structs.replace(
        forced.video,
        max_bitrate_kbps=min(forced.video.max_bitrate_kbps, quarantine.max_video_bitrate_kbps),
        fps=min(forced.video.fps, quarantine.max_fps),
    )
    reduced = msgspec.structs.replace(
        forced, description=f"{forced.description} (reduced caps)", video=video
    )
    profiles = {**media.profiles, quarantine.reduced_profile: reduced}
    return msgspec.structs.replace(media, profiles=profiles)


def _version(*parts: msgspec.Struct) -> str:
    encoded = msgspec.json.encode(list(parts), order="sorted")
    return hashlib.sha256(encoded).hexdigest()[:12]


def _freeze(value: T) -> T:
    """Mappings inside Structs become read-only views; Structs and tuples already are immutable."""
    if isinstance(value, msgspec.Struct):
        changes = {}
        for name in value.__struct_fields__:
            current = getattr(value, name)
            frozen = _freeze(current)
            if frozen is not current:
                changes[name] = frozen
        return msgspec.structs.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        proxy = types.MappingProxyType({key: _freeze(item) for key, item in value.items()})
        return cast(T, proxy)
    if isinstance(value, tuple):
        items = tuple(_freeze(item) for item in value)
        changed = any(a is not b for a, b in zip(items, value, strict=True))
        return cast(T, items) if changed else value
    return value


def _encode_extra(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(type(value))
