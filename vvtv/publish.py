"""Publishing the contracts (CON-2): `contracts/openapi.json`, `contracts/events.schema.json` and
the TypeScript types openapi-typescript makes from them; committed, and checked for staleness."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import msgspec

from vvtv.app import create_app
from vvtv.assembly.services import Services
from vvtv.contracts import CONTRACTS_VERSION
from vvtv.contracts import ClientMessage
from vvtv.contracts import ServerEvent
from vvtv.runtime import Runtime

UI_DIR = Path(__file__).resolve().parent / "web" / "ui"
FILES = ("openapi.json", "events.schema.json", "api.d.ts")


def openapi_document(runtime: Runtime, services: Services) -> dict[str, Any]:
    app = create_app(runtime, services)
    provider = app.extensions["QUART_SCHEMA"].openapi_provider
    document: dict[str, Any] = provider.schema()
    return document


def events_document() -> dict[str, Any]:
    (server, client), defs = msgspec.json.schema_components(
        (ServerEvent, ClientMessage), ref_template="#/$defs/{name}"
    )
    defs = dict(defs, ServerEvent=server, ClientMessage=client)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://voulezvous.tv/contracts/events.v{CONTRACTS_VERSION}.schema.json",
        "title": "VVTV WebSocket messages",
        "description": "ServerEvent: what the server pushes; ClientMessage: what a client sends.",
        "version": CONTRACTS_VERSION,
        "$defs": defs,
        "anyOf": [{"$ref": "#/$defs/ServerEvent"}, {"$ref": "#/$defs/ClientMessage"}],
    }


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _typescript(openapi_path: Path, out: Path) -> None:
    tool = UI_DIR / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists():
        raise FileNotFoundError(f"{tool} is missing: run `npm ci` in {UI_DIR}")
    subprocess.run(
        [str(tool), str(openapi_path), "--output", str(out)],
        check=True,
        capture_output=True,
    )


def write_contracts(runtime: Runtime, services: Services, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "openapi.json").write_text(_dump(openapi_document(runtime, services)))
    (out_dir / "events.schema.json").write_text(_dump(events_document()))
    _typescript(out_dir / "openapi.json", out_dir / "api.d.ts")
    return [out_dir / name for name in FILES]


def stale_contracts(runtime: Runtime, services: Services, committed_dir: Path) -> list[str]:
    """Names of the committed files that differ from what the code generates now."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        write_contracts(runtime, services, fresh)
        stale = []
        for name in FILES:
            committed = committed_dir / name
            if not committed.exists() or committed.read_bytes() != (fresh / name).read_bytes():
                stale.append(name)
        return stale
