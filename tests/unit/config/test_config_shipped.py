"""The shipped config: it loads, it is frozen, every known figure lives in it, tiers apply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import vvtv.config
from vvtv.config import ConfigBundle
from vvtv.config import build_runtime_config
from vvtv.config import validate_config

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def bundle() -> ConfigBundle:
    return build_runtime_config(SHIPPED_CONFIG)


def test_shipped_config_loads_and_validates(bundle: ConfigBundle) -> None:
    """CFG-1 / CFG-2 / CFG-5: the five shipped YAMLs load, validate, and build a typed bundle
    (wearing the default skin, OPS-3)."""
    assert validate_config(SHIPPED_CONFIG) == []
    assert bundle.tier is None
    assert set(bundle.tiers) == {"COST_LOW", "INCIDENT", "FREE_SOFT_OPENING"}
    assert (bundle.skin, bundle.skins) == ("voulezvous", ("voulezvous", "lumiere"))
    assert re.fullmatch(
        r"config OK: 8 profiles, 9 modes, 3 tiers, 2 skins, \d+ events; tier=base; "
        r"skin=voulezvous; version=[0-9a-f]{12}",
        bundle.summary(),
    )


@pytest.mark.parametrize("tier", ["COST_LOW", "INCIDENT", "FREE_SOFT_OPENING"])
def test_every_shipped_tier_builds(tier: str) -> None:
    """CFG-3 / CFG-5: each shipped tier overlay merges onto base and validates."""
    assert build_runtime_config(SHIPPED_CONFIG, tier).tier == tier


def test_bundle_is_frozen_all_the_way_down(bundle: ConfigBundle) -> None:
    """CFG-2: the bundle is immutable: Structs refuse assignment, mappings refuse item writes."""
    with pytest.raises(AttributeError):
        bundle.tier = "COST_LOW"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        bundle.limits.tiles.desktop = 99  # type: ignore[misc]
    with pytest.raises(TypeError):
        bundle.media.profiles["thumb_low"] = bundle.media.profiles["call_private"]  # type: ignore[index]
    with pytest.raises(TypeError):
        bundle.modes.modes["party"].transitions["random"] = "crossfade"  # type: ignore[index]
    assert isinstance(bundle.limits.anti_abuse.cooldown_schedule_s, tuple)


def test_known_figures_live_in_config(bundle: ConfigBundle) -> None:
    """INV-6 / ABU-7: every figure of SPEC's table is read from the YAMLs."""
    thumb = bundle.profile("thumb_low")
    assert thumb.kind == "thumbnail"
    assert not thumb.audio_enabled
    assert (thumb.video.height, thumb.video.fps, thumb.video.max_bitrate_kbps) == (180, 8, 180)
    degraded = bundle.profile(thumb.degrade_to or "")
    assert (degraded.video.height, degraded.video.fps) == (120, 4)
    limits = bundle.limits
    assert (limits.tiles.desktop, limits.tiles.mobile) == (12, 6)
    assert limits.presence.ghost_ttl_s == 15
    assert limits.presence.removal_deadline_s <= 20
    assert limits.viewport.out_of_view_disconnect_s == 2
    assert limits.consent.timeout_s == 20
    abuse = limits.anti_abuse
    assert abuse.cooldown_schedule_s == (0.0, 0.0, 0.0, 3.0, 5.0, 8.0, 15.0, 30.0, 60.0)
    assert abuse.min_time_before_skip_ms == 2000
    assert abuse.reconnect.attempts_per_minute == 2
    assert abuse.reconnect.backoff_s
    assert abuse.quarantine.account_age_days == 3
    assert abuse.quarantine.max_matches_per_hour == 20
    assert abuse.quarantine.forced_profile == "call_random_fast"
    assert limits.kill_switches.max_skips_per_minute == 12
    assert limits.kill_switches.max_estimated_egress_gb_per_hour_total > 0
    assert limits.cost.gb_per_hour_per_mbps == 0.439
    assert limits.cost.direction_factor.of("random") == 2
    assert (limits.telemetry.qos_sampling_default, limits.telemetry.qos_sampling_incident) == (
        0.1,
        1.0,
    )
    assert (limits.lab.queue_slack_target_s, limits.lab.queue_alert_below_s) == (3600, 1800)
    assert (limits.lab.fetch_ahead_s, limits.lab.emergency_fallback_max_s) == (14400, 30)
    assert (
        build_runtime_config(SHIPPED_CONFIG, "COST_LOW").limits.anti_abuse.max_matches_per_hour
        == 60
    )


def test_runtime_keys_the_app_reads_exist(bundle: ConfigBundle) -> None:
    """INV-6: the runtime caps the kernel and web layer read are in cost-tiers base."""
    runtime = bundle.limits.runtime
    assert runtime.actors.mailbox_size == 256
    assert (runtime.actors.ask_timeout_s, runtime.actors.idle_passivate_s) == (5.0, 300.0)
    assert (runtime.actors.max_restarts, runtime.actors.restart_window_s) == (3, 60.0)
    assert (runtime.http.max_body_bytes, runtime.http.keep_alive_s) == (65536, 5.0)
    assert runtime.shutdown.grace_s == 4.0


def test_cost_low_overlay_changes_effective_values(bundle: ConfigBundle) -> None:
    """CFG-3: COST_LOW deep-merges onto base: overridden keys change, siblings stay."""
    low = build_runtime_config(SHIPPED_CONFIG, "COST_LOW")
    assert (low.limits.tiles.desktop, low.limits.tiles.mobile) == (8, 4)
    assert low.limits.anti_abuse.max_matches_per_hour == 60
    assert low.limits.kill_switches.max_estimated_egress_gb_per_hour_total < (
        bundle.limits.kill_switches.max_estimated_egress_gb_per_hour_total
    )
    # Untouched siblings of overridden keys keep base's values (a merge, not a replacement).
    assert low.limits.anti_abuse.cooldown_schedule_s == bundle.limits.anti_abuse.cooldown_schedule_s
    assert low.limits.kill_switches.max_skips_per_minute == 12
    assert low.media == bundle.media
    assert low.modes == bundle.modes


def test_feature_flags_are_read_through_the_bundle(bundle: ConfigBundle) -> None:
    """CFG-6: feature flags live in config, per tier, and are read through the bundle."""
    assert bundle.limits.feature_flags.live_public is True
    soft = build_runtime_config(SHIPPED_CONFIG, "FREE_SOFT_OPENING")
    assert soft.limits.feature_flags.enabled("live_public") is False
    assert build_runtime_config(SHIPPED_CONFIG, "INCIDENT").limits.feature_flags.incident_mode
    with pytest.raises(KeyError):
        bundle.limits.feature_flags.enabled("live_publik")


def test_policy_version_is_stable_and_tracks_content(bundle: ConfigBundle) -> None:
    """CFG-2: the version is a stable hash of the effective content, different per tier."""
    assert build_runtime_config(SHIPPED_CONFIG).version == bundle.version
    assert build_runtime_config(SHIPPED_CONFIG, "COST_LOW").version != bundle.version


def test_bundle_exports_plain_builtins(bundle: ConfigBundle) -> None:
    """CFG-2: the bundle turns into plain data for a session's policy snapshot."""
    data = bundle.to_builtins()
    assert data["limits"]["tiles"] == {"desktop": 12, "mobile": 6}
    assert data["media"]["profiles"]["thumb_low"]["audio"] is False
    assert data["source_dir"] == str(SHIPPED_CONFIG)


def test_live_public_is_a_separate_ecosystem(bundle: ConfigBundle) -> None:
    """INV-5: live_public and random are their own ecosystems; no Party presence in live."""
    live = bundle.modes.modes["live_public"]
    assert live.ecosystem == "live_public"
    assert live.policies.separate_ecosystem_from_party
    assert live.regions.rail is not None
    assert live.regions.rail.component != "PresenceRail"
    assert bundle.modes.modes["random"].ecosystem == "random"


def test_every_mode_is_a_composition_of_kit_components(bundle: ConfigBundle) -> None:
    """CFG-4: modes mount only catalog components, on the routes SPEC names."""
    routes = {name: mode.route for name, mode in bundle.modes.modes.items()}
    assert routes == {
        "broadcast": "/",
        "party": "/party",
        "sniffers": "/sniffers",
        "random": "/random",
        "private_call": "/call/:token",
        "mirror": "/mirror",
        "live_public": "/live",
        "operator": "/operator",
        "moderation": "/mod",
    }
    kit = set(bundle.modes.components)
    for mode in bundle.modes.modes.values():
        assert {mount.component for _, mount in mode.regions.mounts()} <= kit


def test_funnel_and_match_chain_events_exist(bundle: ConfigBundle) -> None:
    """CFG-1: the funnel and the Random chain are declared event by event."""
    chains = bundle.telemetry.chains
    assert chains["funnel"][:5] == (
        "app_open",
        "view_broadcast",
        "click_login",
        "auth_success",
        "enter_mode",
    )
    assert chains["match"][0] == "match_join"
    assert "cooldown_started" in chains["match"]
    assert bundle.telemetry.events["qos_sample"].sampling == "qos"


def test_public_api_surface_is_pinned() -> None:
    """CFG-2: the package's public names (the lead's code imports these) are exactly those in
    public_surface.txt, one a line."""
    surface = Path(__file__).with_name("public_surface.txt").read_text().split()
    assert sorted(vvtv.config.__all__) == surface


def test_config_dir_accepts_str_like_paths(tmp_path: Path) -> None:
    """CFG-2: `build_runtime_config` takes the directory as a Path."""
    assert build_runtime_config(Path(str(SHIPPED_CONFIG))).source_dir == SHIPPED_CONFIG
