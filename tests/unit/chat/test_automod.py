"""Chat auto-moderation's pure rules (issue 16): evasive spellings folded, rules matched, the
strictest action winning; ordinary words that merely contain a listed one are left alone."""

from __future__ import annotations

import pytest

from vvtv.domain.automod import Automod
from vvtv.domain.automod import Rule
from vvtv.domain.automod import normalise

pytestmark = pytest.mark.req("CHT-4")  # issue 16: chat auto-moderation

RULES = Automod(
    (
        Rule("offsite", "hold", words=("snapchat",), patterns=(r"\badd me on\b",)),
        Rule("threats", "timeout", words=("kys",)),
        Rule("spam", "block", words=("cashapp*", "*coin", "ass")),
    )
)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("ѕһіt", "shit"),  # Cyrillic look-alikes
        ("ｆｕｃｋ", "fuck"),  # fullwidth
        ("Crème Brûlée", "creme brulee"),  # diacritics
        ("k.y.s", "kys"),  # spelled out with separators
        ("F u C k  you", "fuck you"),  # spaced letters join; real words stay apart
        ("Sn4pch@t", "snapchat"),  # leetspeak
        ("ＡＤＤ   me  ON", "add me on"),
    ],
)
def test_evasive_spellings_fold_to_what_the_rules_read(text: str, plain: str) -> None:
    assert normalise(text) == plain


@pytest.mark.parametrize(
    ("text", "rule", "action"),
    [
        ("my snаpchat is x", "offsite", "hold"),  # a Cyrillic а inside
        ("add    me ON insta", "offsite", "hold"),
        ("go k y s", "threats", "timeout"),
        ("kyyyyssss", "threats", "timeout"),  # repeated letters squeezed
        ("CASHAPP.me/x", "spam", "block"),  # prefix wildcard
        ("free bitcoin", "spam", "block"),  # suffix wildcard
        ("add me on snapchat, kys", "threats", "timeout"),  # the stricter of two
        ("cashapp me, kys", "spam", "block"),
    ],
)
def test_a_matching_rule_decides_and_the_strictest_wins(text: str, rule: str, action: str) -> None:
    verdict = RULES.check(text)
    assert verdict is not None
    assert (verdict.rule, verdict.action) == (rule, action)


@pytest.mark.parametrize("text", ["a classic assignment", "hello there", "coins", "add me"])
def test_words_that_only_contain_a_listed_word_pass(text: str) -> None:
    assert RULES.check(text) is None


def test_a_check_may_be_limited_to_some_rules() -> None:
    assert RULES.check("kys", only=frozenset({"spam"})) is None
