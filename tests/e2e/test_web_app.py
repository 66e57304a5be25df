"""The web app end to end in headless Chromium against the real server (issue 6)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, AXE
from tests.e2e.flows import STATUS, check_in, go, hope_of, join, sign_in, wait_for_service_worker

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_join_with_an_invite_and_check_in_online(site, new_context, csp):
    page = csp.attach(new_context().new_page())
    join(page, site, "sam-online")
    page.get_by_label("I have not been in touch with my peer worker since last time").first.check()
    check_in(page, hope=7, active_days=3, note="a walk by the river")
    expect(page.locator(STATUS)).to_have_text("All saved")

    (stored,) = site.checkins_of("sam-online")
    assert hope_of(stored) == 7
    answers = stored["data"]["responses"][0]["answers"]
    assert answers["trust_peer_worker"] == "na"  # "not applicable", where the item allows it
    assert stored["data"]["note"] == "a walk by the river"
    assert stored["data"]["shared"] is False  # off unless the person turns it on
    assert stored["rev"] == 1

    # Sharing is the person's choice, made per check-in.
    page.get_by_label("Share this check-in with my peer worker").check()
    check_in(page, hope=8, active_days=4)
    expect(page.locator(STATUS)).to_have_text("All saved")
    shared = [c["data"]["shared"] for c in site.checkins_of("sam-online")]
    assert sorted(shared) == [False, True]

    # The check-in screen as a phone shows it, kept as a test artefact.
    go(page, "History")
    go(page, "Check in")
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=str(ARTIFACTS / "checkin-360x740.png"))
    assert (ARTIFACTS / "checkin-360x740.png").stat().st_size > 1000
    assert csp.violations == []


def test_offline_check_ins_and_an_edit_reach_the_server_once_each(site, new_context, csp):
    context = new_context()
    page = csp.attach(context.new_page())
    join(page, site, "sam-offline")
    wait_for_service_worker(page)

    # No signal at all: the page is offline and so is everything behind the proxy, including
    # the service worker's own requests (set_offline alone does not stop those).
    context.set_offline(True)
    site.proxy.cut()
    for hope, days in ((2, 1), (4, 2), (6, 3)):
        check_in(page, hope=hope, active_days=days)
    expect(page.locator(STATUS)).to_have_text(
        "Offline. 3 check-ins waiting to send when you're back online."
    )
    go(page, "History")
    page.get_by_role("button", name="Edit check-in of").first.click()
    page.locator("#alongside-checkin--hope_weeks_ahead-9").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()

    # Reload with no network: the app still opens, from the service worker's precache.
    page.reload()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.locator(".checkin-card")).to_have_count(3)
    expect(page.locator(STATUS)).to_contain_text("3 check-ins waiting to send")
    assert site.checkins_of("sam-offline") == []

    site.proxy.restore()
    context.set_offline(False)
    expect(page.locator(STATUS)).to_have_text("All saved")

    stored = site.checkins_of("sam-offline")
    assert len(stored) == 3
    assert len({change["id"] for change in stored}) == 3
    assert sorted(hope_of(change) for change in stored) == [2, 4, 9]
    assert all(change["rev"] == 1 for change in stored)  # the edit never left as a second version

    # Another phone of the same person receives them.
    other = csp.attach(new_context().new_page())
    sign_in(other, site, "sam-offline")
    go(other, "History")
    expect(other.locator(".checkin-card")).to_have_count(3)
    expect(other.locator(STATUS)).to_have_text("All saved")
    assert csp.violations == []


AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')),
  }));
}"""


def _serious(page) -> list[dict]:
    # axe-core from npm (pwa/node_modules), injected as a file: no CDN. The context bypasses
    # CSP only so this injected script may run; the other tests watch CSP.
    page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]


def test_every_screen_passes_axe_without_serious_violations(site, new_context):
    page = new_context(bypass_csp=True).new_page()
    page.goto(site.url + "/signin")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    found = {"sign in": _serious(page)}
    page.get_by_role("link", name="Join with an invite").click()
    expect(page.get_by_role("heading", name="Join with an invite")).to_be_visible()
    found["join"] = _serious(page)

    join(page, site, "sam-axe")
    found["check-in"] = _serious(page)
    check_in(page, hope=5, active_days=2, note="fine")
    check_in(page, hope=7, active_days=4)
    go(page, "History")
    expect(page.get_by_role("heading", name="Trends")).to_be_visible()
    found["history"] = _serious(page)
    page.get_by_role("button", name="Edit check-in of").first.click()
    expect(page.get_by_role("heading", name="Edit check-in")).to_be_visible()
    found["edit"] = _serious(page)
    go(page, "Settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    found["settings"] = _serious(page)
    assert found == {screen: [] for screen in found}


def test_the_check_in_works_from_the_keyboard(site, new_context):
    page = new_context().new_page()
    join(page, site, "sam-keys")
    page.reload()
    expect(page.get_by_role("heading", name="Check in", exact=True)).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the first question's radio group
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#alongside-checkin--trust_peer_worker-2")).to_be_checked()
    page.get_by_role("button", name="Save check-in").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved on this phone")).to_be_visible()
    expect(page.locator(STATUS)).to_have_text("All saved")
    (stored,) = site.checkins_of("sam-keys")
    assert stored["data"]["responses"][0]["answers"] == {"trust_peer_worker": 2}


def test_the_check_in_fits_320_px_with_large_targets(site, new_context):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    join(page, site, "sam-small")
    overflow = page.evaluate("document.scrollingElement.scrollWidth")
    assert overflow <= 320
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, a, label.choice, input[type=checkbox]')]
          .filter((el) => el.getClientRects().length && !el.closest('.skip-link')
                          && !el.classList.contains('skip-link'))
          .map((el) => {
            const target = el.matches('input[type=checkbox]')
              ? el.parentElement.querySelector('label') : el;
            const box = target.getBoundingClientRect();
            return { text: el.textContent.trim().slice(0, 30), w: box.width, h: box.height };
          })
          .filter((box) => box.w < 44 || box.h < 44)"""
    )
    assert small == []
