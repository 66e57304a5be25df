"""The 10-second path, with real processes: a push through ``alongside serve`` reaches the peer
worker's caseload through ``alongside scheduler``'s feedback job (README, running in production)."""

from __future__ import annotations

import subprocess
import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.live_server import ALONGSIDE, LiveServer
from tests.unit.aggregation.checkins import checkin_answers, who5_answers

pytestmark = pytest.mark.slow
PASSWORD = "a long enough password"


def _cli(server: LiveServer, *args: str, stdin: str = "") -> None:
    subprocess.run(
        [ALONGSIDE, *args],
        input=stdin,
        env=server.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _token(server: LiveServer, username: str) -> dict[str, str]:
    response = httpx.post(
        server.url + "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _very_low_checkin() -> dict:
    now = datetime.now(UTC).isoformat()
    return {
        "change_id": str(uuid.uuid4()),
        "id": str(uuid.uuid4()),
        "op": "put",
        "base_rev": None,
        "changed_at": now,
        "data": {
            "recorded_at": now,
            "shared": True,
            "note": "feel like giving up",
            "responses": [
                {"instrument": "alongside-checkin", "version": 1, "answers": checkin_answers(0)},
                {"instrument": "who5", "version": 1, "answers": who5_answers(0)},
            ],
        },
    }


def test_a_low_shared_check_in_reaches_the_caseload_within_ten_seconds(live_server):
    server = live_server(workers=2)
    _cli(server, "create-service", "Latency service")
    _cli(
        server,
        *("create-user", "--role", "peer_worker", "--username", "lat-peer"),
        *("--service", "Latency service", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    peer = _token(server, "lat-peer")
    code = httpx.post(server.url + "/api/v1/invites", json={}, headers=peer).json()["code"]
    joined = httpx.post(
        server.url + "/api/v1/auth/register",
        json={"invite_code": code, "username": "lat-person", "password": PASSWORD},
    )
    assert joined.status_code == 201, joined.text
    person = {"Authorization": f"Bearer {joined.json()['token']}"}
    server.start_scheduler()
    time.sleep(3)  # the scheduler process has started and run its first idle checks

    change = _very_low_checkin()
    pushed = httpx.post(
        server.url + "/api/v1/sync/push",
        json={"device_id": str(uuid.uuid4()), "changes": [change]},
        headers=person,
    )
    returned = time.monotonic()
    assert pushed.json()["results"][0]["status"] == "applied"
    while time.monotonic() - returned < 10:
        (entry,) = httpx.get(server.url + "/api/v1/peer/people", headers=peer).json()["people"]
        if entry["urgent"]:
            break
        time.sleep(0.2)
    waited = time.monotonic() - returned
    assert entry["urgent"] is True, f"no urgent flag {waited:.1f} s after the push"
    assert entry["events"][0]["kind"] == "urgent"
    assert entry["domains"][0]["latest"] == 0.0
