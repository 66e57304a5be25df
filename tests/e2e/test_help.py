"""Help, always one tap away (issue 14): on every screen, signed out and offline; and offered,
once, right after a check-in with very low answers, which the person may then share."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.flows import STATUS, join, very_low_check_in, wait_for_service_worker
from tests.e2e.test_peer_feedback import shoot
from tests.e2e.test_web_app import _serious

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PANEL = "It sounds like things are hard right now"
DUTY_LINE = {"name": "Riverside duty line", "purpose": "Talk to the team", "phone": "01632 960 123"}


def test_help_is_one_tap_away_signed_out_and_with_no_network(site, new_context, csp):
    context = new_context()
    page = csp.attach(context.new_page())
    # The server's contacts never arrive: the contacts built into the app still show.
    page.route("**/api/v1/support", lambda route: route.abort())
    page.goto(site.url + "/signin")
    page.get_by_role("link", name="Get help now").click()
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Samaritans")).to_be_visible()
    expect(page.get_by_role("link", name="Call 116 123")).to_have_attribute("href", "tel:116123")
    expect(page.get_by_role("link", name="Call 999")).to_be_visible()

    wait_for_service_worker(page)
    context.set_offline(True)
    site.proxy.cut()
    page.reload()
    expect(page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Shout")).to_be_visible()
    assert csp.violations == []


def test_a_very_low_check_in_offers_help_once_and_can_be_shared_from_there(
    make_site, new_context, csp
):
    services = {"E2E service": {"help": {"contacts": [DUTY_LINE]}}}
    site = make_site({"ALONGSIDE_SERVICES": json.dumps(services)})
    context = new_context(bypass_csp=False)
    page = csp.attach(context.new_page())
    join(page, site, "sam-hard-week")
    expect(page.get_by_role("link", name="Get help now")).to_be_visible()
    # A first check-in reads as a welcome, with plain headings, not scale names.
    expect(page.get_by_role("heading", name="Welcome to Alongside")).to_be_visible()
    expect(page.get_by_role("heading", name="How you have been feeling")).to_be_visible()
    headings = " ".join(page.locator("main h2").all_inner_texts())
    assert "WHO" not in headings, headings
    assert "ONS" not in headings, headings
    page.get_by_role("button", name="Got it").click()
    expect(page.get_by_role("heading", name="Welcome to Alongside")).to_have_count(0)

    very_low_check_in(page, share=False)
    panel = page.get_by_role("region", name=PANEL)
    expect(panel).to_be_visible()
    expect(page.get_by_role("heading", name=PANEL)).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="saved on this phone")).to_have_count(1)
    expect(panel).to_contain_text("Riverside duty line")  # the service's own contacts
    expect(panel).to_contain_text("999")  # always kept
    expect(panel).to_contain_text("not shared, so your peer worker will not see it")
    expect(page.locator(STATUS)).to_have_text("All saved")

    axe_page = new_context(bypass_csp=True).new_page()
    join(axe_page, site, "sam-axe-panel")
    very_low_check_in(axe_page, share=True)
    expect(axe_page.get_by_role("heading", name=PANEL)).to_be_visible()
    expect(axe_page.get_by_role("region", name=PANEL)).to_contain_text(
        "Your peer worker will see this check-in"
    )
    found = {"panel": _serious(axe_page)}
    shoot(axe_page, "hard-time-panel")
    axe_page.get_by_role("link", name="Get help now").click()
    expect(axe_page.get_by_role("heading", name="Get help now", level=1)).to_be_visible()
    expect(axe_page.get_by_role("heading", name="Riverside duty line")).to_be_visible()
    found["help"] = _serious(axe_page)
    shoot(axe_page, "help")
    assert found == {"panel": [], "help": []}

    # Sharing from the panel is an ordinary edit through the outbox.
    panel.get_by_role("button", name="Share it with my peer worker").click()
    expect(panel).to_contain_text("Your peer worker will see this check-in")
    expect(page.locator(STATUS)).to_have_text("All saved")
    (stored,) = site.checkins_of("sam-hard-week")
    assert stored["data"]["shared"] is True
    assert stored["rev"] == 2

    # Closed, it stays closed: never twice for the same check-in.
    panel.get_by_role("button", name="Close").click()
    expect(page.get_by_role("heading", name=PANEL)).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Check in", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=PANEL)).to_have_count(0)

    # The service's contacts were kept on the phone: offline, the help screen still has them.
    wait_for_service_worker(page)
    context.set_offline(True)
    site.proxy.cut()
    page.get_by_role("link", name="Get help now").click()
    expect(page.get_by_role("heading", name="Riverside duty line")).to_be_visible()
    assert csp.violations == []
