"""CON-3: golden payloads validate against the committed schemas AND decode into the Structs, so
the published JSON Schema and the code agree; invalid goldens are refused by both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import msgspec
import pytest

from vvtv.contracts import CLIENT_MESSAGE_TYPES
from vvtv.contracts import SERVER_EVENT_TYPES
from vvtv.contracts import ClientMessage
from vvtv.contracts import ServerEvent
from vvtv.contracts import sessions

REPO = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).resolve().parent / "golden"
EVENTS_SCHEMA = json.loads((REPO / "contracts" / "events.schema.json").read_text())
OPENAPI = json.loads((REPO / "contracts" / "openapi.json").read_text())

pytestmark = pytest.mark.req("CON-3")


def _events_validator(definition: str) -> Any:
    schema = dict(EVENTS_SCHEMA)
    schema.pop("anyOf")
    schema["$ref"] = f"#/$defs/{definition}"
    return jsonschema_rs.validator_for(schema)


def _api_validator(component: str) -> Any:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/components/schemas/{component}",
        "components": OPENAPI["components"],
    }
    return jsonschema_rs.validator_for(schema)


def _payloads(folder: str) -> list[Path]:
    return sorted((GOLDEN / folder).glob("*.json"))


@pytest.mark.parametrize("path", _payloads("events"), ids=lambda p: p.stem)
def test_golden_events_validate_and_decode(path: Path) -> None:
    payload = json.loads(path.read_text())
    union = ServerEvent if payload["type"] in SERVER_EVENT_TYPES else ClientMessage
    name = "ServerEvent" if union is ServerEvent else "ClientMessage"
    _events_validator(name).validate(payload)
    decoded = msgspec.json.decode(path.read_bytes(), type=union)
    assert msgspec.to_builtins(decoded)["type"] == payload["type"]


def test_every_event_type_has_a_golden_payload() -> None:
    covered = {json.loads(p.read_text())["type"] for p in _payloads("events")}
    assert covered == set(SERVER_EVENT_TYPES) | set(CLIENT_MESSAGE_TYPES)


@pytest.mark.parametrize("path", _payloads("api"), ids=lambda p: p.stem)
def test_golden_api_bodies_validate_and_decode(path: Path) -> None:
    """The file name is the contract's name: `CreateSession.json`, `SessionView.json`, …"""
    component = path.stem.split(".")[0]
    _api_validator(component).validate(json.loads(path.read_text()))
    msgspec.json.decode(path.read_bytes(), type=getattr(sessions, component))


@pytest.mark.parametrize("path", _payloads("invalid"), ids=lambda p: p.stem)
def test_invalid_goldens_are_refused_by_schema_and_structs(path: Path) -> None:
    """File names: `<Contract>.<why>.json`; `Event.<why>.json` is checked against both unions."""
    component = path.stem.split(".")[0]
    payload = json.loads(path.read_text())
    if component == "Event":
        assert not _events_validator("ServerEvent").is_valid(payload)
        assert not _events_validator("ClientMessage").is_valid(payload)
        types: list[Any] = [ServerEvent, ClientMessage]
    else:
        assert not _api_validator(component).is_valid(payload)
        types = [getattr(sessions, component)]
    for type_ in types:
        with pytest.raises(msgspec.ValidationError):
            msgspec.json.decode(path.read_bytes(), type=type_)
