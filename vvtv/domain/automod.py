"""Chat auto-moderation (MOD-4/6 context; Twitch AutoMod and Discord keyword rules as reference):
rules from config, each a list of words and regular expressions with an action (hold for review,
block, time out), matched on a normalised text so that evasive spellings meet them.

Normalising folds, in order: look-alike letters and diacritics to ASCII (Cyrillic `а`, fullwidth
`ｆ`, `é` all become Latin letters: Unicode's confusables table by `confusable_homoglyphs`, then
`anyascii`'s transliteration), case, leetspeak (`4`→a, `3`→e, `$`→s, ...), separators to one
space, and runs of single letters (`f u c k`, `f.u.c.k`) into one word. Words match whole tokens
with repeated letters squeezed (`fuuuck`), `*` at either end for a prefix, suffix or infix;
patterns match the normalised text unsqueezed. The strictest matching rule's action wins: block,
then time out, then hold."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Literal

from anyascii import anyascii
from confusable_homoglyphs import confusables

from vvtv.domain.values import frozen

Action = Literal["hold", "block", "timeout"]
_SEVERITY: dict[Action, int] = {"hold": 1, "timeout": 2, "block": 3}

# Digits and symbols people put for letters; applied after anyascii, so on ASCII only.
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
     "@": "a", "$": "s", "!": "i", "|": "i", "+": "t"}
)  # fmt: skip
_SEPARATORS = re.compile(r"[^a-z]+")
_REPEATS = re.compile(r"(.)\1+")


@frozen
class Rule:
    name: str
    action: Action
    words: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


@frozen
class Verdict:
    """The rule a message met, and what happens to it."""

    rule: str
    action: Action


def normalise(text: str) -> str:
    """`text` as rules see it: ASCII lowercase letters, one space between words, spaced-out
    single letters joined into the word they spell."""
    folded = "".join(_fold(c) for c in text).lower().translate(_LEET)
    tokens = _SEPARATORS.sub(" ", folded).split()
    joined: list[str] = []
    run: list[str] = []
    for token in tokens:
        if len(token) == 1:
            run.append(token)
            continue
        if run:
            joined.append("".join(run))
            run = []
        joined.append(token)
    if run:
        joined.append("".join(run))
    return " ".join(joined)


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    """One character as ASCII: the Latin letter it is made to look like, else its transliteration
    (`anyascii` alone reads Cyrillic `ѕ` as `dz`)."""
    if char.isascii():
        return char
    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    for glyph in found[0]["homoglyphs"] if found else ():
        if glyph["c"].isascii() and glyph["c"].isalnum():
            return str(glyph["c"])
    return anyascii(char)


def squeeze(word: str) -> str:
    """Repeated letters as one (`fuuuck` → `fuck`); rule words are squeezed the same way."""
    return _REPEATS.sub(r"\1", word)


@frozen
class _Word:
    stem: str
    prefix: bool  # `stem*`: any token starting with it
    suffix: bool  # `*stem`: any token ending with it

    def matches(self, token: str) -> bool:
        if self.prefix and self.suffix:
            return self.stem in token
        if self.prefix:
            return token.startswith(self.stem)
        if self.suffix:
            return token.endswith(self.stem)
        return token == self.stem


@frozen
class _Compiled:
    rule: Rule
    words: tuple[_Word, ...]
    patterns: tuple[re.Pattern[str], ...]


class Automod:
    """The rules, compiled once; `check` is the whole of it."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        compiled = [
            _Compiled(
                rule,
                tuple(_word(word) for word in rule.words),
                tuple(re.compile(pattern) for pattern in rule.patterns),
            )
            for rule in rules
        ]
        # Strictest first: the first rule that matches decides.
        self._rules = tuple(sorted(compiled, key=lambda c: -_SEVERITY[c.rule.action]))

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(c.rule for c in self._rules)

    def check(self, text: str, only: frozenset[str] | None = None) -> Verdict | None:
        """The verdict on `text`, or None when no rule (of `only`, if given) matches."""
        plain = normalise(text)
        tokens = tuple(squeeze(token) for token in plain.split())
        for compiled in self._rules:
            if only is not None and compiled.rule.name not in only:
                continue
            if any(w.matches(t) for w in compiled.words for t in tokens) or any(
                p.search(plain) for p in compiled.patterns
            ):
                return Verdict(compiled.rule.name, compiled.rule.action)
        return None


def _word(word: str) -> _Word:
    stem = squeeze(normalise(word.strip("*")).replace(" ", ""))
    return _Word(stem, prefix=word.endswith("*"), suffix=word.startswith("*"))
