"""Where media comes from: the port the fetcher talks to, with an HTTP(S) + file adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import httpx
import trio


class SourceUnavailable(Exception):
    """The source cannot be fetched now (missing, refused, an HTTP error): worth a retry."""


class MediaSource(Protocol):
    async def available(self, source: str) -> bool:
        """Cheap check that `source` exists and may be read (HEAD, stat)."""
        ...

    async def fetch(self, source: str, dest: Path) -> tuple[Path, int]:
        """Make `source` readable locally; return its path and the bytes downloaded."""
        ...


def is_remote(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class HttpOrFileSource:
    """http(s) URLs are downloaded to `dest` (via a temporary name, renamed when whole); local
    paths are used in place, as copying a large local file buys nothing."""

    def __init__(self, timeout_s: float, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient(follow_redirects=True, timeout=timeout_s)

    async def available(self, source: str) -> bool:
        if not is_remote(source):
            path = trio.Path(source)
            return await path.is_file()
        try:
            response = await self._client.head(source)
        except httpx.HTTPError:
            return False
        return response.status_code < 400

    async def fetch(self, source: str, dest: Path) -> tuple[Path, int]:
        if not is_remote(source):
            if not await trio.Path(source).is_file():
                raise SourceUnavailable(f"no file {source}")
            return Path(source), 0
        partial = dest.with_name(dest.name + ".part")
        await trio.Path(dest.parent).mkdir(parents=True, exist_ok=True)
        written = 0
        try:
            async with self._client.stream("GET", source) as response:
                if response.status_code >= 400:
                    raise SourceUnavailable(f"{source}: HTTP {response.status_code}")
                async with await trio.open_file(partial, "wb") as out:
                    async for chunk in response.aiter_bytes(1 << 16):
                        await out.write(chunk)
                        written += len(chunk)
        except httpx.HTTPError as error:
            raise SourceUnavailable(f"{source}: {error}") from error
        await trio.Path(partial).rename(dest)
        return dest, written

    async def aclose(self) -> None:
        await self._client.aclose()
