"""``alongside demo`` leaves the peer worker a caseload with summaries to read."""

from __future__ import annotations

from tests.support.api import sign_in


def test_demo_peer_worker_sees_summaries_of_shared_check_ins(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Person summaries: 3 people." in result.output
    password = next(line.split()[-1] for line in result.output.splitlines() if "demo-peer" in line)
    peer = sign_in(client, "demo-peer", password)

    people = peer.get("/api/v1/peer/people").get_json()["people"]
    assert sorted(p["username"] for p in people) == ["demo-alex", "demo-bea", "demo-cal"]
    for person in people:
        summary = peer.get(f"/api/v1/peer/people/{person['id']}/summary").get_json()
        assert summary["computed_at"] is not None
        measures = [m for section in summary["sections"] for m in section["measures"]]
        assert measures, person["username"]
