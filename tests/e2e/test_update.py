"""A new release: the person is told, the page reloads on their word, the outbox survives."""

from __future__ import annotations

import contextlib
import shutil
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DIST
from tests.e2e.flows import STATUS, check_in, go, join, wait_for_service_worker

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _wait_for_reload(page: Page, timeout: float = 15.0) -> None:
    """Until the marker set before the click is gone: the page really reloaded.

    Polled from Python because wait_for_function's in-page polling needs eval, which the
    app's CSP forbids.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(PlaywrightError):  # the old page's context is going away
            if page.evaluate("window.beforeUpdate === undefined"):
                return
        time.sleep(0.1)
    raise AssertionError("the page did not reload after 'Reload now'")


BANNER = "A new version of Alongside is ready. Your saved check-ins are kept."


def test_a_new_version_waits_for_the_person_and_keeps_the_outbox(make_site, new_context, tmp_path):
    release = tmp_path / "dist"
    shutil.copytree(DIST, release)
    site = make_site(extra_env={"ALONGSIDE_WEB_DIST_DIR": str(release)})
    context = new_context()
    page = context.new_page()
    join(page, site, "sam-update")
    wait_for_service_worker(page)
    page.reload()  # from now on the worker controls the page
    expect(page.get_by_role("heading", name="Check in", exact=True)).to_be_visible()
    assert page.evaluate("Boolean(navigator.serviceWorker.controller)")

    # A check-in that cannot be sent yet: the sync endpoints are unreachable, for the page
    # and for the service worker's Background Sync alike.
    context.route("**/api/v1/sync/**", lambda route: route.abort())
    check_in(page, hope=8, active_days=5)
    expect(page.locator(STATUS)).to_contain_text("1 check-in waiting to send")

    # The server gets a new release; the browser finds it on its next update check.
    worker = release / "sw.js"
    worker.write_text(worker.read_text() + "\n// the next release\n")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = page.get_by_role("status").filter(has_text=BANNER)
    expect(banner).to_be_visible()
    # Nothing is swapped under the person's feet: the new worker waits.
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !!r.waiting)")

    page.evaluate("window.beforeUpdate = true")
    page.get_by_role("button", name="Reload now").click()
    _wait_for_reload(page)
    expect(page.get_by_role("heading", name="Check in", exact=True)).to_be_visible()
    expect(banner).to_have_count(0)
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => !r.waiting)")
    expect(page.locator(STATUS)).to_contain_text("1 check-in waiting to send")

    context.unroute("**/api/v1/sync/**")
    go(page, "History")
    page.get_by_role("button", name="Send now").click()
    expect(page.locator(STATUS)).to_have_text("All saved")
    assert len(site.checkins_of("sam-update")) == 1
