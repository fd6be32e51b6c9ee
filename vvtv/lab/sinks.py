"""Where the agent's status, health and summarised telemetry go (LAB-8, TEL-5): a callback in
`vvtv serve`, an authenticated HTTP POST to the server when standalone, a list in tests."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Protocol

import httpx
import msgspec

from vvtv.contracts.lab import LabReport

log = logging.getLogger(__name__)


class StatusSink(Protocol):
    async def push(self, report: LabReport) -> None:
        """Deliver one report; a failure is the sink's to log, the agent keeps going."""
        ...


class CallbackSink:
    """In-process: hand each report to the server's callback."""

    def __init__(self, callback: Callable[[LabReport], Awaitable[None]]) -> None:
        self._callback = callback

    async def push(self, report: LabReport) -> None:
        await self._callback(report)


class HttpStatusSink:
    """Standalone: POST each report as JSON to `url`, with a bearer token when one is given."""

    def __init__(
        self, url: str, token: str | None = None, client: httpx.AsyncClient | None = None
    ) -> None:
        self._url = url
        self._headers = {"content-type": "application/json"}
        if token:
            self._headers["authorization"] = f"Bearer {token}"
        self._client = client or httpx.AsyncClient(timeout=5.0)

    async def push(self, report: LabReport) -> None:
        try:
            response = await self._client.post(
                self._url, content=msgspec.json.encode(report), headers=self._headers
            )
        except httpx.HTTPError as error:
            log.warning("status push to %s failed: %s", self._url, error)
            return
        if response.status_code >= 400:
            log.warning("status push to %s refused: HTTP %d", self._url, response.status_code)

    async def aclose(self) -> None:
        await self._client.aclose()


class MemorySink:
    def __init__(self) -> None:
        self.reports: list[LabReport] = []

    async def push(self, report: LabReport) -> None:
        self.reports.append(report)
