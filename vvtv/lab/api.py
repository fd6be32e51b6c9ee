"""The Lab Agent's REST API (LAB-8): control commands (admin), catalog and OwnerCard (admin), the
health check, the live channel under `/live/` and what airs now (public). Mounted by `vvtv serve`
with its user guard, or by the standalone agent with a bearer-token guard."""

from __future__ import annotations

from collections.abc import Callable

from quart import Blueprint
from quart import Response
from quart import g
from quart import request

from vvtv.contracts.lab import ChannelNow
from vvtv.contracts.lab import Command
from vvtv.contracts.lab import CommandName
from vvtv.contracts.lab import CommandResult
from vvtv.contracts.lab import LabHealth
from vvtv.contracts.lab import LabPolicySnapshot
from vvtv.contracts.lab import LabStatus
from vvtv.contracts.lab import MediaItem
from vvtv.contracts.lab import MediaItemList
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.contracts.lab import PolicyHistory
from vvtv.lab.runtime import LabRuntime
from vvtv.web.files import file_response
from vvtv.web.files import file_under
from vvtv.web.routing import Guard
from vvtv.web.routing import PlainText
from vvtv.web.routing import Routes

# Debian's `mimetypes` maps .ts to Qt translations; these are the HLS types (RFC 8216, CMAF).
# The channel's HLS files: the cost meter counts what this route serves (TEL-4).
LIVE_ROUTE = "/live/<path:path>"
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
}


# The browser's anonymous device id (the SDK sends it on every call); the same bounds as the
# socket's `auth.device_id`, so a forged header cannot grow the audience's memory per byte.
DEVICE_HEADER = "X-Device-Id"
DEVICE_ID_LENGTH = range(8, 129)


def _device_of(header: str | None) -> str | None:
    return header if header is not None and len(header) in DEVICE_ID_LENGTH else None


def principal_from_g() -> str:
    """Who is calling: the user id of the Principal the guard returned (`Routes` keeps it in
    `g.principal`), whichever guard that was (the server's user guard, the agent's token guard)."""
    user_id = getattr(g.get("principal"), "user_id", None)
    return str(user_id) if user_id else "unknown"


def routes(
    lab: LabRuntime, guard: Guard, *, principal: Callable[[], str] = principal_from_g
) -> Blueprint:
    api = Routes("lab", __name__, guard)

    async def run(name: CommandName, body: Command) -> CommandResult:
        return await lab.command(name, principal(), body.reason)

    @api.get("/lab/health", access="public")
    async def lab_health() -> LabHealth:
        """Channel health: `ok` while something airs; alerts for the operator (LAB-7)."""
        # 200 whatever the verdict: the request itself succeeded, and a 5xx would read as a
        # server fault (the channel is legitimately off air while its first start prepares the
        # reserve loop). Alerting reads `ok`/`alerts` or the vvtv_lab_agent_healthy gauge; a
        # load balancer probes /live/master.m3u8, which is 404 until the channel is on air.
        return lab.health()

    @api.get("/lab/status", access="admin")
    async def lab_status() -> LabStatus:
        """Pipeline, on-air source, queue slack, playlist sequence numbers."""
        return lab.status()

    for name, rule in (
        ("start", "/lab/start"),
        ("stop", "/lab/stop"),
        ("reload_policies", "/lab/policies/reload"),
        ("rotate_playlist", "/lab/playlist/rotate"),
    ):
        _command_route(api, name, rule, run)  # type: ignore[arg-type]

    @api.get("/lab/policies", access="admin")
    async def current_policy() -> LabPolicySnapshot:
        """The current OwnerCard version (POL-2)."""
        return lab.policy.snapshot()

    @api.get("/lab/policies/<int:version>", access="admin", errors=[404])
    async def policy_version(version: int) -> LabPolicySnapshot:
        """One OwnerCard version, as the Planner and the Session Orchestrator read it (POL-2)."""
        return lab.policy.snapshot(version)

    @api.get("/lab/policies/history", access="admin")
    async def policy_history() -> PolicyHistory:
        """Every version with its author and diff (POL-1)."""
        return PolicyHistory(changes=lab.policy.history())

    @api.put("/lab/policies", access="admin")
    async def update_policy(body: OwnerCard) -> LabPolicySnapshot:
        """Store a new OwnerCard version (audited with its diff); reload policies to replan."""
        return await lab.update_policy(body, principal())

    @api.get("/lab/catalog", access="admin")
    async def list_catalog() -> MediaItemList:
        """Every catalog item."""
        return MediaItemList(items=await lab.catalog.items())

    @api.post("/lab/catalog", access="admin", status=201, errors=[409])
    async def add_to_catalog(body: NewMediaItem) -> MediaItem:
        """Add an item the planner may schedule (audited)."""
        return await lab.catalog.add(body, principal())

    @api.get(LIVE_ROUTE, access="public", response=PlainText, errors=[404])
    async def live(path: str) -> Response:
        """The channel: master.m3u8, <rendition>/index.m3u8 and media segments (LAB-5)."""
        target = file_under(lab.paths.live, path, CONTENT_TYPES, "live file")
        # Playlists change every segment; segments never change once written.
        playlist = target.suffix == ".m3u8"
        cache = "no-cache" if playlist else "max-age=86400, immutable"
        return await file_response(target, CONTENT_TYPES, cache, "live file")

    @api.get("/channel/now", access="public")
    async def channel_now() -> ChannelNow:
        """What the channel airs now and what comes next, for viewers (a player asks every
        ui.channel_poll_s; its `X-Device-Id` counts it as watching)."""
        return lab.channel_now(_device_of(request.headers.get(DEVICE_HEADER)))

    return api.blueprint


def _command_route(
    api: Routes,
    name: CommandName,
    rule: str,
    run: Callable[[CommandName, Command], object],
) -> None:
    async def handler(body: Command) -> object:
        return await run(name, body)  # type: ignore[misc]

    handler.__name__ = f"command_{name}"
    handler.__doc__ = f"Control command `{name}` (audited: who, what, result)."
    api.post(rule, access="admin", response=CommandResult)(handler)
