"""Tier overlays: deep_merge, the clamp direction of every limit, and the INV-7 property."""

from __future__ import annotations

import json
import shutil
import tempfile
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from vvtv.config import ConfigBundle
from vvtv.config import ConfigError
from vvtv.config import Limits
from vvtv.config import build_runtime_config
from vvtv.config import clamp_violations
from vvtv.config import deep_merge
from vvtv.config.load import SourceFile
from vvtv.config.load import load_source
from vvtv.config.merge import CLAMPS
from vvtv.config.merge import clamp_of
from vvtv.config.merge import struct_field_types
from vvtv.config.merge import struct_type_of
from vvtv.config.schema.limits import TileLimits

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"
_LOADED = load_source(SHIPPED_CONFIG / "cost-tiers.yaml")
assert isinstance(_LOADED, SourceFile)
BASE: dict[str, Any] = _LOADED.data["base"]
BASE_LIMITS = msgspec.convert(BASE, Limits)

Leaf = tuple[tuple[str, ...], str, Any]  # (path, clamp, base value)


def _leaves(
    schema: type[msgspec.Struct], data: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[Leaf]:
    for name, annotation in struct_field_types(schema).items():
        nested = struct_type_of(annotation)
        if nested is not None:
            yield from _leaves(nested, data[name], (*path, name))
        else:
            yield (*path, name), str(clamp_of(annotation)), data[name]


LEAVES = list(_leaves(Limits, BASE))


def test_deep_merge_merges_mappings_and_replaces_the_rest() -> None:
    """CFG-3: mappings merge key by key; lists and scalars are replaced; inputs are untouched."""
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    overlay = {"a": {"y": [3]}, "c": {"z": 1}}
    merged = deep_merge(base, overlay)
    assert merged == {"a": {"x": 1, "y": [3]}, "b": 2, "c": {"z": 1}}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 2}
    merged["a"]["y"].append(9)
    assert overlay == {"a": {"y": [3]}, "c": {"z": 1}}


def test_every_limit_declares_its_clamp_direction() -> None:
    """INV-7: every leaf of the cost-tier schema (numbers, flags, lists, names) declares a clamp."""
    undeclared = [".".join(path) for path, clamp, _ in LEAVES if clamp not in CLAMPS]
    assert undeclared == []
    assert len(LEAVES) > 60  # the walk really reached the leaves


def test_known_caps_have_the_right_direction() -> None:
    """INV-7: caps are ceilings, waits and cooldowns are floors."""
    clamps = {".".join(path): clamp for path, clamp, _ in LEAVES}
    for cap in (
        "tiles.desktop",
        "tiles.mobile",
        "anti_abuse.max_matches_per_hour",
        "kill_switches.max_skips_per_minute",
        "kill_switches.max_estimated_egress_gb_per_hour_total",
    ):
        assert clamps[cap] == "ceiling", cap
    for floor in (
        "anti_abuse.cooldown_schedule_s",
        "anti_abuse.min_time_before_skip_ms",
        "anti_abuse.reconnect.backoff_s",
        "kill_switches.block_new_signups",
    ):
        assert clamps[floor] == "floor", floor
    assert clamps["cost.gb_per_hour_per_mbps"] == "fixed"


def _value(base: Any) -> st.SearchStrategy[Any]:
    """Values on both sides of `base`, about as often within its clamp as beyond it."""
    if isinstance(base, bool):
        return st.booleans()
    if isinstance(base, list) and not all(isinstance(v, (int, float)) for v in base or [""]):
        return st.sampled_from([base, [*base, "10.0.0.0/8"]])  # names (e.g. trusted proxies)
    if isinstance(base, list):
        top = int(max(base)) * 2 + 5
        return st.one_of(
            st.just(base),
            st.lists(st.integers(min_value=0, max_value=top), min_size=1, max_size=len(base) + 2),
        )
    if not isinstance(base, (int, float)):
        return st.sampled_from([base, f"{base}_other"])
    below, above = (min(1, base), base), (base, base * 3 + 3)
    if isinstance(base, int):
        return st.one_of(st.integers(int(below[0]), base), st.integers(base, int(above[1])))
    return st.one_of(*(st.floats(*bounds, allow_nan=False) for bounds in (below, above)))


@st.composite
def overlays(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(
        st.lists(st.sampled_from(LEAVES), min_size=1, max_size=3, unique_by=lambda leaf: leaf[0])
    )
    overlay: dict[str, Any] = {}
    for path, _clamp, base in chosen:
        node = overlay
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = draw(_value(base))
    return overlay


def _at(limits: msgspec.Struct, path: tuple[str, ...]) -> Any:
    value: Any = limits
    for part in path:
        value = getattr(value, part)
    return value


def _holds(clamp: str, base: Any, effective: Any) -> bool:
    """The clamp rule, restated independently of the implementation (lists: element-wise)."""
    if isinstance(base, tuple):
        n = max(len(base), len(effective))
        return all(
            _holds(clamp, base[min(i, len(base) - 1)], effective[min(i, len(effective) - 1)])
            for i in range(n)
        )
    if clamp == "ceiling":
        return bool(effective <= base)
    if clamp == "floor":
        return bool(effective >= base)
    return bool(effective == base)


def _assert_never_looser(effective: Limits) -> None:
    for path, clamp, _ in LEAVES:
        assert _holds(clamp, _at(BASE_LIMITS, path), _at(effective, path)), ".".join(path)
    # Independent oracle for the figures SPEC names as caps (INV-7).
    assert effective.tiles.desktop <= 12
    assert effective.tiles.mobile <= 6
    assert effective.anti_abuse.max_matches_per_hour <= 120
    assert effective.kill_switches.max_skips_per_minute <= 12
    assert effective.anti_abuse.min_time_before_skip_ms >= 2000
    assert effective.feature_flags.incident_mode >= BASE_LIMITS.feature_flags.incident_mode


@settings(max_examples=300, deadline=None)
@given(overlay=overlays())
def test_merge_never_loosens_a_cap(overlay: dict[str, Any]) -> None:
    """INV-7 (property): an overlay has clamp violations, or its merge exceeds no base cap."""
    if clamp_violations(BASE, overlay, Limits):
        event("refused by clamp")
        return
    merged = deep_merge(BASE, overlay)
    try:
        effective = msgspec.convert(merged, Limits)
    except msgspec.ValidationError:
        event("refused by type")
        return  # out of the type's range (e.g. 0 where > 0 is required): refused too
    event("accepted")
    _assert_never_looser(effective)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overlay=overlays())
def test_build_with_random_tier_raises_or_stays_within_base_caps(overlay: dict[str, Any]) -> None:
    """INV-7 / CFG-3 (property, end to end): for a random tier written into cost-tiers.yaml,
    build_runtime_config either raises ConfigError or no effective value exceeds its base cap."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        shutil.copytree(SHIPPED_CONFIG, config)
        tiers = config / "cost-tiers.yaml"
        tiers.write_text(tiers.read_text() + f"\n  PROPERTY: {json.dumps(overlay)}\n")
        try:
            bundle: ConfigBundle | None = build_runtime_config(config, "PROPERTY")
        except ConfigError:
            bundle = None
    if bundle is None:
        event("refused")
        return
    event("accepted")
    _assert_never_looser(bundle.limits)


def test_overlay_that_tightens_is_accepted_and_applied() -> None:
    """CFG-3 / INV-7: the other side of the property: a stricter overlay is accepted as given."""
    overlay = {"tiles": {"desktop": 8}, "anti_abuse": {"min_time_before_skip_ms": 3000}}
    assert clamp_violations(BASE, overlay, Limits) == []
    effective = msgspec.convert(deep_merge(BASE, overlay), Limits)
    assert (effective.tiles.desktop, effective.tiles.mobile) == (8, 6)
    assert effective.anti_abuse.min_time_before_skip_ms == 3000


def test_clamp_annotations_are_msgspec_meta_extras() -> None:
    """INV-7: the clamp direction is declared with msgspec Meta(extra=...) on the field type."""
    hints = typing.get_type_hints(TileLimits, include_extras=True)
    assert clamp_of(hints["desktop"]) == "ceiling"
