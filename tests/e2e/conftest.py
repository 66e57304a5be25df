"""Headless Chromium (Debian's, never downloaded) against the real server behind a cuttable proxy.

Without Chromium or the built app these tests skip and say why; with ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.support.databases import IN_CI
from tests.support.live_server import ALONGSIDE, LiveServer
from tests.support.proxy import CuttableProxy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("ALONGSIDE_TEST_CHROMIUM", "/usr/bin/chromium"))
DIST = ROOT / "pwa" / "dist"
AXE = ROOT / "pwa" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PEER_WORKER = "peer-e2e"
STAFF_PASSWORD = "e2e peer worker password"
PASSWORD = "a long enough password"


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true requires {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        _missing(f"Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    if not (DIST / "index.html").exists():
        _missing("the built web app in pwa/dist (`make test` builds it)")
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
    )
    yield launched
    launched.close()


@dataclass
class Site:
    """The live server, the proxy the browser goes through, and a peer worker's invites."""

    server: LiveServer
    proxy: CuttableProxy

    @property
    def url(self) -> str:
        return self.proxy.url

    def _cli(self, *args: str, stdin: str = "") -> None:
        subprocess.run(
            [ALONGSIDE, *args],
            input=stdin,
            env=self.server.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def add_peer_worker(self) -> None:
        self._cli("create-service", "E2E service")
        self._cli(
            "create-user",
            "--role",
            "peer_worker",
            "--username",
            PEER_WORKER,
            "--service",
            "E2E service",
            "--password-stdin",
            stdin=STAFF_PASSWORD + "\n",
        )

    def _token(self, username: str, password: str) -> str:
        response = httpx.post(
            self.server.url + "/api/v1/auth/login",
            json={"username": username, "password": password, "device_name": "e2e check"},
        )
        response.raise_for_status()
        return str(response.json()["token"])

    def invite(self) -> str:
        """A fresh invite code from the peer worker."""
        token = self._token(PEER_WORKER, STAFF_PASSWORD)
        response = httpx.post(
            self.server.url + "/api/v1/invites",
            json={},
            headers={"Authorization": f"Bearer {token}"},
        )
        response.raise_for_status()
        return str(response.json()["code"])

    def checkins_of(self, username: str, password: str = PASSWORD) -> list[dict[str, Any]]:
        """Every check-in the server holds for the person, through their own pull."""
        headers = {"Authorization": f"Bearer {self._token(username, password)}"}
        changes: list[dict[str, Any]] = []
        params: dict[str, str] = {}
        while True:
            page = httpx.get(
                self.server.url + "/api/v1/sync/pull", params=params, headers=headers
            ).json()
            changes.extend(page["changes"])
            params = {"cursor": page["cursor"]}
            if not page["more"]:
                return changes


@pytest.fixture
def make_site(live_server: Callable[..., LiveServer]) -> Iterator[Callable[..., Site]]:
    """Start the real server (with extra environment, if given) behind its own proxy."""
    proxies: list[CuttableProxy] = []

    def make(extra_env: dict[str, str] | None = None) -> Site:
        server = live_server(workers=2, threads=2, extra_env=extra_env)
        proxy = CuttableProxy(server.port).start()
        proxies.append(proxy)
        built = Site(server=server, proxy=proxy)
        built.add_peer_worker()
        return built

    yield make
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


class CspWatch:
    """Collects Content Security Policy violations the page reports."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def attach(self, page: Page) -> Page:
        page.on(
            "console",
            lambda message: (
                self.violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page


@pytest.fixture
def csp() -> CspWatch:
    return CspWatch()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Fresh browser profiles (a phone each); closed after the test."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**{"viewport": {"width": 360, "height": 740}, **options})
        context.set_default_timeout(15_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
