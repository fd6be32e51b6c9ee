"""TEL-1: every event declared in telemetry-events.yaml is emitted where it happens: a server event
by an `emit("name", ...)` (or a domain rule's `Emit("name", ...)` effect) in vvtv/, a client event
by a `track("name", ...)` in the web UI or through a manifest prop that names it (the login CTA's
`click_event`). An event declared and never sent would leave a hole in the funnel."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vvtv.config import ConfigBundle

REPO = Path(__file__).resolve().parents[3]
UI_SOURCES = REPO / "vvtv" / "web" / "ui" / "src"


def _sources(root: Path, *suffixes: str) -> str:
    return "\n".join(
        path.read_text() for path in sorted(root.rglob("*")) if path.suffix in suffixes
    )


@pytest.mark.req("TEL-1")
def test_every_declared_event_has_a_place_that_sends_it(config_bundle: ConfigBundle) -> None:
    server = _sources(REPO / "vvtv", ".py")
    client = _sources(UI_SOURCES, ".ts", ".tsx")
    by_manifest = {
        value
        for mode in config_bundle.modes.modes.values()
        for _, mount in mode.regions.mounts()
        for prop, value in mount.props.items()
        if config_bundle.modes.components[mount.component].props.get(prop) == "event"
    }
    missing = []
    for name, spec in sorted(config_bundle.telemetry.events.items()):
        quoted = rf"""\(\s*["']{re.escape(name)}["']"""
        if spec.source == "server":
            sent = re.search(rf"(?:emit|Emit){quoted}", server) is not None
        else:
            sent = re.search(rf"\btrack{quoted}", client) is not None or name in by_manifest
        if not sent:
            missing.append(f"{name} ({spec.source})")
    assert missing == []
