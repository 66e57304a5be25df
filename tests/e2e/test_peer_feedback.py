"""The peer worker's feedback in the browser (issue 13): a low shared check-in reaches the
caseload on its own, in plain words, and stays until followed up; the demo caseload and a
person's page as a peer worker meets them, as screenshots, with axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, PEER_WORKER, STAFF_PASSWORD
from tests.e2e.flows import STATUS, join, very_low_check_in
from tests.e2e.test_web_app import _serious

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
JARGON = re.compile(r"reliable (deterioration|drop|change)|band crossing|\bRCI\b|jacobson", re.I)
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


def staff_sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url + "/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()


def shoot(page: Page, name: str) -> None:
    """The screen at a phone's and a laptop's size, kept in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    for size in (PHONE, LAPTOP):
        page.set_viewport_size(size)
        path = ARTIFACTS / f"{name}-{size['width']}x{size['height']}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 1000


def plain_words(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert not JARGON.search(text), JARGON.search(text)


def test_a_low_shared_check_in_reaches_the_open_caseload_and_stays_until_followed_up(
    site, new_context, csp
):
    site.server.start_scheduler()
    peer = csp.attach(new_context(viewport=LAPTOP).new_page())
    staff_sign_in(peer, site.url, PEER_WORKER, STAFF_PASSWORD)

    person = csp.attach(new_context().new_page())
    join(person, site, "sam-low")
    expect(peer.get_by_role("link", name="Sam")).to_be_visible(timeout=15_000)  # polling
    very_low_check_in(person, share=True, note="Rough week, feel like giving up")
    expect(person.locator(STATUS)).to_have_text("All saved")

    # No reload: the caseload's own polling brings the flag (feedback job + 5 s poll).
    row = peer.locator(".person-row").filter(has=peer.get_by_role("link", name="Sam"))
    expect(row.get_by_text("Needs a conversation soon")).to_be_visible(timeout=20_000)
    expect(row).to_contain_text("Very low answers in a shared check-in")
    expect(row).not_to_contain_text("giving up")
    plain_words(peer)

    row.get_by_role("link", name="Sam").click()
    expect(peer.get_by_role("heading", name="Sam", exact=True)).to_be_visible()
    expect(peer.locator("figure svg").first).to_be_visible()
    expect(peer.get_by_text("Very low answers in a shared check-in").first).to_be_visible()
    expect(peer.get_by_test_id("shared-checkins")).to_contain_text("I can trust my peer worker.")
    plain_words(peer)
    peer.get_by_label("Note about how you followed up").fill("Rang Sam, meeting tomorrow")
    peer.get_by_role("button", name="Mark as followed up").click()
    expect(peer.get_by_text(re.compile(r"marked as followed up\."))).to_be_visible()

    # The flag is gone from the caseload and kept in the person's history.
    peer.goto(site.url + "/")
    row = peer.locator(".person-row").filter(has=peer.get_by_role("link", name="Sam"))
    expect(row).to_be_visible()
    expect(row.get_by_text("Needs a conversation soon")).to_have_count(0)
    row.get_by_role("link", name="Sam").click()
    expect(peer.get_by_text("Rang Sam, meeting tomorrow")).to_be_visible()
    assert csp.violations == []


def demo_password(site, username: str) -> str:
    credentials = Path(site.server.env["ALONGSIDE_INSTANCE_PATH"]) / "demo-accounts.txt"
    found = dict(line.split(" ", 1) for line in credentials.read_text().splitlines() if line)
    return found[username]


def test_the_demo_caseload_and_a_person_page_as_a_peer_worker_meets_them(site, new_context):
    site._cli("demo")
    page = new_context(viewport=LAPTOP, bypass_csp=True).new_page()
    staff_sign_in(page, site.url, "demo-peer", demo_password(site, "demo-peer"))
    rows = page.get_by_test_id("caseload").locator(".person-row")
    expect(rows).to_have_count(25)
    # Urgent first; the story is in plain words.
    expect(rows.first).to_contain_text("Needs a conversation soon")
    expect(
        page.get_by_text("Trust in you has dropped a lot since they started").first
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile("No shared check-in for [0-9]+ weeks")).first
    ).to_be_visible()
    plain_words(page)
    found = {"caseload": _serious(page)}
    shoot(page, "caseload")
    page.set_viewport_size(LAPTOP)

    rows.first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="What changed since your last look")).to_be_visible()
    expect(page.get_by_test_id("shared-checkins")).to_be_visible()
    expect(page.locator("figure svg")).to_have_count(4)
    plain_words(page)
    found["person"] = _serious(page)
    shoot(page, "person")

    page.set_viewport_size(LAPTOP)
    page.get_by_role("link", name="How is this worked out?").first.click()
    expect(page.get_by_role("heading", name="Needs a conversation soon")).to_be_visible()
    plain_words(page)
    found["how it works"] = _serious(page)
    shoot(page, "how-it-works")

    page.goto(site.url + "/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    assert "check-ins on this phone" not in page.locator("main").inner_text()
    found["staff settings"] = _serious(page)
    shoot(page, "staff-settings")
    assert found == {screen: [] for screen in found}
