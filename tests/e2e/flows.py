"""What a person does in the app, as steps the end-to-end tests share."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Site

STATUS = "#sync-status"


def join(page: Page, site: Site, username: str) -> None:
    """Open the app, join with a fresh invite, and wait until the check-in screen is ready."""
    page.goto(site.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_role("link", name="Join with an invite").click()
    page.get_by_label("Invite code").fill(site.invite())
    page.get_by_label("What should your peer worker call you? (optional)").fill("Sam")
    page.get_by_label("Choose a username").fill(username)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Check in", exact=True)).to_be_visible()
    expect(page.locator(STATUS)).to_have_text("All saved")


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(site.url + "/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Check in", exact=True)).to_be_visible()


def wait_for_service_worker(page: Page) -> None:
    """The worker is active, so the shell is precached and a reload works offline."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def check_in(page: Page, *, hope: int, active_days: int, note: str | None = None) -> None:
    """Fill in the brief check-in and save it."""
    page.locator(f"#alongside-checkin--hope_weeks_ahead-{hope}").check()
    page.locator(f"#alongside-checkin--active_days-{active_days}").check()
    if note:
        page.get_by_label("A note for yourself (optional)").fill(note)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status").filter(has_text="Saved on this phone")).to_be_visible()


def go(page: Page, screen: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=screen).click()


def hope_of(change: dict) -> int:
    """The hope answer of a pulled check-in."""
    (response,) = [r for r in change["data"]["responses"] if r["instrument"] == "alongside-checkin"]
    return int(response["answers"]["hope_weeks_ahead"])


def very_low_check_in(page: Page, *, share: bool, note: str = "Rough week. Not sleeping.") -> None:
    """Every trust and hope answer 0, no active days; shared only if asked. Not waited on."""
    for item in ("trust_peer_worker", "trust_understood", "hope_weeks_ahead", "hope_self_care"):
        page.locator(f"#alongside-checkin--{item}-0").check()
    page.locator("#alongside-checkin--active_days-0").check()
    page.get_by_label("A note for yourself (optional)").fill(note)
    if share:
        page.get_by_label("Share this check-in with my peer worker").check()
    page.get_by_role("button", name="Save check-in").click()
