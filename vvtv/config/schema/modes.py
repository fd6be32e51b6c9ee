"""Typed shape of `config/mode-manifests.yaml`: modes as compositions of kit components (INV-8)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import msgspec

from vvtv.config.schema.frozen import ConfigStruct

RegionName = Literal["stage", "rail", "overlays", "topbar"]
Ecosystem = Literal["broadcast", "party", "random", "private", "live_public", "local"]
Handover = Literal["cut", "crossfade", "placeholder"]
ChatScope = Literal["private_1to1", "room", "performer_room", "live_public"]
# Plain values, or names checked against another namespace (profile, event, mode, route, scope).
PropType = Literal[
    "string", "int", "float", "bool", "profile", "route", "mode", "event", "chat_scope"
]
PropValue = str | int | float | bool


class ComponentSpec(ConfigStruct):
    description: str
    regions: tuple[RegionName, ...]
    props: Mapping[str, PropType] = msgspec.field(default_factory=dict)
    reads_presence: bool = (
        False  # shows Party presence: must never mount where ecosystems are separated
    )


class Mount(ConfigStruct):
    component: str
    props: Mapping[str, PropValue] = msgspec.field(default_factory=dict)


class Regions(ConfigStruct):
    stage: Mount
    rail: Mount | None = None
    topbar: Mount | None = None
    overlays: tuple[Mount, ...] = ()

    def mounts(self) -> tuple[tuple[str, Mount], ...]:
        """(region, mount) for every mounted component, overlays included."""
        singles = [("stage", self.stage), ("rail", self.rail), ("topbar", self.topbar)]
        found = [(name, mount) for name, mount in singles if mount is not None]
        return (*found, *(("overlays", mount) for mount in self.overlays))


class Policies(ConfigStruct):
    separate_ecosystem_from_party: bool = False
    presence_visible: bool = False
    requires_consent: bool = False  # INV-2: a call mode needs consent or a match
    requires_match: bool = False
    chat_scope: ChatScope | None = None


class ModeTelemetry(ConfigStruct):
    on_enter: tuple[str, ...] = ()
    on_leave: tuple[str, ...] = ()


class Mode(ConfigStruct):
    route: str
    description: str
    ecosystem: Ecosystem
    requires_auth: bool
    media_profile: str | None
    regions: Regions
    transitions: Mapping[str, Handover] = msgspec.field(default_factory=dict)
    # Staff only (the operator's console): the UI shows everyone else the not-allowed screen; the
    # API behind it checks the role itself (AUTH-4).
    requires_role: Literal["mod", "admin"] | None = None
    policies: Policies = Policies()
    telemetry: ModeTelemetry = ModeTelemetry()


class App(ConfigStruct):
    default_mode: str
    login_lands_in: str


class ModeManifests(ConfigStruct):
    version: int
    app: App
    components: Mapping[str, ComponentSpec]
    modes: Mapping[str, Mode]

    def mode_for_route(self, route: str) -> str | None:
        return next((name for name, mode in self.modes.items() if mode.route == route), None)
