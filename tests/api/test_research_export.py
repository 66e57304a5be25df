"""Research export over HTTP and the CLI: researchers only, consenting people only, audited."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.accounts import service as accounts
from server.accounts.actor import Actor
from server.accounts.models import Role
from server.audit.models import AuditEvent
from server.clock import utcnow
from server.research.jobs import refresh_cohort_aggregates
from tests.support.api import sign_in
from tests.support.factories import make_service, make_service_user, make_user
from tests.unit.aggregation.checkins import checkin_answers, job_context, push, who5_answers

URL = "/api/v1/research/aggregates"
WHO5 = "who5@1/wellbeing"


@pytest.fixture
def cohort(app, session):
    """North: ten consenting people and one who never consented; South: nobody yet."""
    north = make_service(session, name="North")
    make_service(session, name="South")
    peer = make_user(session, Role.PEER_WORKER, username="pat-peer", service_id=north.id)
    make_user(session, Role.RESEARCHER, username="rae-research")
    make_user(session, Role.ADMIN, username="ada-admin")
    start = utcnow().replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    start = (start - timedelta(days=40)).replace(day=3)
    people = []
    with app.app_context():
        for index in range(11):
            person = make_service_user(session, peer_worker=peer, username=f"person{index}")
            if index < 10:
                accounts.set_research_consent(
                    session,
                    actor=Actor(person.id, Role.SERVICE_USER, north.id),
                    granted=True,
                    version=app.config["RESEARCH_CONSENT_VERSION"],
                    now=utcnow(),
                )
            # The one who never consented scores 0 every time: the mean shows if they count.
            each = 0 if index == 10 else 2 + index % 4
            for week in range(3):
                push(
                    session,
                    person,
                    recorded_at=start + timedelta(days=7 * week, hours=index),
                    checkin=checkin_answers(index % 11),
                    who5=who5_answers(each),
                    shared=index % 2 == 0,  # research counts shared and unshared alike
                )
            people.append(person)
    session.flush()
    month = start.strftime("%Y-%m")
    return {"people": people, "month": month, "north": north}


def cell(body, service, month, measure=WHO5):
    (found,) = [
        row
        for row in body["aggregates"]
        if (row["service"], row["period"], row["measure"]) == (service, month, measure)
    ]
    return found


@pytest.mark.parametrize(
    ("username", "status"),
    [("rae-research", 200), ("pat-peer", 403), ("person0", 403), ("ada-admin", 403), (None, 401)],
)
def test_only_researchers_download_exports(client, cohort, username, status):
    caller = sign_in(client, username) if username else client
    assert caller.get(f"{URL}?period=month").status_code == status


def test_cells_count_consenting_people_only(client, cohort):
    body = sign_in(client, "rae-research").get(f"{URL}?period=month").get_json()
    north = cell(body, "North", cohort["month"])
    assert north["n"] == 10
    assert north["suppressed"] is False
    # Person means are 20 x (2 + i % 4) for i in 0..9: 40, 60, 80, 100, ...; never 0.
    assert north["mean"] == pytest.approx(66.0)
    assert cell(body, "South", cohort["month"])["suppressed"] is True
    assert cell(body, "All services", cohort["month"])["n"] == 10
    assert body["manifest"]["disclosure_control"]["min_cell_people"] == 10
    assert body["codebook"]["measures"][WHO5]["instrument"] == "WHO-5 Well-Being Index"
    text = json.dumps(body)
    for person in cohort["people"]:
        assert str(person.id) not in text
        assert person.username not in text


def test_a_withdrawal_takes_effect_in_the_next_export_even_after_the_nightly_run(
    app, client, session, cohort
):
    researcher = sign_in(client, "rae-research")
    with app.app_context():
        refresh_cohort_aggregates(job_context(app, session, utcnow()))
    before = researcher.get(f"{URL}?period=month").get_json()
    assert cell(before, "North", cohort["month"])["n"] == 10

    withdrawn = sign_in(client, "person3").put(
        "/api/v1/me/consents/research", json={"granted": False}
    )
    assert withdrawn.status_code == 200

    after = researcher.get(f"{URL}?period=month").get_json()
    for service in ("North", "All services"):
        row = cell(after, service, cohort["month"])
        assert row["suppressed"] is True  # nine people are fewer than k
        assert row["n"] is None
        assert row["mean"] is None
    sources = session.scalars(
        sa.select(AuditEvent.details)
        .where(AuditEvent.action == "research.export")
        .order_by(AuditEvent.seq)
    ).all()
    assert [d["source"] for d in sources] == ["stored", "computed"]


def test_csv_export_is_a_zip_with_codebook_and_manifest(client, cohort):
    response = sign_in(client, "rae-research").get(f"{URL}?period=week&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = set(archive.namelist())
        assert names == {
            "alongside-week-aggregates.csv",
            "alongside-week-associations.csv",
            "alongside-week-codebook.json",
            "alongside-week-manifest.json",
        }
        rows = list(
            csv.DictReader(io.StringIO(archive.read("alongside-week-aggregates.csv").decode()))
        )
    assert all("-W" in row["period"] for row in rows)
    published = [row for row in rows if row["suppressed"] == "false"]
    assert published
    assert all(int(row["n"]) % 5 == 0 and int(row["n"]) >= 10 for row in published)


@pytest.mark.parametrize("query", ["", "?period=day", "?period=week&format=xlsx"])
def test_bad_parameters_get_422(client, cohort, query):
    response = sign_in(client, "rae-research").get(f"{URL}{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]


def test_cli_writes_every_file_and_is_audited(app, session, cohort, tmp_path, runner):
    result = runner.invoke(args=["export", "--out", str(tmp_path / "out"), "--period", "month"])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == [
        "alongside-month-aggregates.csv",
        "alongside-month-aggregates.json",
        "alongside-month-associations.csv",
        "alongside-month-codebook.json",
        "alongside-month-manifest.json",
    ]
    document = json.loads((tmp_path / "out" / "alongside-month-aggregates.json").read_text())
    assert cell(document, "North", cohort["month"])["n"] == 10
    actions = session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action == "research.export")
    ).all()
    assert actions == ["research.export"]
