"""Fixtures of the web front tests: the app on a thread, headless Chromium, screenshots.

The browser is Debian's /usr/bin/chromium driven by Playwright (never a downloaded
browser), with the flags this offline machine needs; each test gets a new browser
context, so storage (the widget's session) starts empty. Screenshots are written
to build/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, List

import pytest

from bot.web.config import WIDGET_BUNDLE, WebConfig
from bot.web.server import create_app
from knowledge import paths
from knowledge.paths import BUILD_DIR
from tests.bot.web.servers import ThreadedApp

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = BUILD_DIR / "screenshots"


@pytest.fixture(scope="session")
def web_front() -> Iterator[ThreadedApp]:
    """The web front on a free port, reading the built knowledge base (no Rasa behind it)."""
    if not paths.db_path().exists():
        pytest.fail(f"{paths.db_path()} is missing: run the suite with `make test`, which builds it")
    # Port 1: nothing listens there; the FAQ does not need Rasa.
    with ThreadedApp(create_app(WebConfig(rasa_port=1))) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system` installs Debian's chromium")
    if not WIDGET_BUNDLE.exists():
        pytest.fail(f"{WIDGET_BUNDLE} is missing: `make web` installs the widget")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Playwright starts Chromium with --headless and a new, empty --user-data-dir.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="zh-CN")
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_errors(page) -> List[str]:
    """Uncaught script errors of the test's page."""
    errors: List[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
