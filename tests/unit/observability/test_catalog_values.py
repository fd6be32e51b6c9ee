"""Label values written in series.yaml that the code also knows, as a Literal or as what a class
counts: they are checked against it here, so the catalog cannot drift from the code."""

from __future__ import annotations

from typing import get_args
from typing import get_type_hints

import pytest
from prometheus_client import CollectorRegistry

from vvtv.contracts.chat import ChatScope
from vvtv.contracts.consent import InviteStatus
from vvtv.cost.metrics import LadderMetrics
from vvtv.domain.kill_switch import Changed
from vvtv.domain.matching.book import Pool
from vvtv.domain.tiles.cost import AlertLevel
from vvtv.frames.metrics import CheckOutcome
from vvtv.identity.metrics import LoginOutcome
from vvtv.observability.catalog import shipped


def seed(section: str, key: str, label: str) -> tuple[str, ...]:
    values = shipped().sections[section][key].seed[label]
    assert isinstance(values, list), f"{section}.{key} seeds {label} from its constructor"
    return tuple(values)


@pytest.mark.parametrize("key", ["messages", "rate_limited", "reports"])
def test_chat_scopes_are_the_contract_s(key: str) -> None:
    assert seed("chat", key, "scope") == get_args(ChatScope)


@pytest.mark.parametrize(
    ("section", "key", "label", "literal"),
    [
        ("consent", "invites", "outcome", InviteStatus),
        ("frames", "checks", "outcome", CheckOutcome),
        ("identity", "logins", "outcome", LoginOutcome),
        ("matching", "pairs", "pool", Pool),
        ("kill_switch", "changes", "cause", get_type_hints(Changed)["cause"]),
    ],
)
def test_seeded_values_are_their_literal_s(
    section: str, key: str, label: str, literal: object
) -> None:
    assert seed(section, key, label) == get_args(literal)


def test_tile_alert_levels_are_the_levels_past_ok() -> None:
    assert seed("tiles", "egress_alert", "level") == tuple(
        level for level in get_args(AlertLevel) if level != "ok"
    )


def labels_of(registry: CollectorRegistry, name: str) -> set[tuple[str, ...]]:
    return {
        tuple(sample.labels.values())
        for family in registry.collect()
        for sample in family.samples
        if sample.name == name
    }


def test_the_ladder_counts_only_seeded_directions() -> None:
    registry = CollectorRegistry()
    metrics = LadderMetrics(registry)
    seeded = labels_of(registry, "vvtv_kill_switch_changes_total")
    metrics.changed(Changed(before=0, after=1, cause="load"))
    metrics.changed(Changed(before=1, after=0, cause="override"))
    assert labels_of(registry, "vvtv_kill_switch_changes_total") == seeded
