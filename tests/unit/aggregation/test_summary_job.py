"""The person-summary job: both views, incremental, tombstones excluded, resumable, sealed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from server.aggregation.jobs import (
    refresh_due_summaries,
    refresh_person_summaries,
    run_summaries,
)
from server.aggregation.models import PersonSummary, View
from server.aggregation.service import stored_summary
from server.scheduler.process import MEMORY, build_scheduler
from server.scheduler.registry import find
from tests.support.factories import make_service_user
from tests.unit.aggregation.checkins import checkin_answers, job_context, push, who5_answers

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Stop(Exception):
    """Stands in for the process being killed between two batches."""


def week(n: int) -> datetime:
    return NOW - timedelta(weeks=n)


def documents(session):
    rows = session.scalars(sa.select(PersonSummary).order_by(PersonSummary.user_id)).all()
    return {(row.user_id, row.view): (row.source_seq, row.document) for row in rows}


def test_shared_view_reads_shared_check_ins_only_and_own_view_reads_all(app, session):
    person = make_service_user(session)
    with app.app_context():
        push(session, person, recorded_at=week(3), who5=who5_answers(4), checkin=checkin_answers(8))
        push(session, person, recorded_at=week(2), who5=who5_answers(1), shared=False)
        push(session, person, recorded_at=week(1), checkin=checkin_answers(6))
        stats = refresh_person_summaries(job_context(app, session, NOW))
    assert stats == {"people": 1, "batches": 1, "concerns_raised": 0}

    shared = stored_summary(session, user_id=person.id, view=View.SHARED)
    own = stored_summary(session, user_id=person.id, view=View.OWN)
    assert shared["checkins"]["total"] == 2
    assert own["checkins"]["total"] == 3
    assert shared["measures"]["who5@1/wellbeing"]["latest"] == 80.0
    assert own["measures"]["who5@1/wellbeing"]["latest"] == 20.0
    assert own["measures"]["who5@1/wellbeing"]["reliable_change"] == "worse"
    assert shared["measures"]["alongside-checkin@1/hope"]["count"] == 2
    assert shared["computed_at"] == "2026-11-23T12:00:00Z"


def test_deleted_check_ins_are_left_out(app, session):
    person = make_service_user(session)
    with app.app_context():
        gone = push(session, person, recorded_at=week(2), who5=who5_answers(0))
        push(session, person, recorded_at=week(1), who5=who5_answers(3))
        push(
            session,
            person,
            recorded_at=NOW - timedelta(days=1),
            op="delete",
            checkin_id=uuid.UUID(str(gone["id"])),
            base_rev=gone["rev"],
        )
        refresh_person_summaries(job_context(app, session, NOW))
    own = stored_summary(session, user_id=person.id, view=View.OWN)
    assert own["checkins"]["total"] == 1
    assert own["measures"]["who5@1/wellbeing"]["baseline"] == 60.0


def test_only_people_whose_feed_moved_are_recomputed(app, session):
    people = [make_service_user(session) for _ in range(3)]
    with app.app_context():
        for person in people:
            push(session, person, recorded_at=week(2), checkin=checkin_answers(5))
        assert refresh_person_summaries(job_context(app, session, NOW))["people"] == 3
        before = documents(session)
        assert refresh_person_summaries(job_context(app, session, NOW))["people"] == 0

        push(session, people[1], recorded_at=week(1), checkin=checkin_answers(9), shared=False)
        later = NOW + timedelta(minutes=15)
        assert refresh_person_summaries(job_context(app, session, later))["people"] == 1
    after = documents(session)
    for person in (people[0], people[2]):
        for view in ("own", "shared"):
            assert after[(person.id, view)] == before[(person.id, view)]
    seq, own = after[(people[1].id, "own")]
    assert seq == before[(people[1].id, "own")][0] + 1
    assert own["checkins"]["total"] == 2
    # The unshared check-in moved the watermark but not what the peer worker sees.
    _, shared = after[(people[1].id, "shared")]
    assert shared["measures"] == before[(people[1].id, "shared")][1]["measures"]


def test_a_summary_a_day_old_is_recomputed_even_without_new_check_ins(app, session):
    person = make_service_user(session)
    with app.app_context():
        push(session, person, recorded_at=NOW - timedelta(days=27), checkin=checkin_answers(5))
        refresh_person_summaries(job_context(app, session, NOW))
        first = stored_summary(session, user_id=person.id, view=View.OWN)
        assert first["measures"]["alongside-checkin@1/hope"]["n_4w"] == 1
        next_day = NOW + timedelta(hours=25)
        assert refresh_person_summaries(job_context(app, session, next_day))["people"] == 1
    own = stored_summary(session, user_id=person.id, view=View.OWN)
    assert own["measures"]["alongside-checkin@1/hope"]["n_4w"] == 0  # now over 4 weeks old


def test_killed_after_a_batch_then_run_again_equals_one_clean_run(app, session):
    people = [make_service_user(session) for _ in range(5)]
    with app.app_context():
        for index, person in enumerate(people):
            for n in range(4):
                push(
                    session,
                    person,
                    recorded_at=week(6 - n) + timedelta(hours=index),
                    checkin=checkin_answers((index + n * 3) % 11),
                    who5=who5_answers((index + n) % 6),
                    shared=(index + n) % 3 != 0,
                )
        run_summaries(job_context(app, session, NOW), batch_size=2)
        clean = documents(session)
        session.execute(sa.delete(PersonSummary))

        def killed(done, total):
            if done > 0:
                raise Stop

        with pytest.raises(Stop):
            run_summaries(job_context(app, session, NOW, progress=killed), batch_size=2)
        session.rollback()  # what a killed process leaves: only the committed batch
        assert len(documents(session)) == 2 * 2
        resumed = run_summaries(job_context(app, session, NOW), batch_size=2)
    assert resumed == {"people": 3, "batches": 2, "concerns_raised": 0}
    assert documents(session) == clean
    assert len(clean) == 5 * 2


def test_summaries_are_sealed_at_rest(app, session):
    person = make_service_user(session)
    with app.app_context():
        push(session, person, recorded_at=week(1), who5=who5_answers(2))
        refresh_person_summaries(job_context(app, session, NOW))
    raw = session.execute(sa.select(PersonSummary.document_sealed)).scalars().all()
    assert len(raw) == 2
    for token in raw:
        assert b"wellbeing" not in token
        assert b"who5" not in token


def test_the_job_is_registered_to_run_every_summary_interval(app):
    spec = find("person-summaries")
    trigger = spec.trigger({"SUMMARY_INTERVAL_MINUTES": 15})
    assert trigger.interval == timedelta(minutes=15)
    assert find("cohort-aggregates").trigger({"NIGHTLY_HOUR_UTC": 2}) is not None


def test_the_feedback_job_runs_every_few_seconds_from_memory_and_skips_idle_runs(app, session):
    spec = find("feedback")
    assert spec.trigger({"FEEDBACK_INTERVAL_SECONDS": 2}).interval == timedelta(seconds=2)
    assert spec.frequent
    assert not find("person-summaries").frequent
    scheduler = build_scheduler(app, background=True, jobs=[spec])
    assert scheduler.get_job("feedback", jobstore=MEMORY) is not None
    assert spec.has_work is not None
    assert spec.has_work(session) is False
    person = make_service_user(session)
    with app.app_context():
        push(session, person, recorded_at=week(1), who5=who5_answers(2))
        assert spec.has_work(session) is True
        stats = refresh_due_summaries(job_context(app, session, NOW))
    assert stats["people"] == 1
    assert spec.has_work(session) is False
    assert session.scalar(sa.select(sa.func.count()).select_from(PersonSummary)) == 2
