"""Serving files from one folder: a request path never reaches outside it (no traversal, no
symlink out), and only the file types the caller lists are served, each with its content type."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import trio
from quart import Response

from vvtv.errors import NotFound


def file_under(root: Path, path: str, types: Mapping[str, str], what: str = "file") -> Path:
    """The file under `root` that `path` names; NotFound for anything outside it or whose suffix
    is not in `types` (suffix → content type)."""
    base = root.resolve()
    try:
        target = (base / path).resolve()
    except (ValueError, OSError):  # a NUL byte, a symlink loop: no file of ours either way
        raise NotFound(f"no such {what}") from None
    if not target.is_relative_to(base) or target.suffix not in types:
        raise NotFound(f"no such {what}")
    return target


async def file_response(
    target: Path, types: Mapping[str, str], cache_control: str, what: str = "file"
) -> Response:
    """`target`'s bytes (from `file_under`) with its content type and cache policy."""
    try:
        data = await trio.Path(target).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise NotFound(f"no such {what}") from None
    response = Response(data, status=200)
    response.content_type = types[target.suffix]
    response.headers["cache-control"] = cache_control
    return response
