"""A running server (gunicorn, two workers) picks up a rotated key file without a restart."""

from __future__ import annotations

import httpx

from server.accounts.models import Role
from server.extensions import db
from server.keys import rotation
from tests.support.factories import PASSWORD, make_user
from tests.support.live_server import LiveServer


def join(server: LiveServer, peer_token: str, username: str, display_name: str) -> str:
    headers = {"Authorization": f"Bearer {peer_token}"}
    code = httpx.post(f"{server.url}/api/v1/invites", json={}, headers=headers).json()["code"]
    joined = httpx.post(
        f"{server.url}/api/v1/auth/register",
        json={
            "invite_code": code,
            "username": username,
            "password": PASSWORD,
            "display_name": display_name,
        },
    )
    assert joined.status_code == 201, joined.text
    return str(joined.json()["token"])


def names_seen(server: LiveServer, tokens: dict[str, str]) -> dict[str, str]:
    # Several rounds, so both workers answer.
    seen = {}
    for _ in range(4):
        for name, token in tokens.items():
            response = httpx.get(
                f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200, response.text
            seen[name] = response.json()["display_name"]
    return seen


def test_workers_use_a_key_another_process_rotated_in(committed_database, keyed_app, tmp_path):
    operator = keyed_app()  # creates <instance>/keys.json with version 1
    with operator.app_context():
        make_user(db.session, Role.PEER_WORKER, username="pat-live")
        db.session.commit()
        db.session.remove()
    with LiveServer(database_url=committed_database.url, instance_path=tmp_path, keys="") as server:
        login = {"username": "pat-live", "password": PASSWORD}
        peer = httpx.post(f"{server.url}/api/v1/auth/login", json=login).json()["token"]
        tokens = {"early": join(server, peer, "early-live", "Early")}

        rotated = operator.test_cli_runner().invoke(args=["keys", "rotate", "--retire-old"])
        assert rotated.exit_code == 0, rotated.output  # the file now holds version 2 only

        tokens["late"] = join(server, peer, "late-live", "Late")
        assert names_seen(server, tokens) == {"early": "Early", "late": "Late"}
    with operator.app_context():
        counts = rotation.wrapped_counts(db.session)
        assert set(counts) == {2}, counts  # the late key too: no worker wrapped under 1
        assert counts[2] >= 2
        db.session.remove()
