"""The shipped alert rules and Grafana dashboard (TEL-5, TEL-4): promtool checks the rules and
runs their unit tests, and every metric they name is one the product exposes at /metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import trio
from quart.typing import TestClientProtocol as HttpClient
from ruamel.yaml import YAML

from tests.conftest import REPO

RULES = REPO / "ops" / "prometheus" / "vvtv.rules.yml"
RULE_TESTS = REPO / "ops" / "prometheus" / "vvtv.rules.test.yml"
DASHBOARD = REPO / "ops" / "grafana" / "vvtv.dashboard.json"
# The product's own series: what an expression names that must exist at /metrics.
METRIC_NAME = re.compile(r"\b(?:vvtv|process|python)_[a-z0-9_]+\b")
SAMPLE_SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "info": ("_info",),
}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    """promtool in the rules' folder (a rule test names its rule files relatively)."""
    binary = shutil.which("promtool")
    assert binary, "promtool is installed by scripts/test (Debian package prometheus)"
    return subprocess.run([binary, *args], cwd=RULES.parent, capture_output=True, text=True)


@pytest.mark.req("TEL-5")
async def test_promtool_checks_the_rules_and_runs_their_unit_tests() -> None:
    check = await trio.to_thread.run_sync(promtool, "check", "rules", RULES.name)
    assert check.returncode == 0, check.stdout + check.stderr
    tests = await trio.to_thread.run_sync(promtool, "test", "rules", RULE_TESTS.name)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "SUCCESS" in tests.stdout


def alert_names() -> set[str]:
    groups = YAML(typ="safe").load(RULES.read_text())["groups"]
    return {rule["alert"] for group in groups for rule in group["rules"]}


def test_the_rules_cover_every_alert_the_spec_names() -> None:
    """TEL-5 names broadcast down, presence stuck, matching degraded, egress spike; LAB status
    adds emergency mode; INV-7's ladder adds the kill switch."""
    assert {
        "VvtvBroadcastDown", "VvtvEmergencyMode", "VvtvPresenceStuck", "VvtvMatchingDegraded",
        "VvtvEgressSpike", "VvtvKillSwitchEngaged",
    } <= alert_names()  # fmt: skip


def expressions() -> dict[str, list[str]]:
    groups = YAML(typ="safe").load(RULES.read_text())["groups"]
    rules = [rule["expr"] for group in groups for rule in group["rules"]]
    dashboard = json.loads(DASHBOARD.read_text())
    panels = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return {"rules": rules, "dashboard": panels}


async def exposed_names(client: HttpClient) -> set[str]:
    text = (await (await client.get("/metrics")).get_data()).decode()
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(" ", 3)
            names.add(family)
            names.update(family + suffix for suffix in SAMPLE_SUFFIXES.get(kind, ()))
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


@pytest.mark.req("TEL-5")
async def test_rules_and_dashboard_name_only_metrics_the_product_exposes(
    client: HttpClient,
) -> None:
    exposed = await exposed_names(client)
    for source, exprs in expressions().items():
        for expr in exprs:
            named = set(METRIC_NAME.findall(expr))
            assert named, f"{source}: {expr!r} names no metric"
            assert named <= exposed, f"{source}: {expr!r} names {sorted(named - exposed)}"


def test_the_dashboard_is_grafana_json() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] == "vvtv-operator"
    assert dashboard["title"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["type"] in {"timeseries", "stat", "table"}
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
