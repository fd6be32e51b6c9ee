"""Turn loaded YAML data into typed Structs, reporting EVERY type problem with its key path.

msgspec stops at the first error and names dict entries `[...]`; so the tree is walked here first,
field by field, and msgspec converts each leaf. Only a clean tree is converted as a whole.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from typing import TypeVar

import msgspec

from vvtv.config.merge import struct_field_types
from vvtv.config.merge import struct_type_of
from vvtv.config.problems import KeyPath

T = TypeVar("T")
Report = Callable[[KeyPath, str], None]

_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$(?P<path>[^`]*)`)?$", re.DOTALL)
_PATH_PART = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]|\[\.\.\.\]")


def decode(data: Any, target: type[T], report: Report) -> T | None:
    """`data` as a `target`, or None after reporting each problem as (key path, message)."""
    if not _check(data, target, (), report):
        return None
    try:
        return msgspec.convert(data, target)
    except msgspec.ValidationError as exc:  # a rule the walk does not model; still locate it
        message, path = _split(exc)
        report(path, message)
        return None


def _split(exc: msgspec.ValidationError) -> tuple[str, KeyPath]:
    match = _AT.match(str(exc))
    if match is None:  # pragma: no cover - the pattern matches any string
        return str(exc), ()
    path: list[str | int] = []
    for part in _PATH_PART.finditer(match.group("path") or ""):
        if part.group("name") is not None:
            path.append(part.group("name"))
        elif part.group("index") is not None:
            path.append(int(part.group("index")))
    return match.group("message"), tuple(path)


def _leaf(value: Any, annotation: Any, path: KeyPath, report: Report) -> bool:
    try:
        msgspec.convert(value, annotation)
    except msgspec.ValidationError as exc:
        message, inner = _split(exc)
        report((*path, *inner), message)
        return False
    return True


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{type(value).__name__}`"


def _check(value: Any, annotation: Any, path: KeyPath, report: Report) -> bool:
    if hasattr(annotation, "__metadata__"):  # Annotated: walk the inner type, then its constraints
        inner = typing.get_args(annotation)[0]
        if struct_type_of(inner) is None and typing.get_origin(inner) is None:
            return _leaf(value, annotation, path, report)
        return _check(value, inner, path, report) and _leaf(value, annotation, path, report)
    struct = struct_type_of(annotation)
    if struct is not None:
        return _check_struct(value, struct, path, report)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (dict, Mapping):
        if not isinstance(value, dict):
            report(path, f"expected a mapping, got {_kind(value)}")
            return False
        ok = True
        for key, item in value.items():
            if not isinstance(key, str):
                report((*path, key), "keys must be strings")
                ok = False
            else:
                ok = _check(item, args[1], (*path, key), report) and ok
        return ok
    if origin in (list, tuple) and (origin is list or (len(args) == 2 and args[1] is Ellipsis)):
        if not isinstance(value, list):
            report(path, f"expected a list, got {_kind(value)}")
            return False
        ok = True
        for index, item in enumerate(value):
            ok = _check(item, args[0], (*path, index), report) and ok
        return ok
    if origin in (typing.Union, types.UnionType):
        return _check_union(value, annotation, args, path, report)
    return _leaf(value, annotation, path, report)


def _check_union(
    value: Any, annotation: Any, args: tuple[Any, ...], path: KeyPath, report: Report
) -> bool:
    options = [a for a in args if a is not type(None)]
    if value is None and len(options) < len(args):
        return True
    if len(options) == 1:
        return _check(value, options[0], path, report)
    try:
        msgspec.convert(value, annotation)
    except msgspec.ValidationError as exc:
        structs = [a for a in options if struct_type_of(a) is not None]
        if isinstance(value, dict) and len(structs) == 1:
            return _check(value, structs[0], path, report)
        message, inner = _split(exc)
        report((*path, *inner), message)
        return False
    return True


def _check_struct(value: Any, struct: type[msgspec.Struct], path: KeyPath, report: Report) -> bool:
    if not isinstance(value, dict):
        report(path, f"expected a mapping, got {_kind(value)}")
        return False
    fields = struct_field_types(struct)
    required = {f.encode_name for f in msgspec.structs.fields(struct) if f.required}
    ok = True
    for key in value:
        if key not in fields:
            report((*path, key), f"unknown key; expected one of: {', '.join(fields)}")
            ok = False
    for name, annotation in fields.items():
        if name in value:
            ok = _check(value[name], annotation, (*path, name), report) and ok
        elif name in required:
            report((*path, name), "missing required key")
            ok = False
    return ok
