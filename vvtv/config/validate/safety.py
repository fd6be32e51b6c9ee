"""The rules of cost-tiers.yaml's safety sections: the quarantine's extra limits (MOD-4/6),
chat auto-moderation's rules and the Shield Mode preset (issue 16)."""

from __future__ import annotations

import re

from vvtv.config.problems import Problem
from vvtv.config.schema.limits import Limits
from vvtv.config.validate.locator import Locator


def check_safety(limits: Limits, at: Locator) -> list[Problem]:
    problems: list[Problem] = []
    quarantine = limits.anti_abuse.quarantine
    if quarantine.shadow_decline_min_s > quarantine.shadow_decline_max_s:
        problems.append(
            at.problem(
                ("anti_abuse", "quarantine", "shadow_decline_min_s"),
                "must not exceed shadow_decline_max_s (MOD-4)",
            )
        )
    if quarantine.shadow_decline_max_s >= limits.consent.timeout_s:
        problems.append(
            at.problem(
                ("anti_abuse", "quarantine", "shadow_decline_max_s"),
                "must be below consent.timeout_s: a shadow decline comes before an expiry would"
                " (MOD-4)",
            )
        )
    automod = limits.chat.automod
    names: set[str] = set()
    for index, rule in enumerate(automod.rules):
        path = ("chat", "automod", "rules", index)
        if rule.name in names:
            problems.append(at.problem((*path, "name"), f"`{rule.name}` is named twice"))
        names.add(rule.name)
        if not rule.words and not rule.patterns:
            problems.append(at.problem(path, "a rule needs words or patterns"))
        for number, pattern in enumerate(rule.patterns):
            try:
                re.compile(pattern)
            except re.error as error:
                problems.append(
                    at.problem((*path, "patterns", number), f"is not a regular expression: {error}")
                )
    scopes = set(limits.chat.scopes.__struct_fields__)
    for index, scope in enumerate(limits.shield.live_rooms):
        if scope not in scopes:
            problems.append(
                at.problem(
                    ("shield", "live_rooms", index),
                    f"`{scope}` is not a chat scope ({', '.join(sorted(scopes))})",
                )
            )
    return problems
