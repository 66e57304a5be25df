"""The peer worker's caseload and person views and the researcher's export view, in the app."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, PEER_WORKER, STAFF_PASSWORD
from tests.e2e.flows import STATUS, check_in, join
from tests.e2e.test_web_app import _serious

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _staff_sign_in(page, site, username: str) -> None:
    page.goto(site.url + "/signin")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_peer_worker_sees_only_what_was_shared(site, new_context, csp):
    person = csp.attach(new_context().new_page())
    join(person, site, "sam-shares")
    person.get_by_label("Share this check-in with my peer worker").check()
    check_in(person, hope=7, active_days=3, note="shared with my peer worker")
    check_in(person, hope=2, active_days=1, note="kept to myself")
    expect(person.locator(STATUS)).to_have_text("All saved")

    page = csp.attach(new_context(bypass_csp=False).new_page())
    _staff_sign_in(page, site, PEER_WORKER)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    page.get_by_role("link", name="Sam").click()
    expect(page.get_by_role("heading", name="Sam")).to_be_visible()
    cards = page.get_by_test_id("shared-checkins").locator(".card")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("shared with my peer worker")
    expect(page.get_by_text("kept to myself")).to_have_count(0)
    # Nothing about other people is kept on the peer worker's device.
    stored = page.evaluate(
        """() => new Promise((resolve) => {
          const open = indexedDB.open('alongside');
          open.onsuccess = () => {
            const request = open.result.transaction('checkins').objectStore('checkins').count();
            request.onsuccess = () => { open.result.close(); resolve(request.result); };
          };
        })"""
    )
    assert stored == 0
    assert csp.violations == []


def test_staff_screens_pass_axe(site, new_context):
    site._cli(
        "create-user",
        "--role",
        "researcher",
        "--username",
        "res-e2e",
        "--password-stdin",
        stdin=STAFF_PASSWORD + "\n",
    )
    person = new_context().new_page()
    join(person, site, "sam-axe-staff")
    person.get_by_label("Share this check-in with my peer worker").check()
    check_in(person, hope=6, active_days=2)
    expect(person.locator(STATUS)).to_have_text("All saved")

    page = new_context(bypass_csp=True).new_page()
    _staff_sign_in(page, site, PEER_WORKER)
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()
    expect(page.get_by_test_id("caseload")).to_be_visible()
    found = {"caseload": _serious(page)}
    page.get_by_role("link", name="Sam").click()
    expect(page.get_by_test_id("shared-checkins")).to_be_visible()
    found["person"] = _serious(page)

    researcher = new_context(bypass_csp=True).new_page()
    _staff_sign_in(researcher, site, "res-e2e")
    expect(researcher.get_by_role("heading", name="Research export")).to_be_visible()
    expect(researcher.get_by_text("Loading…")).to_have_count(0)
    found["research"] = _serious(researcher)
    assert found == {screen: [] for screen in found}


def test_a_peer_worker_invites_someone_who_then_appears_in_the_caseload(site, new_context, csp):
    page = csp.attach(new_context(bypass_csp=False).new_page())
    _staff_sign_in(page, site, PEER_WORKER)
    page.get_by_role("button", name="Create an invite code").click()
    code = page.get_by_test_id("invite-code").locator("strong").inner_text()

    person = new_context().new_page()
    person.goto(site.url + "/join")
    person.get_by_label("Invite code").fill(code)
    person.get_by_label("What should your peer worker call you? (optional)").fill("Noor")
    person.get_by_label("Choose a username").fill("noor-invited")
    person.get_by_label("Choose a password").fill(PASSWORD)
    person.get_by_role("button", name="Join").click()
    expect(person.get_by_role("heading", name="Check in", exact=True)).to_be_visible()

    page.reload()
    expect(page.get_by_role("link", name="Noor")).to_be_visible()
    assert csp.violations == []
