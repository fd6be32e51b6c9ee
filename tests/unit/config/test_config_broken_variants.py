"""Each CFG-4 check, proven by its own broken variant of the shipped config.

Every variant must fail with exactly its expected problems, each naming file, key path and the
exact line (computed from the patched text, not from the loader). Variants: broken_variants/.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from vvtv.config import Problem

Check = Callable[[str], list[Problem]]


def test_thumbnail_audio_on_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-3: a thumbnail profile with `audio: true` is a problem at its line."""
    assert_broken("thumb_audio_on")


def test_thumbnail_audio_enabled_in_mapping_form_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-3: `audio: {enabled: true}` counts too; degrading may not add audio."""
    assert_broken("thumb_audio_enabled_mapping")


def test_terms_without_their_text_are_refused(assert_broken: Check) -> None:
    """CFG-4 / AUTH-2: a signup accepts the terms' version: config/terms/ must hold its text."""
    assert_broken("terms_text_missing")


def test_mobile_tiles_above_desktop_is_refused(assert_broken: Check) -> None:
    """CFG-4: tile limits: mobile never gets more tiles than desktop."""
    assert_broken("tiles_mobile_over_desktop")


def test_zero_tiles_in_a_tier_is_reported_at_the_tier_line(assert_broken: Check) -> None:
    """CFG-4 / CFG-3: a non-positive tile limit set by a tier names the tier's line."""
    assert_broken("tiles_not_positive_in_tier")


def test_tile_limit_beyond_sane_bound_is_refused(assert_broken: Check) -> None:
    """CFG-4: tile limits must be within sane bounds."""
    assert_broken("tiles_beyond_sane")


def test_cooldown_schedule_decreasing_after_index_3_is_refused(assert_broken: Check) -> None:
    """CFG-4: the cooldown schedule is non-decreasing from index 3 on; names the item."""
    assert_broken("cooldown_decreasing")


def test_negative_cooldown_is_refused(assert_broken: Check) -> None:
    """CFG-4: cooldowns are non-negative; the item's own line is named (block list)."""
    assert_broken("cooldown_negative")


def test_live_public_must_be_separated_from_party(assert_broken: Check) -> None:
    """CFG-4 / INV-5: live_public.policies.separate_ecosystem_from_party must be true."""
    assert_broken("live_public_not_separated")


def test_live_public_must_not_mount_the_presence_rail(assert_broken: Check) -> None:
    """CFG-4 / INV-5: live_public.rail.component is never the PresenceRail."""
    assert_broken("live_public_presence_rail")


def test_two_modes_on_one_route_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-5: no two modes share a route."""
    assert_broken("duplicate_route")


def test_mode_naming_unknown_profile_is_refused(assert_broken: Check) -> None:
    """CFG-4: every profile a manifest names exists."""
    assert_broken("unknown_mode_profile")


def test_mode_mounting_unknown_component_is_refused(assert_broken: Check) -> None:
    """CFG-4: every component a manifest names exists in the kit catalog."""
    assert_broken("unknown_component")


def test_mode_emitting_unknown_event_is_refused(assert_broken: Check) -> None:
    """CFG-4: every event a manifest names exists in telemetry-events.yaml."""
    assert_broken("unknown_event")


def test_transition_to_unknown_mode_is_refused(assert_broken: Check) -> None:
    """CFG-4: every transition target a manifest names exists."""
    assert_broken("unknown_transition_target")


def test_route_prop_naming_unknown_route_is_refused(assert_broken: Check) -> None:
    """CFG-4: every route a manifest names exists (login lands in Party, not a dashboard)."""
    assert_broken("unknown_route_prop")


def test_degrade_target_must_exist(assert_broken: Check) -> None:
    """CFG-4: a profile's degrade target exists."""
    assert_broken("unknown_degrade_target")


def test_quarantine_forced_profile_must_exist(assert_broken: Check) -> None:
    """CFG-4: cost-tiers' quarantine profile exists in media-profiles.yaml."""
    assert_broken("unknown_quarantine_profile")


def test_the_quarantines_derived_profile_must_not_be_taken(assert_broken: Check) -> None:
    """CFG-4 / ABU-4: the bundle derives `<forced>_reduced`: media-profiles.yaml may not name it."""
    assert_broken("quarantine_reduced_profile_taken")


def test_a_reload_must_fit_in_randoms_socket_grace(assert_broken: Check) -> None:
    """CFG-4 / ABU-3: matching.socket_grace_s outlasts the UI's first reconnect wait."""
    assert_broken("matching_socket_grace_within_reconnect")


def test_randoms_socket_grace_is_shorter_than_silence(assert_broken: Check) -> None:
    """CFG-4 / MAT-5: matching.socket_grace_s is shorter than sessions.heartbeat_timeout_s."""
    assert_broken("matching_socket_grace_past_timeout")


def test_call_mode_without_consent_or_match_is_refused(assert_broken: Check) -> None:
    """CFG-4: a mode whose profile is a call requires consent or a match (config side)."""
    assert_broken("call_without_consent")


def test_live_public_chat_must_be_strictest(assert_broken: Check) -> None:
    """CFG-4: the live_public chat scope has the strictest rate limit."""
    assert_broken("chat_live_public_not_strictest")


@pytest.mark.req("OPS-5")
def test_socket_grace_must_be_shorter_than_the_heartbeat_timeout(assert_broken: Check) -> None:
    """CFG-4: a closed tab must end a call sooner than silence does."""
    assert_broken("sessions_socket_grace_past_timeout")


@pytest.mark.req("OPS-5")
def test_socket_grace_must_outlast_the_first_reconnect(assert_broken: Check) -> None:
    """CFG-4: a socket that blips and reconnects at once keeps its calls."""
    assert_broken("sessions_socket_grace_within_reconnect")


def test_ghost_ttl_must_meet_removal_deadline(assert_broken: Check) -> None:
    """CFG-4: ghost_ttl_s + sweep fits the "gone from lists in < 20 s" promise."""
    assert_broken("presence_ttl_past_deadline")


def test_tier_raising_a_cap_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7: clamps only reduce: a tier may not raise a ceiling."""
    assert_broken("clamp_ceiling_raised")


def test_tier_lowering_a_floor_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7: a tier may not lower min_time_before_skip_ms."""
    assert_broken("clamp_floor_lowered")


def test_tier_cooldown_schedule_is_clamped_element_wise(assert_broken: Check) -> None:
    """CFG-4 / INV-7: a schedule is compared element-wise; the loose item is named."""
    assert_broken("clamp_schedule_elementwise")


def test_tier_switching_a_feature_on_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7 / CFG-6: a tier may only switch features off."""
    assert_broken("clamp_feature_switched_on")


def test_tier_switching_a_protection_off_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7: kill switches and protections are ceilings: a tier may only switch them on."""
    assert_broken("clamp_protection_switched_off")


def test_tier_changing_a_fixed_constant_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7: the cost model's constants are fixed across tiers."""
    assert_broken("clamp_fixed_changed")


def test_tier_adding_a_key_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7: an overlay may not add keys that base does not define."""
    assert_broken("overlay_adds_key")


def test_private_event_properties_are_refused(assert_broken: Check) -> None:
    """CFG-4: no event property may look like a message body, a video frame or a location."""
    assert_broken("telemetry_private_properties")


def test_yaml_syntax_error_names_file_and_line(assert_broken: Check) -> None:
    """CFG-1 / CFG-4: a YAML syntax error is a problem with file and line."""
    assert_broken("yaml_syntax_error")


def test_unknown_key_names_file_line_and_key_path(assert_broken: Check) -> None:
    """CFG-2 / CFG-4: an unknown key (forbid_unknown_fields) names file, line and key path."""
    assert_broken("unknown_key")


def test_wrong_types_in_two_files_are_all_reported(assert_broken: Check) -> None:
    """CFG-2 / CFG-4: type errors name file, line and key path, and every file's are collected."""
    assert_broken("wrong_type")


def test_missing_key_names_its_parent_line(assert_broken: Check) -> None:
    """CFG-2 / CFG-4: a missing required key is located at its parent mapping."""
    assert_broken("missing_key")


def test_a_trusted_proxy_must_be_an_ip_network(assert_broken: Check) -> None:
    """CFG-4 / AUTH-1: X-Forwarded-For is believed only from proxies listed as IPs or networks."""
    assert_broken("login_untrusted_proxy")


def test_one_address_gets_no_more_guesses_than_every_address(assert_broken: Check) -> None:
    """CFG-4 / AUTH-1: the per-(account, address) lockout trips before the per-account one."""
    assert_broken("login_address_window_over_account")


def test_the_skin_needs_a_brand(assert_broken: Check) -> None:
    """CFG-4 / LAB-6 / OPS-3: the page and the generated reserve slate show the worn skin's
    name: it may not be empty."""
    assert_broken("skin_brand_empty")


def test_a_ladder_naming_an_unknown_mode_is_refused(assert_broken: Check) -> None:
    """CFG-4 / INV-7: the modes the kill-switch ladder pauses or refuses exist in the manifests."""
    assert_broken("kill_switch_unknown_mode")


def test_a_channel_viewer_window_shorter_than_the_players_poll_is_refused(
    assert_broken: Check,
) -> None:
    """TEL-5: a player asks what airs every ui.channel_poll_s; the viewer window outlasts it."""
    assert_broken("channel_viewer_window_under_poll")


def test_a_staff_mode_without_a_sign_in_is_refused(assert_broken: Check) -> None:
    """CFG-4 / AUTH-4: a mode for admins (the operator's console) needs a sign-in."""
    assert_broken("staff_mode_without_sign_in")


def test_a_frame_check_threshold_below_a_milder_one_is_refused(assert_broken: Check) -> None:
    """CFG-4 / MOD-1: the frame checks' thresholds rise with their outcomes (issue 16)."""
    assert_broken("frame_checks_report_below_blur")


def test_a_frame_check_reason_the_queue_does_not_offer_is_refused(assert_broken: Check) -> None:
    """CFG-4 / MOD-1: a frame check's report joins the one queue: its reason is one of
    `reports.reason_codes` (issue 16)."""
    assert_broken("frame_checks_report_reason_not_offered")


def test_a_report_filing_rate_of_nothing_is_refused(assert_broken: Check) -> None:
    """CFG-4 / MOD-1 / ABU-7: `reports.file_rate.max` is at least one report per window."""
    assert_broken("reports_file_rate_zero")


@pytest.mark.req("OPS-3", "INV-7")
@pytest.mark.parametrize(
    "case",
    [
        "skin_raises_a_cap",
        "skin_layout_wrong_region",
        "skin_route_taken",
        "skin_unknown_mode",
        "skin_unreadable_text",
        "skin_unknown_tier",
        "skin_default_unknown",
        "skin_color_not_hex",
    ],
)
def test_a_broken_skin_is_refused_at_its_line_in_skins_yaml(
    assert_broken: Check, case: str
) -> None:
    """OPS-3: what a skin changes is checked by the rules of the file it changes (clamps, regions,
    routes), plus its own (modes it names, readable colours), every problem at its skins.yaml
    line, whether or not the skin is worn."""
    assert_broken(case)
