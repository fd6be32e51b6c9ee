"""The mode catalog the shell composes itself from (UI-2): modes as manifests, not apps."""

from __future__ import annotations

from vvtv.contracts.base import Contract
from vvtv.contracts.sessions import HandoverHint

PropValue = str | int | float | bool


class MountView(Contract, frozen=True, kw_only=True):
    component: str
    props: dict[str, PropValue] = {}


class RegionsView(Contract, frozen=True, kw_only=True):
    stage: MountView
    rail: MountView | None = None
    topbar: MountView | None = None
    overlays: list[MountView] = []


class ModeView(Contract, frozen=True, kw_only=True):
    name: str
    route: str
    ecosystem: str
    requires_auth: bool
    media_profile: str | None
    regions: RegionsView
    transitions: dict[str, HandoverHint]  # target mode -> handover hint
    chat_scope: str | None = None


class ModeCatalog(Contract, frozen=True, kw_only=True):
    """The modes this deployment offers now: those the cost tier switched off are left out."""

    config_version: str
    default_mode: str
    login_lands_in: str
    modes: list[ModeView]
