"""A real scheduler process running one slow probe job every second (for the lock test).

Run as ``python -m tests.support.scheduler_probe SECONDS`` with ALONGSIDE_* set; it stops
after SECONDS. Each probe run takes 1.5 s, longer than its interval, so two processes
started together contend for the job's lock.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from server import create_app
from server.scheduler.jobs import JobContext
from server.scheduler.process import build_scheduler
from server.scheduler.registry import JobSpec


def slow_probe(context: JobContext) -> dict[str, int]:
    time.sleep(1.5)
    return {"slept_ms": 1500}


def every_second(config: Mapping[str, Any]) -> IntervalTrigger:
    return IntervalTrigger(seconds=1)


def main() -> None:
    app = create_app()
    scheduler = build_scheduler(
        app, background=True, jobs=[JobSpec("probe", slow_probe, every_second, "lock probe")]
    )
    scheduler.start()
    time.sleep(float(sys.argv[1]))
    scheduler.shutdown(wait=True)


if __name__ == "__main__":
    main()
