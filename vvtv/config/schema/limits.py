"""Typed shape of one cost tier (`base`, or `base` + a tier overlay): every runtime cap (ABU-7).

Every leaf declares its clamp direction (see `vvtv.config.merge`): `Ceiling*` may only go down in
a tier, `Floor*` may only go up, `Fixed*` never changes. A unit test pins that no leaf lacks one.
"""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from msgspec import Meta

from vvtv.config.schema.frozen import ByName
from vvtv.config.schema.frozen import ConfigStruct
from vvtv.config.schema.safety import AutomodLimits
from vvtv.config.schema.safety import ShieldPreset
from vvtv.contracts.chat import ReasonCode

CEILING = Meta(extra={"clamp": "ceiling"})
FLOOR = Meta(extra={"clamp": "floor"})
FIXED = Meta(extra={"clamp": "fixed"})

_NON_NEGATIVE = Meta(ge=0)
_POSITIVE = Meta(gt=0)

CeilingInt = Annotated[int, _POSITIVE, CEILING]
CeilingFloat = Annotated[float, _POSITIVE, CEILING]
CeilingSeconds = CeilingFloat
CeilingFraction = Annotated[float, Meta(ge=0, le=1), CEILING]
CeilingFlag = Annotated[bool, CEILING]  # a feature: a tier may only switch it off
FloorInt = Annotated[int, _NON_NEGATIVE, FLOOR]
FloorSeconds = Annotated[float, _NON_NEGATIVE, FLOOR]
FloorFlag = Annotated[bool, FLOOR]  # a protection: a tier may only switch it on
FloorSchedule = Annotated[tuple[float, ...], Meta(min_length=1), FLOOR]
FloorInterval = Annotated[float, _POSITIVE, FLOOR]  # a wait that must not be zero (no hot loop)
FixedFloat = Annotated[float, _NON_NEGATIVE, FIXED]
FixedName = Annotated[str, FIXED]
FixedInt = Annotated[int, _POSITIVE, FIXED]
# Tile counts are checked by the validator with THB-5 wording, so only the direction lives here.
TileCount = Annotated[int, CEILING]
# CNS-5: what a second invite to a user already asked gets; a tier keeps the base's choice.
SecondInvite = Annotated[Literal["queue", "refuse"], FIXED]


class ActorLimits(ConfigStruct):
    mailbox_size: CeilingInt
    ask_timeout_s: CeilingSeconds
    idle_passivate_s: CeilingSeconds
    max_restarts: CeilingInt
    restart_window_s: Annotated[float, _POSITIVE, FLOOR]


class HttpLimits(ConfigStruct):
    max_body_bytes: CeilingInt
    keep_alive_s: CeilingSeconds  # an idle keep-alive connection is closed after this


class ShutdownLimits(ConfigStruct):
    grace_s: CeilingSeconds


class StoreLimits(ConfigStruct):
    readers: CeilingInt  # reader connections (WAL: reads never wait behind the writer)
    busy_timeout_ms: CeilingInt  # how long a statement waits for a lock before failing


class GcLimits(ConfigStruct):
    """`vvtv serve`'s garbage-collection policy (vvtv.server.FrozenHeap)."""

    freeze_every_s: CeilingSeconds  # what survived is frozen this often: full collections skip it
    thaw_every_s: CeilingSeconds  # all is thawed and collected once this often


class RuntimeLimits(ConfigStruct):
    actors: ActorLimits
    http: HttpLimits
    shutdown: ShutdownLimits
    store: StoreLimits
    gc: GcLimits


class TileLimits(ConfigStruct):
    desktop: TileCount
    mobile: TileCount


class PresenceLimits(ConfigStruct):
    ghost_ttl_s: CeilingSeconds
    heartbeat_interval_s: CeilingSeconds
    sweep_interval_s: CeilingSeconds
    removal_deadline_s: CeilingSeconds
    fanout_tick_ms: FloorInt  # batching more is cheaper; never batch less than base
    socket_idle_hibernate_s: CeilingSeconds
    large_room_threshold: CeilingInt  # counts + a page sooner is cheaper
    party_page_size: CeilingInt
    grid_page_size: CeilingInt
    page_size_max: CeilingInt
    max_tags: CeilingInt
    max_capabilities: CeilingInt
    max_devices_per_user: CeilingInt


class ViewportLimits(ConfigStruct):
    out_of_view_disconnect_s: CeilingSeconds


class TileQualityLimits(ConfigStruct):
    """THB-4: when a viewer's tiles step down and back up (vvtv/domain/tiles/quality.py)."""

    sample_s: FloorInterval  # sampling less often is cheaper
    loss_above: CeilingFraction  # a tier may step down sooner, never later
    jitter_above_ms: CeilingFloat
    bad_samples: CeilingInt
    recover_loss_below: CeilingFraction  # ... and may make the way back up harder
    recover_jitter_below_ms: CeilingFloat
    recover_after_s: FloorSeconds
    min_packets: FixedInt


class ConsentLimits(ConfigStruct):
    timeout_s: CeilingSeconds
    max_pending_per_user: CeilingInt
    second_invite: SecondInvite
    max_queued_per_user: CeilingInt
    invites_per_minute: CeilingInt


class SessionLimits(ConfigStruct):
    heartbeat_interval_s: CeilingSeconds
    heartbeat_timeout_s: CeilingSeconds
    socket_grace_s: CeilingSeconds  # a participant's last socket closed: this long to come back
    transition_timeout_s: CeilingSeconds
    max_concurrent_per_user: CeilingInt


class ReconnectLimits(ConfigStruct):
    attempts_per_minute: CeilingInt
    backoff_s: FloorSchedule


class QuarantineLimits(ConfigStruct):
    account_age_days: FloorInt  # quarantining longer is stricter
    max_matches_per_hour: CeilingInt
    forced_profile: FixedName
    max_video_bitrate_kbps: CeilingInt
    max_fps: CeilingInt
    # What else a quarantined account may do (MOD-6: told to a new account; MOD-4: applied to a
    # shadow-quarantined one untold). false: invites only to other quarantined accounts.
    invite_open_accounts: CeilingFlag
    chat: RateLimit  # on top of each scope's own rate
    # A shadow-quarantined user's invite to anyone else ends as declined after a wait drawn
    # between these (a person's answer takes a moment; an instant decline would tell).
    shadow_decline_min_s: FloorSeconds
    shadow_decline_max_s: FloorSeconds
    decision_max_s: CeilingInt  # the longest timed quarantine a moderator decides; beyond: lift it

    @property
    def reduced_profile(self) -> str:
        """The profile quarantined calls run at: `forced_profile` with this section's video caps,
        derived into the bundle's media profiles (ABU-4)."""
        return f"{self.forced_profile}_reduced"


class AntiAbuseLimits(ConfigStruct):
    cooldown_schedule_s: FloorSchedule
    quick_skip_window_s: FloorSeconds  # remembering skips longer is stricter
    min_time_before_skip_ms: FloorInt
    reconnect: ReconnectLimits
    quarantine: QuarantineLimits
    max_matches_per_hour: CeilingInt


class MatchingLimits(ConfigStruct):
    relax_after_s: FloorSeconds  # holding out longer for a shared tag is never looser
    no_repeat_window_s: FloorSeconds  # keeping two who met apart longer is stricter
    call_failed_pause_s: FloorInterval  # never zero: a failing call must not retry in a hot loop
    socket_grace_s: CeilingSeconds  # a joiner's last tab closed: this long to come back


class RateLimit(ConfigStruct):
    max_messages: CeilingInt
    window_s: Annotated[float, _POSITIVE, FLOOR]

    @property
    def per_second(self) -> float:
        return self.max_messages / self.window_s


class ChatScopePolicy(ConfigStruct):
    """One chat scope's rules (CHT-4): its rate limit per user, its length cap, its links."""

    max_messages: CeilingInt
    window_s: Annotated[float, _POSITIVE, FLOOR]
    max_chars: CeilingInt  # at most the section's max_message_chars
    links: CeilingFlag  # and only while feature_flags.chat_links is on

    @property
    def per_second(self) -> float:
        return self.max_messages / self.window_s


class ChatScopeLimits(ByName[ChatScopePolicy]):
    private_1to1: ChatScopePolicy
    room: ChatScopePolicy
    performer_room: ChatScopePolicy
    live_public: ChatScopePolicy


class ChatLimits(ConfigStruct):
    max_message_chars: CeilingInt  # every scope's cap, within the wire's bound
    history_page_size: CeilingInt  # messages one history read returns unless it asks for fewer
    history_page_max: CeilingInt  # the most one history read may ask for
    max_report_messages: CeilingInt  # message ids one report may name (MOD-1)
    scopes: ChatScopeLimits
    automod: AutomodLimits


class FilingRate(ConfigStruct):
    """At most `max` reports by one reporter within `window_s` (a sliding window)."""

    max: CeilingInt
    window_s: Annotated[float, _POSITIVE, FLOOR]


class ReportLimits(ConfigStruct):
    """Reports and the moderators' console (MOD-1, MOD-5)."""

    # The reasons a report may give, in the order the sheet shows them (a subset of the wire's).
    reason_codes: Annotated[tuple[ReasonCode, ...], Meta(min_length=1), FIXED]
    # Every report's still (a person's or a frame check's) is kept for review this long, then
    # dropped (TEL-3).
    still_ttl_s: CeilingSeconds
    queue_page_size: CeilingInt  # reports one queue read returns unless it asks for fewer
    queue_page_max: CeilingInt
    history_page_max: CeilingInt  # audit entries one user's history page returns at most
    bulk_max: CeilingInt  # reports one bulk decision may name (a raid)
    file_rate: FilingRate  # one reporter's filings: more is 429 report_rate_limited


class AttemptLimit(ConfigStruct):
    max_attempts: CeilingInt
    window_s: Annotated[float, _POSITIVE, FLOOR]


class LoginLimits(ConfigStruct):
    """Sign-in lockout (the policy is `vvtv.domain.login_throttle`'s docstring)."""

    per_account: AttemptLimit  # one handle, from every device that never signed in to it
    per_account_and_address: AttemptLimit  # one handle from one address (such devices)
    per_known_device: AttemptLimit  # one handle from one device that signed in to it before
    per_address: AttemptLimit  # one address, whatever the handle (devices unknown to it)
    max_in_flight_per_account: CeilingInt  # password checks of one handle at once, per kind
    # Peers whose X-Forwarded-For names the client (IPs or CIDR networks); none by default.
    trusted_proxies: Annotated[tuple[str, ...], FIXED]


class TokenLimits(ConfigStruct):
    access_ttl_s: CeilingSeconds
    refresh_ttl_s: CeilingSeconds


class PasswordPolicy(ConfigStruct):
    min_length: FloorInt
    max_length: CeilingInt
    # argon2id cost (RFC 9106); a tier may make hashing dearer, never cheaper.
    hash_time_cost: FloorInt
    hash_memory_kib: FloorInt
    hash_parallelism: FixedInt
    # Each hash holds hash_memory_kib: this many run at once, this many more may wait, then 429.
    hash_concurrency: CeilingInt
    hash_queue_max: CeilingInt


class SocketAuthLimits(ConfigStruct):
    hello_timeout_s: CeilingSeconds  # a socket must authenticate this soon after opening
    refresh_grace_s: CeilingSeconds  # after `auth.expired`, this long to refresh in-band
    # How long a closing socket may take to receive its last events and answer the close.
    close_flush_s: CeilingSeconds
    # Compress messages when the client offers it (RFC 7692, as browsers do): the zlib state it
    # keeps, for the socket's life, is ~114 KiB of an idle socket's memory.
    permessage_deflate: CeilingFlag


class AuthLimits(ConfigStruct):
    terms_version: FixedName  # the terms a signup must accept
    login: LoginLimits
    tokens: TokenLimits
    password: PasswordPolicy
    socket: SocketAuthLimits
    audit_page_max: CeilingInt  # audit entries one `GET /admin/audit` returns at most
    ban_max_duration_s: CeilingInt  # the longest timed ban; beyond it, ban for good


class KillSwitchLadder(ConfigStruct):
    """INV-7: the steps taken, in order, while egress stays above the ceiling."""

    steps: Annotated[tuple[str, ...], FIXED]  # names from vvtv.domain.kill_switch.STEPS
    paused_modes: Annotated[tuple[str, ...], FIXED]  # new sessions refused from random_paused on
    call_modes: Annotated[tuple[str, ...], FIXED]  # new sessions refused at new_calls_refused
    step_up_fraction: CeilingFraction  # back up only below this share of the ceiling
    min_dwell_s: FloorSeconds  # at least this long between two changes: no flapping


class KillSwitches(ConfigStruct):
    max_skips_per_minute: CeilingInt
    max_estimated_egress_gb_per_hour_total: CeilingFloat
    max_concurrent_call_sessions: CeilingInt
    max_connected_tiles_total: CeilingInt
    block_new_random_sessions: FloorFlag
    block_new_signups: FloorFlag
    ladder: KillSwitchLadder


class DirectionFactor(ByName[float]):
    """Egress multiplier per ecosystem (TEL-4: a call is sent both ways)."""

    broadcast: FixedFloat
    party: FixedFloat
    random: FixedFloat
    private: FixedFloat
    live_public: FixedFloat
    local: FixedFloat


class CostModel(ConfigStruct):
    gb_per_hour_per_mbps: FixedFloat
    direction_factor: DirectionFactor
    egress_alert_fraction: CeilingFraction
    price_per_gb_usd: FixedFloat  # a price, not a cap: a tier does not change it
    sample_interval_s: FloorInterval  # sampling less often is cheaper
    rate_window_s: FloorInterval  # a longer window smooths more
    history_samples: CeilingInt  # samples kept in memory for the operator's charts


class TracingSettings(ConfigStruct):
    exporter: Annotated[Literal["none", "otlp"], FIXED]  # none: trace ids in logs only
    otlp_endpoint: FixedName  # OTLP over HTTP, e.g. http://127.0.0.1:4318/v1/traces
    service_name: FixedName


class ObservabilityLimits(ConfigStruct):
    health_sample_interval_s: FloorInterval  # sampling less often is cheaper
    stuck_after_s: FloorInterval  # an alert threshold: waiting longer before calling it stuck
    tracing: TracingSettings


class TelemetryLimits(ConfigStruct):
    qos_sampling_default: CeilingFraction
    qos_sampling_incident: CeilingFraction
    flush_interval_s: FloorSeconds
    max_batch_events: CeilingInt
    qos_sample_interval_s: FloorInterval  # a sampled call reports its WebRTC stats this often


class LabLimits(ConfigStruct):
    queue_slack_target_s: FloorSeconds
    queue_alert_below_s: FloorSeconds
    fetch_ahead_s: FloorSeconds
    emergency_fallback_max_s: CeilingSeconds
    health_check_interval_s: CeilingSeconds
    transmitter_max_restarts: CeilingInt
    restart_window_s: Annotated[float, _POSITIVE, FLOOR]
    restart_backoff_s: FloorInterval  # the pause before a crashed transmitter or pipeline restarts
    plan_horizon_s: FloorSeconds  # planning less far ahead is riskier
    fetch_backoff_s: FloorSchedule
    fetch_timeout_s: CeilingSeconds
    fetch_concurrency: CeilingInt
    qa_min_duration_s: FloorSeconds  # rejecting more short items is stricter
    qa_max_black_fraction: CeilingFraction
    encoder_preset: FixedName
    encoder_niceness: Annotated[int, Meta(ge=0, le=19), FIXED]  # `nice -n` of offline ffmpeg work
    emergency_resume_slack_s: FloorSeconds  # more hysteresis = less flapping
    emergency_min_dwell_s: FloorSeconds
    reserve_clips: Annotated[int, _POSITIVE, FLOOR]
    reserve_clip_s: Annotated[float, _POSITIVE, FIXED]
    # The generated reserve loop is a slate: the brand, a line under it, a running clock.
    slate_message: Annotated[str, Meta(max_length=80), FIXED]  # empty: no line
    slate_font: FixedName  # a font file; missing, the slate airs without text (and a warning)
    control_token_env: FixedName
    control_token_file: FixedName
    up_next_count: CeilingInt  # queued items `GET /channel/now` lists as up next
    # A device that asked `GET /channel/now` within this is watching (its player polls it).
    viewer_window_s: Annotated[float, _POSITIVE, FIXED]


class TurnLimits(ConfigStruct):
    credential_ttl_s: CeilingSeconds
    url: FixedName
    secret_env: FixedName  # the secret itself never lives in YAML
    secret_file: FixedName


class SfuLimits(ConfigStruct):
    signalling_timeout_s: CeilingSeconds
    max_peer_connections: CeilingInt
    subscriber_queue_packets: CeilingInt
    # A publisher's own frames go out as they came while they fit a rendition's caps
    # (vvtv/media/local_sfu/passthrough.py), measured over the last `passthrough_window_s`
    # with `passthrough_tolerance` above the caps' fps and bitrate.
    passthrough: CeilingFlag
    passthrough_window_s: CeilingSeconds
    passthrough_tolerance: CeilingFraction
    keyframe_request_interval_s: FloorInterval  # at most one PLI to a publisher per this


class FrameCheckLimits(ConfigStruct):
    """Automated frame checks at the SFU (issue 16): which frames of a published camera are
    classified, and what a score at or above each threshold does (vvtv/domain/frames)."""

    enabled: FloorFlag  # a protection: a tier may only switch it on
    classifier: Annotated[Literal["opennsfw"], FIXED]  # its weights ship inside its package
    classifier_threads: CeilingInt  # onnxruntime's threads for one frame
    early_window_s: CeilingSeconds  # a stream's first seconds are checked densely...
    early_interval_s: FloorInterval  # ... one frame per this
    report_window_s: CeilingSeconds  # after a report on its publisher, densely again for this
    later_interval_s: FloorInterval  # otherwise one frame per this
    blur_at: CeilingFraction  # a tier may act sooner, never later
    report_at: CeilingFraction
    end_call_at: CeilingFraction  # Random only: the call ends, the publisher cools down
    # The reason code of the report a frame check raises (MOD-1): one of `reports.reason_codes`,
    # whose `still_ttl_s` keeps its still as long as any report's (TEL-3).
    report_reason: FixedName
    unblur_after_s: FloorSeconds  # a blurred tile clears on a lower score this long after
    random_cooldown_s: FloorSeconds
    still_max_px: FixedInt  # the still's longer side


class MediaLimits(ConfigStruct):
    turn: TurnLimits
    sfu: SfuLimits
    frame_checks: FrameCheckLimits


class UiLimits(ConfigStruct):
    """How the browser UI paces itself; handed to it in the mode catalog's `client` settings."""

    socket_reconnect_backoff_s: FloorSchedule  # waits between reconnects; the last one repeats
    token_refresh_lead_s: FloorInterval  # refreshing earlier keeps more margin, never less
    channel_poll_s: FloorInterval  # polling less often is cheaper
    player_retry_s: FloorInterval
    transition_ms: FixedInt  # the crossfade is a design constant, not a cost


class FeatureFlags(ByName[bool]):
    """CFG-6: read as `bundle.limits.feature_flags.<name>`, never from anywhere else."""

    party: CeilingFlag
    sniffers: CeilingFlag
    random: CeilingFlag
    private_call: CeilingFlag
    mirror: CeilingFlag
    live_public: CeilingFlag
    chat_links: CeilingFlag
    incident_mode: FloorFlag
    shadow_quarantine: FloorFlag

    def enabled(self, name: str) -> bool:
        """The flag `name`; KeyError for an unknown flag (a typo must not read as off)."""
        if name not in self.__struct_fields__:
            raise KeyError(name)
        return self.of(name)


class Limits(ConfigStruct):
    runtime: RuntimeLimits
    tiles: TileLimits
    presence: PresenceLimits
    viewport: ViewportLimits
    consent: ConsentLimits
    sessions: SessionLimits
    anti_abuse: AntiAbuseLimits
    tile_quality: TileQualityLimits
    matching: MatchingLimits
    chat: ChatLimits
    reports: ReportLimits
    auth: AuthLimits
    kill_switches: KillSwitches
    cost: CostModel
    observability: ObservabilityLimits
    telemetry: TelemetryLimits
    lab: LabLimits
    media: MediaLimits
    ui: UiLimits
    feature_flags: FeatureFlags
    shield: ShieldPreset
