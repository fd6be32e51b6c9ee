"""The rules of `skins.yaml` (OPS-3) that decoding cannot see: the default names a skin, each mode
a skin names is one, and a theme's colours stay readable. What a skin changes in the other files
is checked by their own rules, on the skin's effective manifests and limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vvtv.config.load import SourceFile
from vvtv.config.problems import KeyPath
from vvtv.config.problems import Problem
from vvtv.config.schema.skins import ColorToken
from vvtv.config.schema.skins import Skins
from vvtv.config.schema.skins import Theme

# WCAG 2.x AA for body text: the pairs a skin gives both colours of must be at least this apart.
MIN_CONTRAST = 4.5
CONTRASTED: tuple[tuple[ColorToken, ColorToken], ...] = (
    ("text", "bg"),
    ("text", "surface"),
    ("muted", "bg"),
    ("accent_text", "accent"),
    ("danger_text", "danger"),
)


def check_skins(skins: Skins, source: SourceFile, modes: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    if skins.default not in skins.skins:
        known = ", ".join(skins.skins) or "none"
        problems.append(
            source.problem(("default",), f"names unknown skin `{skins.default}` (known: {known})")
        )
    for name, skin in skins.skins.items():
        here: KeyPath = ("skins", name)
        named: list[KeyPath] = [(*here, "layout", mode) for mode in skin.layout]
        named += [(*here, "routes", "paths", mode) for mode in skin.routes.paths]
        for path in named:
            if path[-1] not in modes:
                message = f"names unknown mode `{path[-1]}` (OPS-3, CFG-4)"
                problems.append(source.problem(path, message))
        problems += _check_contrast(skin.theme, source, (*here, "theme", "colors"))
    return problems


def _check_contrast(theme: Theme, source: SourceFile, here: KeyPath) -> list[Problem]:
    # Only pairs the skin gives both colours of: the built-in palette is readable on its own.
    problems = []
    for fore, back in CONTRASTED:
        if fore in theme.colors and back in theme.colors:
            ratio = contrast(theme.colors[fore], theme.colors[back])
            if ratio < MIN_CONTRAST:
                problems.append(
                    source.problem(
                        (*here, fore),
                        f"{fore} on {back} has a contrast of {ratio:.2f}:1; at least "
                        f"{MIN_CONTRAST}:1 keeps text readable (WCAG AA, OPS-3)",
                    )
                )
    return problems


def contrast(first: str, second: str) -> float:
    """WCAG 2.x contrast ratio of two `#rrggbb` colours, 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(color[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue
