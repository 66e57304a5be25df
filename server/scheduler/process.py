"""APScheduler wiring: a persistent job store in the app's database, jobs from the registry.

APScheduler only decides *when*; ``run_job`` takes the database lock, so several scheduler
processes sharing one job store still run each job once at a time (DESIGN.md §8).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from server.database import READ_ONLY
from server.extensions import current_session, db
from server.scheduler.jobs import run_job
from server.scheduler.models import ScheduledJob
from server.scheduler.registry import JOBS, JobSpec

log = logging.getLogger(__name__)
# The app and jobs this process schedules. Stored jobs name a function, not an app, so
# the function finds them here.
_scheduled_app: Flask | None = None
_scheduled_jobs: dict[str, JobSpec] = {}
MEMORY = "memory"


def run_scheduled(job: str) -> None:
    """Entry point APScheduler calls (by reference, from the persistent store)."""
    spec = _scheduled_jobs.get(job)
    if _scheduled_app is None or spec is None:
        log.error("scheduled job %s is not known to this process", job)
        return
    if spec.has_work is not None and not _has_work(_scheduled_app, spec):
        return
    outcome = run_job(_scheduled_app, job, spec.function)
    log.info("job %s %s %s", job, outcome.status, outcome.stats)


def _has_work(app: Flask, spec: JobSpec) -> bool:
    assert spec.has_work is not None
    with app.app_context():
        # A reader: on SQLite an idle check every few seconds must not take the write lock.
        session = current_session()
        session.connection(execution_options=READ_ONLY)
        try:
            return spec.has_work(session)
        finally:
            session.rollback()


def build_scheduler(
    app: Flask, *, background: bool, jobs: Sequence[JobSpec] = JOBS
) -> BaseScheduler:
    """A scheduler for ``app`` with ``jobs`` (every registered job by default); not started."""
    global _scheduled_app
    _scheduled_app = app
    _scheduled_jobs.clear()
    _scheduled_jobs.update((spec.name, spec) for spec in jobs)
    with app.app_context():
        engine = db.engine
    store = SQLAlchemyJobStore(engine=engine, tablename=ScheduledJob.__tablename__)
    kind = BackgroundScheduler if background else BlockingScheduler
    scheduler = kind(
        jobstores={"default": store, MEMORY: MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=2)},
        # A job missed while no scheduler ran (a restart, a laptop asleep) runs once on return.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 6 * 3600},
        timezone=UTC,
    )
    for spec in jobs:
        scheduler.add_job(
            run_scheduled,
            trigger=spec.trigger(app.config),
            args=[spec.name],
            id=spec.name,
            name=spec.description,
            jobstore=MEMORY if spec.frequent else "default",
            replace_existing=True,
        )
    return scheduler
