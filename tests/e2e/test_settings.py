"""Settings end to end: research consent, download my data, sign out and account deletion."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.flows import check_in, go, join, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LOCAL_COPY = """async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('alongside');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const count = (store) => new Promise((resolve) => {
    if (!db.objectStoreNames.contains(store)) return resolve(0);
    const request = db.transaction(store).objectStore(store).count();
    request.onsuccess = () => resolve(request.result);
  });
  const metaKeys = await new Promise((resolve) => {
    const request = db.transaction('meta').objectStore('meta').getAllKeys();
    request.onsuccess = () => resolve(request.result);
  });
  // The help contacts are fetched again once signed out (anonymous: the national ones),
  // so help stays one tap away; they say nothing about the person.
  const result = {
    checkins: await count('checkins'),
    meta: metaKeys.filter((key) => key !== 'support').length,
  };
  db.close();
  return result;
}"""


def _me(site, username: str) -> dict:
    token = site._token(username, PASSWORD)
    return httpx.get(
        site.server.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    ).json()


def test_consent_download_sign_out_and_delete(site, new_context, csp, tmp_path):
    page = csp.attach(new_context(accept_downloads=True).new_page())
    join(page, site, "sam-settings")
    check_in(page, hope=6, active_days=2, note="only mine")
    expect(page.locator("#sync-status")).to_have_text("All saved")
    go(page, "Settings")

    assert _me(site, "sam-settings")["consents"]["research"]["granted"] is False
    page.get_by_label("Count my answers in research").check()
    expect(
        page.get_by_text("Thank you. Your answers can now be counted in research.")
    ).to_be_visible()
    assert _me(site, "sam-settings")["consents"]["research"]["granted"] is True

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    saved = tmp_path / "export.json"
    download.value.save_as(saved)
    exported = json.loads(saved.read_text())
    assert exported["account"]["username"] == "sam-settings"
    assert [c["data"]["note"] for c in exported["checkins"]] == ["only mine"]

    # Signing out wipes the phone's copy.
    assert page.evaluate(LOCAL_COPY)["checkins"] == 1
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate(LOCAL_COPY) == {"checkins": 0, "meta": 0}

    # Signing in again brings the check-in back from the server; then delete the account.
    sign_in(page, site, "sam-settings")
    go(page, "History")
    expect(page.locator(".checkin-card")).to_have_count(1)
    go(page, "Settings")
    page.get_by_label("Your password, to confirm").fill("not my password")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.locator("#delete_password-error")).to_be_visible()
    page.get_by_label("Your password, to confirm").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(
        page.get_by_role("status").filter(has_text="Your account has been deleted")
    ).to_be_visible()
    assert page.evaluate(LOCAL_COPY) == {"checkins": 0, "meta": 0}
    refused = httpx.post(
        site.server.url + "/api/v1/auth/login",
        json={"username": "sam-settings", "password": PASSWORD},
    )
    assert refused.status_code == 401
    assert csp.violations == []
