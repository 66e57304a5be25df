"""``alongside demo`` loads its accounts once and prints working credentials."""

from __future__ import annotations

import stat
from pathlib import Path

import sqlalchemy as sa

from server.accounts.models import PeerLink, User
from tests.support.api import sign_in


def test_demo_loads_once_and_its_passwords_work(runner, client, session, app):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert "Loaded the demo" in first.output
    assert "already loaded" in second.output
    roles = dict(session.execute(sa.select(User.username, User.role)).all())
    assert roles == {
        "demo-admin": "admin",
        "demo-peer": "peer_worker",
        "demo-alex": "service_user",
        "demo-bea": "service_user",
        "demo-cal": "service_user",
        "demo-researcher": "researcher",
    }
    assert session.scalar(sa.select(sa.func.count()).select_from(PeerLink)) == 3
    credentials = Path(app.instance_path) / "demo-accounts.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    password = next(line.split()[-1] for line in second.output.splitlines() if "demo-alex" in line)
    me = sign_in(client, "demo-alex", password).get("/api/v1/me").get_json()
    assert me["peer_worker"]["username"] == "demo-peer"
    assert me["consents"]["research"]["granted"] is True
