"""/docs renders offline from our own files, under the pages' CSP (CON-2)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Route

from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import UI_TIMEOUT_MS
from tests.e2e.ui.tabs import open_tab
from tests.server_process import CHEAP_HASHING
from tests.server_process import start_server
from tests.server_process import tweaked_config
from vvtv.web.shell import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.slow


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
OPERATION_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})
SCRIPTS = re.compile(r'<script\b[^>]*?\bsrc="([^"]+)"')
STYLE_SHEETS = re.compile(r'<link\b[^>]*?\brel="stylesheet"[^>]*?\bhref="([^"]+)"')


@pytest.mark.req("CON-2")
def test_the_api_docs_render_offline_from_our_own_files(tmp_path: Path, browser: Browser) -> None:
    """`/docs` under the pages' CSP, every script and style sheet from this origin (each answers),
    and, with the browser unable to reach anything but the server, Swagger UI lists every
    operation of /openapi.json: no CDN, no inline initializer, no third party."""
    config = tweaked_config(tmp_path, **CHEAP_HASHING)
    server = start_server(tmp_path, "--no-channel", config=config)
    context, tab = open_tab(browser, viewport=DESKTOP, locale="en-US")
    outside: list[str] = []

    def loopback_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        page = server.get("/docs")
        assert page.status_code == 200
        assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        scripts, styles = SCRIPTS.findall(page.text), STYLE_SHEETS.findall(page.text)
        assert scripts
        assert styles
        assert "<script>" not in page.text  # nothing inline
        assert "<style" not in page.text
        for url in scripts + styles:
            assert urlsplit(url).netloc == "", url  # this origin only
            assert url.startswith("/"), url
            assert server.get(url).status_code == 200, url
        paths = server.get("/openapi.json").json()["paths"]
        operations = sum(len(OPERATION_METHODS & set(item)) for item in paths.values())

        context.route("**/*", loopback_only)
        tab.page.goto(server.url + "/docs")
        blocks = tab.page.locator("#swagger-ui .opblock")
        blocks.first.wait_for(timeout=UI_TIMEOUT_MS)
        tab.until(lambda: blocks.count() == operations, f"{operations} operations listed")
        assert tab.page.locator(".opblock-summary-path", has_text="/auth/signup").count() == 1
        tab.shot("desktop-docs")
        assert outside == []
        assert tab.errors == []  # a CSP refusal is a console error
    finally:
        context.close()
        server.stop()
