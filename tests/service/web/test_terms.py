"""AUTH-2: the terms a signup accepts can be read: `GET /terms` serves, to anyone, the text of the
version `GET /modes` tells the client to accept (config/terms/<version>.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.req("AUTH-2")
async def test_the_terms_a_signup_accepts_are_served_as_text(client: HttpClient) -> None:
    version = (await (await client.get("/modes")).get_json())["client"]["terms_version"]
    response = await client.get("/terms")  # no token: read before an account exists
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    text = (await response.get_data()).decode()
    assert text == (REPO / "config" / "terms" / f"{version}.txt").read_text().strip()
    assert f"version {version}" in text.splitlines()[0]
