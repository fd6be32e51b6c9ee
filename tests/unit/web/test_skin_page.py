"""OPS-3: a skin's look reaches the browser as data: the page's name, scheme and bar colour are
written into index.html (escaped), and the colour tokens become a style sheet."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest

from vvtv.config.schema.skins import ColorToken
from vvtv.config.schema.skins import Theme
from vvtv.web.skin import dressed_page
from vvtv.web.skin import style_sheet

REPO = Path(__file__).resolve().parents[3]
PAGE = (
    b'<head><meta name="color-scheme" content="dark" />'
    b'<meta name="theme-color" content="#0b0b10" />'
    b'<meta name="application-name" content="Voulezvous" /><title>Voulezvous</title></head>'
)


@pytest.mark.req("OPS-3")
def test_the_page_says_the_skins_name_scheme_and_bar_colour_then_reads_its_sheet() -> None:
    theme = Theme(brand="Chez <Nous> & Co", color_scheme="light", colors={"bg": "#f7f4ee"})
    assert dressed_page(PAGE, theme) == (
        b'<head><meta name="color-scheme" content="light" />'
        b'<meta name="theme-color" content="#f7f4ee" />'
        b'<meta name="application-name" content="Chez &lt;Nous&gt; &amp; Co" />'
        b"<title>Chez &lt;Nous&gt; &amp; Co</title>"
        b'<link rel="stylesheet" href="/skin.css" /></head>'
    )


@pytest.mark.req("OPS-3")
def test_a_skin_without_a_background_keeps_the_pages_bar_colour() -> None:
    dressed = dressed_page(PAGE, Theme(brand="Voulezvous"))
    assert b'<meta name="theme-color" content="#0b0b10" />' in dressed
    assert b'<meta name="color-scheme" content="dark" />' in dressed


@pytest.mark.req("OPS-3")
def test_the_sheet_sets_the_tokens_the_skin_gives_under_their_css_names() -> None:
    theme = Theme(brand="x", colors={"surface_2": "#ece7dd", "accent_text": "#ffffff"})
    assert style_sheet(theme) == (
        ":root:root {\n  color-scheme: dark;\n  --surface-2: #ece7dd;\n"
        "  --accent-text: #ffffff;\n}\n"
    )


@pytest.mark.req("OPS-3")
def test_every_colour_a_skin_may_set_is_a_token_of_the_built_in_sheet() -> None:
    """A token the style sheet never reads would be a colour a skin sets in vain."""
    sheet = (REPO / "vvtv/web/ui/src/styles.css").read_text()
    root = sheet[sheet.index(":root {") : sheet.index("}", sheet.index(":root {"))]
    assert [t for t in get_args(ColorToken) if f"--{t.replace('_', '-')}:" not in root] == []
