"""The console in a real browser: Debian's Chromium driven by Playwright, against the app
served by uvicorn over a staffed SQLite store (the browser's path is the same on either
backend; the API tests cover both)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from openlfr.api import create_app
from openlfr.services import identity
from openlfr.services.unit_of_work import Store
from openlfr.vision.engine import Engine
from tests.api.conftest import PASSWORD, served
from tests.conftest import REPO
from tests.services.conftest import Clock, clock, staffed_store, store

__all__ = ["clock", "store"]  # the services' fixtures, for these tests too

# Screenshots of the main pages, kept with the test run's artefacts.
ARTEFACTS = Path(os.environ.get("LFR_ARTEFACTS", REPO / "artefacts")) / "screenshots"


def chromium() -> str:
    """Debian's Chromium (``make test`` installs it): Playwright's own download is not used."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is not installed: run make test (it installs Debian's chromium)")
    return found


@dataclass
class Console:
    store: Store
    base: str
    browser: Browser

    def log_in(self, name: str) -> Page:
        """A new browser context in which ``name`` logs in for the first time through the
        login form: their one-time password, then a password of their own."""
        one_time = identity.reset_password(self.store, "root", name)
        page = self.browser.new_context(base_url=self.base).new_page()
        page.goto("/login")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", one_time)
        page.click("button")
        page.fill("input[name=password]", one_time)
        page.fill("input[name=new_password]", PASSWORD)
        page.click("button")
        page.wait_for_url("**/console/**")
        return page


def screenshot(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"{name}.png", full_page=True)


@pytest.fixture
def console(tmp_path: Path, clock: Clock, engine: Engine) -> Iterator[Console]:
    store = staffed_store(tmp_path, f"sqlite:///{tmp_path / 'openlfr.db'}", clock)
    try:
        with served(create_app(store, engine)) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
            yield Console(store, base, browser)
            browser.close()
    finally:
        store.close()
