"""Tier overlays: `deep_merge` onto base, and the clamp-only rule that guards it (CFG-3, INV-7).

Each leaf field of the limits schema declares its clamp direction in its type annotation
(`Meta(extra={"clamp": ...})`): `ceiling` (a tier may only lower it), `floor` (only raise it) or
`fixed` (never change it). Booleans order False < True; lists compare element-wise, a short list
repeating its last element. An overlay key absent from base is always refused.
"""

from __future__ import annotations

import copy
import functools
import types
import typing
from collections.abc import Mapping
from typing import Any
from typing import Literal

import msgspec

from vvtv.config.problems import KeyPath

Clamp = Literal["ceiling", "floor", "fixed"]
CLAMPS: tuple[Clamp, ...] = ("ceiling", "floor", "fixed")


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """A new mapping: `overlay` onto `base`; mappings merge key by key, the rest is replaced."""
    merged: dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def clamp_of(annotation: Any) -> Clamp | None:
    """The clamp direction declared in an `Annotated[...]` type, if any."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, msgspec.Meta) and meta.extra is not None:
            clamp = meta.extra.get("clamp")
            if clamp in CLAMPS:
                return typing.cast(Clamp, clamp)
    return None


@functools.cache
def struct_field_types(struct: type[msgspec.Struct]) -> Mapping[str, Any]:
    """Field name (as written in YAML) -> annotation with its `Annotated` extras."""
    hints = typing.get_type_hints(struct, include_extras=True)
    return types.MappingProxyType(
        {f.encode_name: hints[f.name] for f in msgspec.structs.fields(struct)}
    )


def struct_type_of(annotation: Any) -> type[msgspec.Struct] | None:
    """The Struct class behind `annotation` (unwrapping `Annotated`), or None for a leaf."""
    inner = typing.get_args(annotation)[0] if hasattr(annotation, "__metadata__") else annotation
    if isinstance(inner, type) and issubclass(inner, msgspec.Struct):
        return inner
    return None


def clamp_violations(
    base: Mapping[str, Any], overlay: Mapping[str, Any], schema: type[msgspec.Struct]
) -> list[tuple[KeyPath, str]]:
    """Every place where `overlay` would loosen `base`, as (overlay key path, message)."""
    found: list[tuple[KeyPath, str]] = []
    _walk(base, overlay, schema, (), found)
    return found


def _walk(
    base: Mapping[str, Any],
    overlay: Mapping[str, Any],
    schema: type[msgspec.Struct],
    path: KeyPath,
    found: list[tuple[KeyPath, str]],
) -> None:
    fields = struct_field_types(schema)
    for key, value in overlay.items():
        here = (*path, key)
        if key not in base or key not in fields:
            found.append(
                (
                    here,
                    "a tier may only tighten keys that base defines; base has no such key (INV-7)",
                )
            )
            continue
        annotation = fields[key]
        nested = struct_type_of(annotation)
        if nested is not None:
            if isinstance(value, Mapping) and isinstance(base[key], Mapping):
                _walk(base[key], value, nested, here, found)
            continue  # a non-mapping here is a type problem; decoding reports it
        clamp = clamp_of(annotation)
        if clamp is None:
            found.append(
                (here, "this field declares no clamp direction, so no tier may change it (INV-7)")
            )
            continue
        _compare(base[key], value, clamp, here, found)


def _compare(
    base: Any, overlay: Any, clamp: Clamp, path: KeyPath, found: list[tuple[KeyPath, str]]
) -> None:
    if isinstance(base, list) and isinstance(overlay, list):
        if not overlay or not base:
            if overlay != base:
                found.append((path, "a tier may not empty or fill an empty list (INV-7)"))
            return
        for index in range(max(len(base), len(overlay))):
            at = min(index, len(overlay) - 1)
            _compare_scalar(base[min(index, len(base) - 1)], overlay[at], clamp, (*path, at), found)
        return
    _compare_scalar(base, overlay, clamp, path, found)


def _compare_scalar(
    base: Any, overlay: Any, clamp: Clamp, path: KeyPath, found: list[tuple[KeyPath, str]]
) -> None:
    if clamp == "fixed":
        if overlay != base:
            found.append((path, f"is fixed at {base!r}; a tier may not change it (INV-7)"))
        return
    if isinstance(base, bool) != isinstance(overlay, bool):
        return  # a type mismatch; decoding reports it
    if not all(isinstance(v, (int, float)) for v in (base, overlay)):
        return
    if isinstance(base, bool):
        if clamp == "ceiling" and overlay and not base:
            found.append((path, "a tier may only switch this feature off, not on (INV-7)"))
        elif clamp == "floor" and base and not overlay:
            found.append((path, "a tier may only switch this protection on, not off (INV-7)"))
        return
    if clamp == "ceiling" and overlay > base:
        found.append(
            (path, f"{overlay!r} raises the base cap {base!r}; a tier may only lower it (INV-7)")
        )
    elif clamp == "floor" and overlay < base:
        found.append(
            (
                path,
                f"{overlay!r} is below the base floor {base!r}; a tier may only raise it (INV-7)",
            )
        )
