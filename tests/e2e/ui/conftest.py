"""The browser journeys' fixtures: one real `vvtv serve` airing the channel for the whole folder
(its first air costs an ffmpeg run), one Chromium per module, and a desktop tab."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import sync_playwright

from tests.browser import ARGS
from tests.browser import CHROMIUM
from tests.e2e.ui.tabs import DESKTOP
from tests.e2e.ui.tabs import ON_AIR_TIMEOUT_S
from tests.e2e.ui.tabs import Tab
from tests.e2e.ui.tabs import open_tab
from tests.server_process import CHEAP_HASHING
from tests.server_process import ONE_RESERVE_CLIP
from tests.server_process import ServerProcess
from tests.server_process import start_server
from tests.server_process import tweaked_config
from tests.server_process import wait_on_air


@pytest.fixture(scope="package")
def channel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("channel")
    server = start_server(tmp, config=tweaked_config(tmp, **ONE_RESERVE_CLIP, **CHEAP_HASHING))
    try:
        wait_on_air(server, ON_AIR_TIMEOUT_S)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context, opened = open_tab(browser, viewport=DESKTOP, locale="en-US")
    yield opened
    context.close()
