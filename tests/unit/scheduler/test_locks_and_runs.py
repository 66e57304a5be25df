"""Jobs run once at a time across processes, and every run is recorded."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server import create_app
from server.accounts.models import Role
from server.clock import utcnow
from server.extensions import db
from server.scheduler import locks
from server.scheduler.jobs import run_job
from server.scheduler.models import JobRun
from tests.conftest import TEST_KEYS
from tests.support.factories import make_user


@pytest.fixture
def committed_app(committed_database, tmp_path):
    app = create_app(
        {"DATABASE_URL": committed_database.url, "KEYS": TEST_KEYS, "TESTING": True},
        environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def runs(app, job):
    with app.app_context():
        rows = db.session.scalars(sa.select(JobRun).where(JobRun.job == job)).all()
        db.session.remove()
        return rows


def test_a_second_holder_is_refused_until_the_first_lets_go(committed_app):
    with committed_app.app_context():
        engine = db.engine
        with locks.job_lock(engine, "demo-job", holder="a", clock=utcnow) as first:
            with locks.job_lock(engine, "demo-job", holder="b", clock=utcnow) as second:
                assert first is True
                assert second is False
            with locks.job_lock(engine, "other-job", holder="b", clock=utcnow) as unrelated:
                assert unrelated is True
        with locks.job_lock(engine, "demo-job", holder="b", clock=utcnow) as after:
            assert after is True


def test_a_crashed_holder_does_not_block_the_job_for_ever(committed_app, backend):
    with committed_app.app_context():
        engine = db.engine
        if backend == "sqlite":
            # A crashed holder leaves its lease row behind; it is taken over once expired.
            assert locks._take_lease(engine, "demo-job", "crashed", utcnow())
            later = utcnow() + locks.LEASE + timedelta(seconds=1)
            with locks.job_lock(engine, "demo-job", holder="b", clock=utcnow) as too_soon:
                assert too_soon is False
            with locks.job_lock(engine, "demo-job", holder="b", clock=lambda: later) as taken:
                assert taken is True
            return
        # PostgreSQL: the advisory lock dies with the holder's connection.
        holder = engine.connect()
        schema = holder.execute(sa.text("SELECT current_schema()")).scalar_one()
        key = locks.advisory_key("demo-job", schema)
        holder.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
        pid = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        holder.commit()
        with locks.job_lock(engine, "demo-job", holder="b", clock=utcnow) as too_soon:
            assert too_soon is False
        with engine.connect() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
            # Termination is asynchronous: the lock goes only once the backend has exited.
            _wait_until_gone(admin, pid)
        holder.invalidate()
        holder.close()
        with locks.job_lock(engine, "demo-job", holder="b", clock=utcnow) as taken:
            assert taken is True


def _wait_until_gone(admin: sa.Connection, pid: int) -> None:
    deadline = time.monotonic() + 10
    query = sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
    while admin.execute(query, {"pid": pid}).scalar_one():
        admin.rollback()  # a fresh snapshot of pg_stat_activity on the next look
        assert time.monotonic() < deadline, "the terminated backend did not exit"
        time.sleep(0.05)


def test_run_job_records_done_failed_and_skipped(committed_app):
    assert run_job(committed_app, "demo-job", lambda context: {"things": 3}).status == "done"

    def broken(context):
        raise RuntimeError("no personal data in this message")

    assert run_job(committed_app, "demo-job", broken).status == "failed"
    with (
        committed_app.app_context(),
        locks.job_lock(db.engine, "demo-job", holder="elsewhere", clock=utcnow),
    ):
        skipped = run_job(committed_app, "demo-job", lambda context: {"things": 1})
    assert skipped.status == "skipped"
    recorded = sorted(runs(committed_app, "demo-job"), key=lambda run: run.started_at)
    assert [(run.status, run.stats) for run in recorded] == [
        ("done", {"things": 3}),
        ("failed", {}),
        ("skipped", {}),
    ]
    assert all(run.finished_at is not None for run in recorded)


def test_a_failed_job_leaves_nothing_half_written(committed_app):
    def half_then_fail(context):
        make_user(context.session, Role.ADMIN, username="halfway")
        context.session.flush()
        raise RuntimeError("stop")

    assert run_job(committed_app, "demo-job", half_then_fail).status == "failed"
    with committed_app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM users")) == 0
        db.session.remove()


@pytest.mark.slow
def test_two_scheduler_processes_never_run_a_job_at_the_same_time(
    committed_database, committed_app, tmp_path
):
    env = {
        "PATH": os.environ["PATH"],
        "ALONGSIDE_DATABASE_URL": committed_database.url,
        "ALONGSIDE_INSTANCE_PATH": str(tmp_path),
        "ALONGSIDE_KEYS": TEST_KEYS,
    }
    command = [sys.executable, "-m", "tests.support.scheduler_probe", "8"]
    processes = [
        subprocess.Popen(command, env=env, cwd=os.getcwd(), stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for process in processes:
        _, errors = process.communicate(timeout=60)
        assert process.returncode == 0, errors.decode()

    recorded = runs(committed_app, "probe")
    done = sorted((r for r in recorded if r.status == "done"), key=lambda r: r.started_at)
    assert len(done) >= 3
    assert any(r.status == "skipped" for r in recorded), "the processes never contended"
    assert len({r.holder for r in recorded}) == 2
    for earlier, later in itertools.pairwise(done):
        assert earlier.finished_at <= later.started_at, "two runs of one job overlapped"
