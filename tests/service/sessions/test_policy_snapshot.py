"""POL-2 (session side): a session records the config version, the tier and the OwnerCard
version it was created under."""

from __future__ import annotations

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from vvtv.assembly.services import Services
from vvtv.runtime import Runtime


@pytest.mark.req("POL-2")
async def test_a_session_snapshots_config_and_policy_versions(
    client: HttpClient, runtime: Runtime, services: Services
) -> None:
    tokens = await signup(client, "snappy")
    created = await client.post(
        "/sessions",
        json={"mode": "party", "audience_type": "group", "stream_transport": "webrtc",
              "intent_label": "party_presence"},
        headers=bearer(tokens),
    )  # fmt: skip
    policy = (await created.get_json())["policy"]
    assert policy == {
        "config_version": runtime.config.version,
        "tier": runtime.config.tier,
        "policy_version": services.lab.policy.current_version(),
    }
