"""`GET /modes`: the manifests the shell composes itself from, as the cost tier allows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from quart.typing import TestClientProtocol as HttpClient

from tests.server_process import tweaked_config
from vvtv.config import ConfigBundle
from vvtv.config import ConfigError
from vvtv.config import build_runtime_config
from vvtv.modes.catalog import mode_catalog

REPO = Path(__file__).resolve().parents[3]


async def test_the_catalog_serves_every_mode_as_regions_and_props(client: HttpClient) -> None:
    response = await client.get("/modes")
    assert response.status_code == 200
    catalog = await response.get_json()
    modes = {mode["name"]: mode for mode in catalog["modes"]}
    assert set(modes) == {
        "broadcast", "party", "sniffers", "random", "private_call", "mirror", "live_public",
        "operator", "moderation",
    }  # fmt: skip
    # The consoles are offered to every catalog (their pages say who may use them), for staff only.
    assert (modes["operator"]["requires_role"], modes["party"]["requires_role"]) == ("admin", None)
    assert modes["moderation"]["requires_role"] == "mod"
    assert modes["broadcast"]["route"] == "/"
    assert modes["broadcast"]["requires_auth"] is False
    assert modes["party"]["regions"]["rail"]["component"] == "PresenceRail"
    assert modes["live_public"]["regions"]["rail"]["component"] != "PresenceRail"
    assert catalog["login_lands_in"] == "party"
    assert set(modes["broadcast"]["transitions"].values()) <= {"cut", "crossfade"}


@pytest.mark.req("CFG-6")
def test_a_mode_the_tier_switches_off_is_not_offered_nor_reachable() -> None:
    base = mode_catalog(build_runtime_config(REPO / "config"))
    soft = mode_catalog(build_runtime_config(REPO / "config", "FREE_SOFT_OPENING"))
    assert "live_public" in {mode.name for mode in base.modes}
    assert "live_public" not in {mode.name for mode in soft.modes}
    assert all("live_public" not in mode.transitions for mode in soft.modes)
    assert any("live_public" in mode.transitions for mode in base.modes)


async def test_the_catalog_carries_the_client_settings_of_config(
    client: HttpClient, cheap_config: ConfigBundle
) -> None:
    """What the browser UI reads at start: signup rules and its own waits, all from config."""
    settings = (await (await client.get("/modes")).get_json())["client"]
    limits = cheap_config.limits
    assert settings == {
        "terms_version": limits.auth.terms_version,
        "password_min_length": limits.auth.password.min_length,
        "password_max_length": limits.auth.password.max_length,
        "access_ttl_s": limits.auth.tokens.access_ttl_s,
        "token_refresh_lead_s": limits.ui.token_refresh_lead_s,
        "socket_reconnect_backoff_s": list(limits.ui.socket_reconnect_backoff_s),
        "channel_poll_s": limits.ui.channel_poll_s,
        "player_retry_s": limits.ui.player_retry_s,
        "transition_ms": limits.ui.transition_ms,
        "presence_heartbeat_s": limits.presence.heartbeat_interval_s,
        "session_heartbeat_s": limits.sessions.heartbeat_interval_s,
        "telemetry_flush_interval_s": limits.telemetry.flush_interval_s,
        "telemetry_max_batch_events": limits.telemetry.max_batch_events,
        "tiles": {"desktop": limits.tiles.desktop, "mobile": limits.tiles.mobile},
        "chat_max_chars": {
            scope: limits.chat.scopes.of(scope).max_chars
            for scope in ("private_1to1", "room", "performer_room", "live_public")
        },
        "audit_page_max": limits.auth.audit_page_max,
    }
    # The shipped figures.
    assert settings["socket_reconnect_backoff_s"] == [1, 2, 5, 10, 30]
    assert (settings["token_refresh_lead_s"], settings["channel_poll_s"]) == (60, 15)
    assert (settings["player_retry_s"], settings["transition_ms"]) == (5, 280)
    assert settings["tiles"] == {"desktop": 12, "mobile": 6}
    assert settings["chat_max_chars"]["live_public"] == 300


@pytest.mark.req("CFG-3", "THB-5")
def test_client_settings_follow_an_edited_config_and_the_tier(tmp_path: Path) -> None:
    config = tweaked_config(
        tmp_path,
        terms_version='"2027-01"',
        min_length=12,
        access_ttl_s=600,
        socket_reconnect_backoff_s="[3, 9]",
        token_refresh_lead_s=45,
        channel_poll_s=20,
        player_retry_s=7,
        transition_ms=150,
        flush_interval_s=30,
        max_batch_events=20,
    )
    (config / "terms" / "2027-01.txt").write_text("The terms of January 2027.\n")
    settings = mode_catalog(build_runtime_config(config)).client
    assert settings.terms_version == "2027-01"
    assert (settings.password_min_length, settings.access_ttl_s) == (12, 600)
    assert settings.socket_reconnect_backoff_s == [3, 9]
    assert (settings.token_refresh_lead_s, settings.channel_poll_s) == (45, 20)
    assert (settings.player_retry_s, settings.transition_ms) == (7, 150)
    assert (settings.telemetry_flush_interval_s, settings.telemetry_max_batch_events) == (30, 20)
    low = mode_catalog(build_runtime_config(config, "COST_LOW")).client
    assert (low.tiles.desktop, low.tiles.mobile) == (8, 4)  # the tier's tile budget


@pytest.mark.req("CFG-4")
@pytest.mark.parametrize(
    ("edits", "key_path"),
    [
        ({"token_refresh_lead_s": "900"}, "base.ui.token_refresh_lead_s"),
        ({"socket_reconnect_backoff_s": "[5, 1]"}, "base.ui.socket_reconnect_backoff_s[1]"),
        ({"channel_poll_s": "0"}, "base.ui.channel_poll_s"),
    ],
)
def test_client_settings_that_cannot_work_are_refused(
    tmp_path: Path, edits: dict[str, str], key_path: str
) -> None:
    """A refresh lead as long as the token lives, a shrinking backoff, a zero poll interval."""
    with pytest.raises(ConfigError) as refused:
        build_runtime_config(tweaked_config(tmp_path, **edits))
    assert key_path in {problem.key_path for problem in refused.value.problems}, str(refused.value)
