"""Every scheduled job, in one place: what runs, and how often (DESIGN.md §8)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from server.accounts import jobs as account_jobs
from server.aggregation.jobs import refresh_due_summaries, refresh_person_summaries
from server.aggregation.service import any_due
from server.checkins import jobs as checkin_jobs
from server.erasure import jobs as erasure_jobs
from server.research.jobs import refresh_cohort_aggregates
from server.scheduler.jobs import JobContext, JobFunction


@dataclass(frozen=True)
class JobSpec:
    """A job's name, its function, and its trigger built from the app's settings."""

    name: str
    function: JobFunction
    trigger: Callable[[Mapping[str, Any]], BaseTrigger]
    description: str
    # For jobs that run every few seconds: a cheap read that says whether there is work,
    # so an idle run takes no lock and records no run. Such jobs are kept in memory, not
    # in the job store, so the store is not rewritten every few seconds either.
    has_work: Callable[[Session], bool] | None = None

    @property
    def frequent(self) -> bool:
        return self.has_work is not None


def housekeeping(context: JobContext) -> dict[str, int]:
    """Remove ended sessions, spent invites and stale rate-limit counters."""
    window = timedelta(seconds=context.config["LOGIN_WINDOW_SECONDS"])
    counts = {
        "sessions_purged": account_jobs.purge_ended_sessions(context.session, now=context.now),
        "invites_purged": account_jobs.purge_spent_invites(context.session, now=context.now),
        "counters_purged": account_jobs.purge_rate_limit_counters(
            context.session, now=context.now, window=window
        ),
    }
    context.session.commit()
    context.progress(1, 1)
    return counts


def purge_tombstones(context: JobContext) -> dict[str, int]:
    """Purge tombstones and sync change records older than TOMBSTONE_RETENTION_DAYS."""
    retention = timedelta(days=context.config["TOMBSTONE_RETENTION_DAYS"])
    stats = checkin_jobs.purge_tombstones(context.session, now=context.now, retention=retention)
    context.session.commit()
    context.progress(1, 1)
    return stats


def erasure_rotation(context: JobContext) -> dict[str, int]:
    """After erasures, rotate the key and retire the versions that wrapped erased data keys."""
    wait = timedelta(hours=context.config["ERASURE_ROTATION_HOURS"])
    stats = erasure_jobs.rotate_after_erasures(context.session, now=context.now, wait=wait)
    context.session.commit()
    context.progress(1, 1)
    return stats


def _hourly(config: Mapping[str, Any]) -> BaseTrigger:
    # Checks are cheap; the wait before rotating is ERASURE_ROTATION_HOURS, so the erasure
    # horizon is that plus at most this hour (README, security).
    return IntervalTrigger(hours=1, timezone="UTC")


def _nightly(minute: int) -> Callable[[Mapping[str, Any]], BaseTrigger]:
    def trigger(config: Mapping[str, Any]) -> BaseTrigger:
        return CronTrigger(hour=config["NIGHTLY_HOUR_UTC"], minute=minute, timezone="UTC")

    return trigger


def _every_summary_interval(config: Mapping[str, Any]) -> BaseTrigger:
    return IntervalTrigger(minutes=config["SUMMARY_INTERVAL_MINUTES"], timezone="UTC")


def _every_feedback_interval(config: Mapping[str, Any]) -> BaseTrigger:
    return IntervalTrigger(seconds=config["FEEDBACK_INTERVAL_SECONDS"], timezone="UTC")


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "feedback",
        refresh_due_summaries,
        _every_feedback_interval,
        "summaries and concerns of people who just checked in",
        has_work=any_due,
    ),
    JobSpec(
        "person-summaries",
        refresh_person_summaries,
        _every_summary_interval,
        "every summary due (the safety net behind feedback)",
    ),
    JobSpec(
        "cohort-aggregates",
        refresh_cohort_aggregates,
        _nightly(15),
        "disclosure-controlled research exports",
    ),
    JobSpec("housekeeping", housekeeping, _nightly(45), "ended sessions, spent invites, counters"),
    JobSpec("erasure-rotation", erasure_rotation, _hourly, "retire keys that wrapped erased data"),
    JobSpec("purge-tombstones", purge_tombstones, _nightly(50), "tombstones and sync records"),
)


def find(name: str) -> JobSpec:
    """The job called ``name``."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise LookupError(name)
