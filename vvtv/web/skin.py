"""The worn skin's look in the browser (OPS-3): the page says the skin's name and colour scheme,
and `/skin.css` sets the style sheet's colour tokens after the build's own, so a clone's theme is
config, not a rebuilt UI. Both come from the frozen config."""

from __future__ import annotations

import html
import re

from vvtv.config.schema.skins import Theme

SKIN_CSS = "/skin.css"

_TITLE = re.compile(rb"<title>[^<]*</title>")
_META = re.compile(rb'(<meta name="(application-name|color-scheme|theme-color)" content=")[^"]*(")')


def style_sheet(theme: Theme) -> str:
    """`:root` with the theme's tokens (`accent_text` is `--accent-text`) and colour scheme."""
    lines = [f"  color-scheme: {theme.color_scheme};"]
    lines += [f"  --{token.replace('_', '-')}: {value};" for token, value in theme.colors.items()]
    # The build's sheet sets the same properties on `:root`: one more class of specificity wins
    # whichever of the two sheets the browser reads last.
    return ":root:root {\n" + "\n".join(lines) + "\n}\n"


def dressed_page(page: bytes, theme: Theme) -> bytes:
    """The UI's index.html under the skin: its title and name, the colour scheme the browser's own
    controls take, the bar colour of mobile browsers, and the skin's sheet."""
    brand = html.escape(theme.brand).encode()
    values = {
        b"application-name": brand,
        b"color-scheme": theme.color_scheme.encode(),
        b"theme-color": theme.colors.get("bg", "").encode(),
    }

    def meta(match: re.Match[bytes]) -> bytes:
        value = values[match[2]] or match[0][len(match[1]) : -1]
        return match[1] + value + match[3]

    page = _TITLE.sub(b"<title>" + brand + b"</title>", page, count=1)
    page = _META.sub(meta, page)
    link = f'<link rel="stylesheet" href="{SKIN_CSS}" />'.encode()
    return page.replace(b"</head>", link + b"</head>", 1)
