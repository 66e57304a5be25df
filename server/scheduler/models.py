"""Job bookkeeping: runs, the SQLite lock rows, and APScheduler's persistent job store."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base, new_id


class JobRun(Base):
    """One run of a scheduled job: when, by which process, how it ended, and its counts."""

    __tablename__ = "job_runs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    job: Mapped[str] = mapped_column(sa.String(60), index=True)
    holder: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(sa.String(20))
    # Counts and codes only: never names, content or ids of people.
    stats: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class JobLease(Base):
    """The lock row SQLite uses so one process at a time runs a job (PostgreSQL: advisory lock)."""

    __tablename__ = "job_leases"

    job: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(80))
    expires_at: Mapped[datetime]


class ScheduledJob(Base):
    """APScheduler's own job-store table, declared here so migrations own it."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(sa.Unicode(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(sa.Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(sa.LargeBinary)
