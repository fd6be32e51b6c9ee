"""`vvtv lab …`: add to and list the catalog, serve standalone.

    add SOURCE [--duration S] [--tags a,b] [--id ID] [--rights-from ISO] [--rights-until ISO]
    ls [--json]
    serve [--host H] [--port P] [--status-url URL] [--name NAME]

Common: --config DIR (./config), --data DIR (./var, laid out as `vvtv serve`'s: the one database
and the channel's files in lab/), --tier NAME, --skin NAME.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import msgspec
import trio
from prometheus_client import CollectorRegistry

from vvtv.actors import open_registry
from vvtv.clock import utc_now
from vvtv.config import ConfigError
from vvtv.config import build_runtime_config
from vvtv.contracts.lab import MediaItemList
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.errors import VvtvError
from vvtv.lab import ffmpeg
from vvtv.lab.auth import NoToken
from vvtv.lab.auth import load_token
from vvtv.lab.catalog import Catalog
from vvtv.lab.runtime import LabRuntime
from vvtv.lab.settings import default_ladder_names
from vvtv.lab.settings import settings_from_config
from vvtv.lab.sinks import HttpStatusSink
from vvtv.lab.sinks import StatusSink
from vvtv.lab.sources import is_remote
from vvtv.lab.store import SqliteLabStore
from vvtv.observability.metrics import ActorStatisticsCollector
from vvtv.runtime import actor_settings
from vvtv.runtime import open_store
from vvtv.store import SchemaTooNew


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vvtv lab", description="The VVTV LAB agent.")
    root.add_argument("--config", type=Path, default=Path("config"))
    root.add_argument(
        "--data", type=Path, default=Path("var"), help="the data folder, as `vvtv serve --data`"
    )
    root.add_argument("--tier", default=None)
    root.add_argument("--skin", default=None, help="the skin whose name the reserve slate shows")
    commands = root.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a media item to the catalog")
    add.add_argument("source", help="http(s) URL or file path")
    add.add_argument("--duration", type=float, help="seconds (probed from a local file if omitted)")
    add.add_argument("--tags", default="", help="comma-separated tags")
    add.add_argument("--id", default=None)
    add.add_argument("--rights-from", type=datetime.fromisoformat, default=None)
    add.add_argument("--rights-until", type=datetime.fromisoformat, default=None)
    ls = commands.add_parser("ls", help="list the catalog")
    ls.add_argument("--json", action="store_true")
    serve = commands.add_parser("serve", help="run the channel and the control API standalone")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--status-url", default=None, help="POST status reports here")
    serve.add_argument("--name", default="lab", help="agent name in status reports")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "add":
            return trio.run(_add, args)
        if args.command == "ls":
            return trio.run(_ls, args)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        return trio.run(_serve, args)
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    except (VvtvError, NoToken, ffmpeg.ToolFailed, SchemaTooNew) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


async def _add(args: argparse.Namespace) -> int:
    duration = args.duration
    if duration is None:
        if is_remote(args.source):
            print("error: --duration is needed for a remote source", file=sys.stderr)
            return 1
        duration = (await ffmpeg.probe(Path(args.source))).duration_s
    body = NewMediaItem(
        source=args.source,
        duration_s=duration,
        tags=tuple(tag.strip() for tag in args.tags.split(",") if tag.strip()),
        id=args.id,
        rights_from=args.rights_from,
        rights_until=args.rights_until,
    )
    body = msgspec.convert(msgspec.to_builtins(body), NewMediaItem)  # apply the field rules
    bundle = build_runtime_config(args.config, args.tier, args.skin)
    async with open_store(bundle, args.data) as database:
        # Added from the operator's shell: audited without a user id.
        item = await Catalog(SqliteLabStore(database), utc_now).add(body, None)
    print(item.id)
    return 0


async def _ls(args: argparse.Namespace) -> int:
    bundle = build_runtime_config(args.config, args.tier, args.skin)
    async with open_store(bundle, args.data) as database:
        items = await SqliteLabStore(database).items()
    if args.json:
        print(msgspec.json.encode(MediaItemList(items=items)).decode())
        return 0
    for item in items:
        print(f"{item.id}\t{item.duration_s:.1f}s\t{','.join(item.tags)}\t{item.source}")
    return 0


async def _serve(args: argparse.Namespace) -> int:
    from vvtv.lab.standalone import serve  # the web stack only for `serve`

    bundle = build_runtime_config(args.config, args.tier, args.skin)
    token = load_token(bundle.limits.lab)
    settings = settings_from_config(bundle, args.data, agent_name=args.name)
    sink: StatusSink | None = HttpStatusSink(args.status_url, token) if args.status_url else None
    registry = CollectorRegistry()
    async with (
        open_store(bundle, args.data) as database,
        open_registry(actor_settings(bundle)) as actors,
    ):
        # The supervisor's counts of the transmitter and pipeline services, as `vvtv serve` has.
        registry.register(ActorStatisticsCollector(actors.statistics))
        lab = await LabRuntime.open(
            settings,
            registry,
            database,
            actors,
            default_card=OwnerCard(ladder=default_ladder_names(bundle)),
            sink=sink,
        )
        await serve(lab, token, registry, host=args.host, port=args.port)
    return 0
