"""CON-2: the committed contracts are what the code generates; a change without regeneration is
caught, and the TypeScript client types come from the same document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from vvtv.assembly.services import Services
from vvtv.publish import FILES
from vvtv.publish import events_document
from vvtv.publish import stale_contracts
from vvtv.runtime import Runtime

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.req("CON-2")


async def test_committed_contracts_are_fresh(runtime: Runtime, services: Services) -> None:
    assert stale_contracts(runtime, services, REPO / "contracts") == []


async def test_a_contract_change_without_regeneration_is_caught(
    runtime: Runtime, services: Services, tmp_path: Path
) -> None:
    committed = tmp_path / "contracts"
    shutil.copytree(REPO / "contracts", committed)
    openapi = json.loads((committed / "openapi.json").read_text())
    del openapi["components"]["schemas"]["SessionView"]["properties"]["estimated_egress_bytes"]
    (committed / "openapi.json").write_text(json.dumps(openapi, indent=2, sort_keys=True) + "\n")
    (committed / "api.d.ts").unlink()
    assert stale_contracts(runtime, services, committed) == ["openapi.json", "api.d.ts"]


def test_typescript_types_cover_the_event_unions_and_session_api() -> None:
    types = (REPO / "contracts" / "api.d.ts").read_text()
    for name in ("ServerEvent", "ClientMessage", "CreateSession", "SessionView", "Problem"):
        assert f"        {name}: " in types, name
    assert '"presence.update"' in types
    assert set(FILES) == {p.name for p in (REPO / "contracts").iterdir()}


def test_the_events_schema_is_versioned_and_names_both_unions() -> None:
    document = events_document()
    assert document["version"] == 1
    assert document["$id"].endswith("events.v1.schema.json")
    assert {"ServerEvent", "ClientMessage"} <= set(document["$defs"])
