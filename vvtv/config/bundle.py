"""`build_runtime_config`: the four YAMLs -> one frozen, validated `ConfigBundle` (CFG-1/2/3).

The bundle is the one config object passed into the app (never a global): services read caps from
`bundle.limits` (the effective tier), media caps from `bundle.media`, and so on (INV-6).
"""

from __future__ import annotations

import hashlib
import re
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar, cast

import msgspec

from vvtv.config.decode import decode
from vvtv.config.load import SourceFile, display_path, load_source
from vvtv.config.merge import clamp_violations, deep_merge
from vvtv.config.problems import ConfigError, KeyPath, Problem
from vvtv.config.schema.frozen import ConfigStruct
from vvtv.config.schema.limits import Limits
from vvtv.config.schema.media import MediaProfiles, Profile
from vvtv.config.schema.modes import ModeManifests
from vvtv.config.schema.telemetry import TelemetryEvents
from vvtv.config.validate import (
    TierLocator,
    check_flags_cover_modes,
    check_ladder_modes,
    check_limits,
    check_media,
    check_modes,
    check_telemetry,
)

MEDIA_FILE = "media-profiles.yaml"
MODES_FILE = "mode-manifests.yaml"
TIERS_FILE = "cost-tiers.yaml"
TELEMETRY_FILE = "telemetry-events.yaml"
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
    tier: str | None
    tiers: tuple[str, ...]  # every tier the file defines (all of them validated)
    version: str  # policy version: short sha256 of the effective content
    source_dir: Path
    terms: str  # the text of the terms of use a signup accepts (limits.auth.terms_version)

    def profile(self, name: str) -> Profile:
        """The named media profile; KeyError if unknown (SES-11: refuse before any endpoint)."""
        return self.media.profiles[name]

    def summary(self) -> str:
        return (
            f"config OK: {len(self.media.profiles)} profiles, {len(self.modes.modes)} modes, "
            f"{len(self.tiers)} tiers, {len(self.telemetry.events)} events; "
            f"tier={self.tier or 'base'}; version={self.version}"
        )

    def to_builtins(self) -> dict[str, Any]:
        """Plain JSON-able data (e.g. a session's policy snapshot)."""
        data: dict[str, Any] = msgspec.to_builtins(self, enc_hook=_encode_extra)
        return data


def build_runtime_config(config_dir: Path, tier: str | None = None) -> ConfigBundle:
    """Load, type, merge `tier` onto base, validate; raise `ConfigError` listing every problem."""
    config_dir = Path(config_dir)
    problems: list[Problem] = []
    sources: dict[str, SourceFile] = {}
    for name in (MEDIA_FILE, MODES_FILE, TIERS_FILE, TELEMETRY_FILE):
        loaded = load_source(config_dir / name)
        if isinstance(loaded, Problem):
            problems.append(loaded)
        else:
            sources[name] = loaded

    media = _decode(sources.get(MEDIA_FILE), MediaProfiles, problems)
    modes = _decode(sources.get(MODES_FILE), ModeManifests, problems)
    telemetry = _decode(sources.get(TELEMETRY_FILE), TelemetryEvents, problems)
    tiers_source = sources.get(TIERS_FILE)
    effective = _decode_tiers(tiers_source, problems) if tiers_source is not None else None

    if effective is not None and tier is not None and tier not in effective:
        assert tiers_source is not None
        known = ", ".join(t for t in effective if t is not None) or "none"
        problems.append(
            tiers_source.problem(("tiers",), f"unknown tier `{tier}` (known: {known}) (CFG-3)")
        )
    if media is not None:
        problems += check_media(media, sources[MEDIA_FILE])
    if telemetry is not None:
        problems += check_telemetry(telemetry, sources[TELEMETRY_FILE])
    if modes is not None and media is not None and telemetry is not None:
        problems += check_modes(modes, sources[MODES_FILE], media, telemetry)
    if effective is not None and media is not None:
        for limits, locator in effective.values():
            problems += check_limits(limits, locator, media)
        if modes is not None:
            problems += check_flags_cover_modes(modes, sources[MODES_FILE], effective[None][0])
            problems += check_ladder_modes(*effective[None], modes)
    # A tier may not change the terms' version (it is fixed): the base names the one text.
    terms = _load_terms(config_dir, *effective[None], problems) if effective is not None else None

    if (
        problems
        or media is None
        or modes is None
        or telemetry is None
        or effective is None
        or terms is None
    ):
        raise ConfigError(problems)
    limits = effective[tier][0]
    media = _with_reduced_profile(media, limits)
    return ConfigBundle(
        media=_freeze(media),
        modes=_freeze(modes),
        limits=_freeze(limits),
        telemetry=_freeze(telemetry),
        tier=tier,
        tiers=tuple(t for t in effective if t is not None),
        version=_version(media, modes, limits, telemetry),
        source_dir=config_dir,
        terms=terms,
    )


def validate_config(config_dir: Path, tier: str | None = None) -> list[Problem]:
    """Every problem of the config in `config_dir`, empty when valid (`vvtv config validate`)."""
    try:
        build_runtime_config(config_dir, tier)
    except ConfigError as exc:
        return exc.problems
    return []


def _load_terms(
    config_dir: Path, limits: Limits, at: TierLocator, problems: list[Problem]
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


def _decode_tiers(
    source: SourceFile, problems: list[Problem]
) -> dict[str | None, tuple[Limits, TierLocator]] | None:
    """Base (key None) and every tier as effective Limits with their locator; None if broken."""
    shape = decode(source.data, _TiersFile, _reporter(source.problem, (), problems))
    if shape is None:
        return None
    base = decode(shape.base, Limits, _reporter(source.problem, ("base",), problems))
    if base is None:
        return None
    effective: dict[str | None, tuple[Limits, TierLocator]] = {
        None: (base, TierLocator(source, None, {}))
    }
    for name, overlay in shape.tiers.items():
        violations = clamp_violations(shape.base, overlay, Limits)
        for path, message in violations:
            problems.append(source.problem(("tiers", name, *path), message))
        if violations:
            continue
        locator = TierLocator(source, name, overlay)
        limits = decode(
            deep_merge(shape.base, overlay), Limits, _reporter(locator.problem, (), problems)
        )
        if limits is not None:
            effective[name] = (limits, locator)
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
