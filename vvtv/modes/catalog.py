"""The catalog as clients see it: the manifests of `mode-manifests.yaml`, minus the modes the
cost tier's feature flags switch off (and the transitions into them), with the client settings."""

from __future__ import annotations

from vvtv.config import ConfigBundle
from vvtv.config.schema.modes import Mode
from vvtv.config.schema.modes import Mount
from vvtv.contracts.modes import ChatLengthCaps
from vvtv.contracts.modes import ClientSettings
from vvtv.contracts.modes import ModeCatalog
from vvtv.contracts.modes import ModeView
from vvtv.contracts.modes import MountView
from vvtv.contracts.modes import RegionsView
from vvtv.contracts.modes import TileBudget


def _offered(config: ConfigBundle, name: str) -> bool:
    flags = config.limits.feature_flags
    # A mode without a flag of its own (the channel at `/`) is always on.
    return not hasattr(flags, name) or flags.enabled(name)


def _mount(mount: Mount) -> MountView:
    return MountView(component=mount.component, props=dict(mount.props))


def _view(name: str, mode: Mode, offered: set[str]) -> ModeView:
    regions = mode.regions
    return ModeView(
        name=name,
        route=mode.route,
        ecosystem=mode.ecosystem,
        requires_auth=mode.requires_auth,
        media_profile=mode.media_profile,
        regions=RegionsView(
            stage=_mount(regions.stage),
            rail=_mount(regions.rail) if regions.rail else None,
            topbar=_mount(regions.topbar) if regions.topbar else None,
            overlays=[_mount(overlay) for overlay in regions.overlays],
        ),
        transitions={to: hint for to, hint in mode.transitions.items() if to in offered},
        chat_scope=mode.policies.chat_scope,
        requires_role=mode.requires_role,
    )


def client_settings(config: ConfigBundle) -> ClientSettings:
    limits = config.limits
    auth, ui, chat = limits.auth, limits.ui, limits.chat.scopes
    return ClientSettings(
        terms_version=auth.terms_version,
        password_min_length=auth.password.min_length,
        password_max_length=auth.password.max_length,
        access_ttl_s=auth.tokens.access_ttl_s,
        token_refresh_lead_s=ui.token_refresh_lead_s,
        socket_reconnect_backoff_s=list(ui.socket_reconnect_backoff_s),
        channel_poll_s=ui.channel_poll_s,
        player_retry_s=ui.player_retry_s,
        transition_ms=ui.transition_ms,
        presence_heartbeat_s=limits.presence.heartbeat_interval_s,
        session_heartbeat_s=limits.sessions.heartbeat_interval_s,
        telemetry_flush_interval_s=limits.telemetry.flush_interval_s,
        telemetry_max_batch_events=limits.telemetry.max_batch_events,
        tiles=TileBudget(desktop=limits.tiles.desktop, mobile=limits.tiles.mobile),
        chat_max_chars=ChatLengthCaps(
            **{scope: chat.of(scope).max_chars for scope in chat.__struct_fields__}
        ),
        audit_page_max=auth.audit_page_max,
    )


def mode_catalog(config: ConfigBundle) -> ModeCatalog:
    manifests = config.modes
    offered = {name for name in manifests.modes if _offered(config, name)}
    return ModeCatalog(
        config_version=config.version,
        default_mode=manifests.app.default_mode,
        login_lands_in=manifests.app.login_lands_in,
        modes=[
            _view(name, mode, offered) for name, mode in manifests.modes.items() if name in offered
        ],
        client=client_settings(config),
    )
