"""A class's private attributes (`_name`) are its own: no module reaches into another object's."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OWN = frozenset({"self", "cls"})
# aiortc has no public hook for a receiver's PLI/FIR; the SFU routes it by replacing the sender's
# `_send_keyframe`, the one method aiortc itself calls for it.
THIRD_PARTY_HOOKS = frozenset({("vvtv/media/local_sfu/engine.py", "_send_keyframe")})


def _reaches_in(node: ast.Attribute) -> bool:
    name = node.attr
    if not name.startswith("_") or name.startswith("__"):
        return False
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id in OWN:
        return False
    is_super = (
        isinstance(owner, ast.Call)
        and isinstance(owner.func, ast.Name)
        and owner.func.id == "super"
    )
    return not is_super


def test_no_module_reads_another_objects_private_attributes() -> None:
    found = []
    for source in sorted((REPO / "vvtv").rglob("*.py")):
        if "node_modules" in source.parts:
            continue
        relative = source.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute) or not _reaches_in(node):
                continue
            if (relative, node.attr) not in THIRD_PARTY_HOOKS:
                found.append(f"{relative}:{node.lineno} .{node.attr}")
    assert found == []
