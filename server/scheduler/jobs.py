"""What a job gets to work with, and how one run is recorded (CONVENTIONS.md 10)."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from server.clock import utcnow
from server.extensions import current_session, db
from server.scheduler.locks import job_lock
from server.scheduler.models import JobRun

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def _no_progress(done: int, total: int) -> None:
    """Progress is only shown by ``alongside aggregate``."""


@dataclass
class JobContext:
    """A job's database session, settings and clock. Jobs commit their own batches."""

    session: Session
    config: Mapping[str, Any]
    now: datetime
    progress: Progress = field(default=_no_progress)


JobFunction = Callable[[JobContext], dict[str, int]]


@dataclass(frozen=True)
class JobOutcome:
    """How a run ended: ``done``, ``skipped`` (another process holds the lock) or ``failed``."""

    job: str
    status: str
    stats: dict[str, int]


def process_holder() -> str:
    """Names this process in lock rows and job runs (host and pid, nothing personal)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _record(job: str, holder: str, status: str, now: datetime) -> JobRun:
    run = JobRun(job=job, holder=holder, started_at=now, status=status, stats={})
    current_session().add(run)
    current_session().commit()
    return run


def run_job(
    app: Flask,
    job: str,
    function: JobFunction,
    *,
    progress: Progress = _no_progress,
    clock: Callable[[], datetime] = utcnow,
) -> JobOutcome:
    """Run ``function`` once under the job's lock, recording the run; never raises."""
    holder = process_holder()
    with app.app_context(), job_lock(db.engine, job, holder=holder, clock=clock) as acquired:
        if not acquired:
            run = _record(job, holder, "skipped", clock())
            run.finished_at = run.started_at
            current_session().commit()
            return JobOutcome(job, "skipped", {})
        run = _record(job, holder, "running", clock())
        context = JobContext(current_session(), app.config, clock(), progress)
        try:
            stats = function(context)
        except Exception as exc:  # a failed run is recorded, and the next run retries
            current_session().rollback()
            log.exception("job %s failed: %s", job, type(exc).__name__)
            run.status, run.stats, run.finished_at = "failed", {}, clock()
            current_session().add(run)
            current_session().commit()
            return JobOutcome(job, "failed", {})
        run.status, run.stats, run.finished_at = "done", dict(stats), clock()
        current_session().add(run)
        current_session().commit()
        return JobOutcome(job, "done", dict(stats))
