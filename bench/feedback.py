"""Push -> flag latency (issue 13, "fresh within seconds"), on SQLite and PostgreSQL.

For each database it creates a scratch database (as ``bench/sync.py`` does), one service
of people each signed in on one phone, and a peer worker linked to them, then starts
``alongside serve`` (gunicorn) and ``alongside scheduler`` as production runs them: two
processes, the same settings. It measures:

- **push -> caseload**: one shared check-in at a time from one person's phone through
  ``POST /api/v1/sync/push``, one every 0.5-1.5 s at random (seeded), every person at
  least once; most are very low answers (every Alongside check-in item 0, WHO-5 all 0)
  that must raise "needs a conversation soon", the others ordinary answers. A separate
  thread asks ``GET /api/v1/peer/people`` as the peer worker every 100 ms. A push is seen
  when the person's entry shows it: the trust measure's ``latest_at`` has reached the
  check-in's time and, for a very low one, ``urgent`` is set by an urgent event about that
  check-in. Latency = the poll answer that first shows it - the push's own answer: p50,
  p95 and max. Target: p95 <= 10 s;
- **what the scheduler costs push**: single-check-in push latency, p50/p99, from paced
  concurrent clients (``bench/sync.py``'s measurement, smaller), once with no scheduler
  process and once with it running (its feedback job then recomputes those people's
  summaries every 2 s), and the difference; ``--rounds N`` repeats the pair, alternating
  which goes first, and adds the median difference;
- **what the due mark costs push**: the statements one single-check-in push runs,
  counted in-process. The "due" mark is a column of the feed UPDATE every push already
  made, so it adds no statement.

    .venv/bin/python bench/feedback.py [--backends sqlite,postgresql] [--people 25]
        [--pushes 60] [--low-share 0.8] [--seed 13] [--poll 0.1] [--clients 20]
        [--pushes-per-client 10] [--pause 2.0] [--rounds 1] [--timeout 60] [--workers 2]
        [--threads 4] [--keep-logs DIR]

About 4.5 minutes with the defaults (both backends).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import random
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
# Run as ``python bench/feedback.py``, this folder comes first on sys.path and
# bench/sync.py would hide the ``sync`` package the server imports. Drop that entry.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]


def _load_sync_bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_sync", HERE / "sync.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_sync"] = module
    spec.loader.exec_module(module)
    return module


bench = _load_sync_bench()

from server import create_app  # noqa: E402
from server.accounts import service as accounts  # noqa: E402
from server.accounts import sessions  # noqa: E402
from server.accounts.actor import Actor  # noqa: E402
from server.accounts.models import Role, User  # noqa: E402
from server.checkins.models import CheckinFeed  # noqa: E402
from server.checkins.push import push_changes  # noqa: E402
from server.clock import utcnow  # noqa: E402
from server.extensions import db  # noqa: E402
from server.instruments import current_registry  # noqa: E402
from server.scheduler.models import JobRun  # noqa: E402

TARGET_P95_S = 10.0
CHECKIN_ITEMS = (
    "trust_peer_worker",
    "trust_understood",
    "hope_weeks_ahead",
    "hope_self_care",
    "connection_people",
    "connection_asking_services",
)
WHO5_ITEMS = ("who5_cheerful", "who5_calm", "who5_active", "who5_rested", "who5_interest")


# -- set-up -------------------------------------------------------------------------------


def _app(scratch: Any) -> Any:
    return create_app(
        {"DATABASE_URL": scratch.url, "KEYS": scratch.keys},
        environ={"ALONGSIDE_INSTANCE_PATH": str(scratch.instance)},
    )


def peer_worker(scratch: Any, linked: list[Actor]) -> str:
    """A peer worker in the people's service, linked to each of them; their bearer token."""
    app = _app(scratch)
    with app.app_context():
        session = db.session
        now = utcnow()
        worker = accounts.create_user(
            session,
            role=Role.PEER_WORKER,
            username=f"benchpeer{secrets.token_hex(3)}",
            password=secrets.token_urlsafe(16),
            service_id=linked[0].service_id,
            password_min_length=10,
            now=now,
        )
        for actor in linked:
            person = session.get(User, actor.user_id)
            assert person is not None
            accounts.link_to_peer_worker(session, service_user=person, peer_worker=worker, now=now)
        signed_in = sessions.start_session(
            session, user=worker, device_label="bench", ttl=timedelta(days=1), now=now
        )
        session.commit()
        db.engine.dispose()
    return str(signed_in.token)


@contextmanager
def running_scheduler(scratch: Any) -> Iterator[int]:
    """``alongside scheduler`` on the scratch database, its own process group; yields its pid.

    The same environment as ``alongside serve`` in ``bench/sync.py`` (unbuffered, so its
    log in the instance folder is current if a run needs reading).
    """
    env = {**bench.process_env(scratch), "PYTHONUNBUFFERED": "1"}
    log = (scratch.instance / "scheduler.log").open("ab")
    process = subprocess.Popen(
        [bench.ALONGSIDE, "scheduler"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(0.5)
        if process.poll() is not None:
            raise RuntimeError(f"scheduler exited; see {scratch.instance / 'scheduler.log'}")
        bench.wait_until_idle(process.pid)
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def due_count(engine: sa.Engine) -> int:
    """People whose push still waits for the feedback job."""
    statement = sa.select(sa.func.count()).where(CheckinFeed.summary_due_at.is_not(None))
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def wait_until_nobody_due(engine: sa.Engine, timeout: float = 60.0) -> float:
    """Seconds until the scheduler has cleared every "due" mark."""
    started = time.monotonic()
    while due_count(engine):
        if time.monotonic() - started > timeout:
            raise RuntimeError("the scheduler did not clear the due marks within a minute")
        time.sleep(0.2)
    return time.monotonic() - started


# -- statements per push ------------------------------------------------------------------


@dataclass
class Statements:
    count: int
    feed_update_marks_due: bool


def push_statements(scratch: Any, actor: Actor) -> Statements:
    """Statements one single-check-in push runs in-process (its second: the first makes the
    feed row), and whether the feed UPDATE among them sets ``summary_due_at``."""
    app = _app(scratch)
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    device = str(uuid.uuid4())
    with app.app_context():
        registry, session = current_registry(), db.session
        for n in range(2):
            if n == 1:
                event.listen(db.engine, "before_cursor_execute", count)
            body = {"device_id": device, "changes": [change(utcnow(), low=False, rng=None)]}
            push_changes(session, actor=actor, body=body, registry=registry, now=utcnow())
            session.commit()
        event.remove(db.engine, "before_cursor_execute", count)
        db.engine.dispose()
    marks = any(
        s.lstrip().upper().startswith("UPDATE CHECKIN_FEEDS") and "summary_due_at" in s
        for s in seen
    )
    return Statements(len(seen), marks)


# -- push -> caseload ---------------------------------------------------------------------


def change(at: datetime, *, low: bool, rng: random.Random | None) -> dict[str, Any]:
    """A put of one new shared check-in recorded at ``at``: very low answers, or ordinary."""
    if low:
        answers: dict[str, Any] = {**dict.fromkeys(CHECKIN_ITEMS, 0), "active_days": 0}
    else:
        pick = rng or random.Random(0)
        answers = {item: pick.randint(4, 10) for item in CHECKIN_ITEMS}
        answers["active_days"] = pick.randint(1, 7)
    responses: list[dict[str, Any]] = [
        {"instrument": "alongside-checkin", "version": 1, "answers": answers}
    ]
    if low:
        responses.append(
            {"instrument": "who5", "version": 1, "answers": dict.fromkeys(WHO5_ITEMS, 0)}
        )
    return {
        "change_id": str(uuid.uuid4()),
        "id": str(uuid.uuid4()),
        "op": "put",
        "base_rev": None,
        "changed_at": datetime.now(UTC).isoformat(),
        "data": {
            "recorded_at": at.isoformat(),
            "shared": True,
            "note": None,
            "responses": responses,
        },
    }


@dataclass
class Push:
    person: str  # user id, as the caseload names them
    at: datetime  # the check-in's time, whole seconds (summaries keep seconds)
    low: bool
    returned: float = 0.0  # perf_counter when the push's answer arrived
    took: float = 0.0  # seconds the push took
    seen: float | None = None  # perf_counter when a poll answer first showed it

    @property
    def latency(self) -> float:
        assert self.seen is not None
        return self.seen - self.returned


def shows(entry: dict[str, Any], push: Push) -> bool:
    """Whether a caseload entry shows the push: trust's latest check-in is this one (or a
    later one) and, for very low answers, an urgent event about it (or a later one)."""
    trust = next((d for d in entry["domains"] if d["domain"] == "trust"), None)
    latest = trust and trust.get("latest_at")
    if not latest or datetime.fromisoformat(latest) < push.at:
        return False
    if not push.low:
        return True
    return entry["urgent"] and any(
        event["urgent"] and datetime.fromisoformat(event["at"]) >= push.at
        for event in entry["events"]
    )


class Poller(threading.Thread):
    """Asks for the caseload every ``interval`` seconds and marks outstanding pushes seen."""

    def __init__(self, url: str, token: str, interval: float) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.interval = url, token, interval
        self.outstanding: list[Push] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.request_times: list[float] = []
        self.error: BaseException | None = None

    def watch(self, push: Push) -> None:
        with self.lock:
            self.outstanding.append(push)

    def pending(self) -> int:
        with self.lock:
            return len(self.outstanding)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            with httpx.Client(base_url=self.url, headers=headers, timeout=30) as client:
                tick = time.perf_counter()
                while not self.stopping.is_set():
                    asked = time.perf_counter()
                    answer = client.get("/api/v1/peer/people")
                    answered = time.perf_counter()
                    answer.raise_for_status()
                    self.request_times.append(answered - asked)
                    entries = {e["id"]: e for e in orjson.loads(answer.content)["people"]}
                    with self.lock:
                        for push in list(self.outstanding):
                            entry = entries.get(push.person)
                            if entry is not None and shows(entry, push):
                                push.seen = answered
                                self.outstanding.remove(push)
                    # The next tick on the 100 ms grid (a slow answer skips ticks, never bunches).
                    behind = (time.perf_counter() - tick) / self.interval
                    tick += self.interval * max(1, math.ceil(behind))
                    self.stopping.wait(max(0.0, tick - time.perf_counter()))
        except BaseException as error:  # reported by the measuring thread
            self.error = error


def schedule(options: argparse.Namespace, people: int) -> list[tuple[int, bool, float]]:
    """(person, very low?, pause before) per push: everyone once, in a random order, then
    people at random; the same for every backend with the same seed."""
    rng = random.Random(options.seed)
    order = list(range(people))
    rng.shuffle(order)
    order += [rng.randrange(people) for _ in range(options.pushes - people)]
    return [(n, rng.random() < options.low_share, rng.uniform(0.5, 1.5)) for n in order]


@dataclass
class Feedback:
    pushes: list[Push]
    polls: list[float]
    started: datetime
    finished: datetime
    wall: float


def feedback_latency(
    url: str, phones: list[tuple[Actor, str]], peer_token: str, options: argparse.Namespace
) -> Feedback:
    poller = Poller(url, peer_token, options.poll)
    rng = random.Random(options.seed + 1)
    limits = httpx.Limits(keepalive_expiry=1.0)  # gunicorn closes idle connections after 2 s
    clients = [
        httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=60,
            limits=limits,
        )
        for _, token in phones
    ]
    devices = [str(uuid.uuid4()) for _ in phones]
    last_at: dict[int, datetime] = {}
    pushes: list[Push] = []
    started_at = utcnow()
    poller.start()
    time.sleep(1.0)  # a few polls first, so the poller is warm and steady
    started = time.perf_counter()
    try:
        for person, low, pause in schedule(options, len(phones)):
            time.sleep(pause)
            if poller.error:
                raise RuntimeError("the caseload poller failed") from poller.error
            now = datetime.now(UTC).replace(microsecond=0)
            previous = last_at.get(person)
            at = now if previous is None or now > previous else previous + timedelta(seconds=1)
            last_at[person] = at
            push = Push(str(phones[person][0].user_id), at, low)
            body = {"device_id": devices[person], "changes": [change(at, low=low, rng=rng)]}
            content = orjson.dumps(body)
            sent = time.perf_counter()
            answer = clients[person].post("/api/v1/sync/push", content=content)
            push.returned = time.perf_counter()
            push.took = push.returned - sent
            answer.raise_for_status()
            pushes.append(push)
            poller.watch(push)
        deadline = time.perf_counter() + options.timeout
        while poller.pending() and time.perf_counter() < deadline and not poller.error:
            time.sleep(0.1)
    finally:
        poller.stopping.set()
        poller.join(timeout=30)
        for client in clients:
            client.close()
    if poller.error:
        raise RuntimeError("the caseload poller failed") from poller.error
    return Feedback(
        pushes, poller.request_times, started_at, utcnow(), time.perf_counter() - started
    )


@dataclass
class Runs:
    done: int
    skipped: int
    failed: int
    durations: list[float]
    people: list[int]


def feedback_runs(engine: sa.Engine, since: datetime, until: datetime) -> Runs:
    """The feedback job's recorded runs in a window (idle ticks record no run)."""
    with Session(engine) as session:
        rows = session.scalars(
            sa.select(JobRun).where(
                JobRun.job == "feedback", JobRun.started_at >= since, JobRun.started_at <= until
            )
        ).all()
    done = [row for row in rows if row.status == "done"]
    return Runs(
        len(done),
        sum(row.status == "skipped" for row in rows),
        sum(row.status == "failed" for row in rows),
        [(row.finished_at - row.started_at).total_seconds() for row in done if row.finished_at],
        [int(row.stats.get("people", 0)) for row in done],
    )


# -- the run ------------------------------------------------------------------------------


def run_backend(backend: str, options: argparse.Namespace) -> dict[str, Any]:
    with bench.scratch_database(backend) as scratch:
        crowd = bench.people(scratch, options.people + options.clients + 1)
        phones = crowd[: options.people]
        latency_tokens = [token for _, token in crowd[options.people : -1]]
        statements = push_statements(scratch, crowd[-1][0])
        peer_token = peer_worker(scratch, [actor for actor, _ in phones])
        bench.analyze(scratch)
        engine = sa.create_engine(scratch.url)
        try:
            with bench.running_server(scratch, options.workers, options.threads) as url:
                paced = (url, latency_tokens, options.pushes_per_client, options.pause)
                rounds = [
                    push_round(scratch, engine, paced, scheduler_first=n % 2 == 1)
                    for n in range(options.rounds)
                ]
                with running_scheduler(scratch):
                    wait_until_nobody_due(engine)
                    feedback = feedback_latency(url, phones, peer_token, options)
                    runs = feedback_runs(engine, feedback.started, feedback.finished)
        finally:
            engine.dispose()
            if options.keep_logs:
                kept = Path(options.keep_logs)
                kept.mkdir(parents=True, exist_ok=True)
                for name in ("server.log", "scheduler.log"):
                    if (scratch.instance / name).exists():
                        shutil.copy(scratch.instance / name, kept / f"{backend}-{name}")
    return {
        "backend": backend,
        "feedback": feedback,
        "runs": runs,
        "rounds": rounds,
        "statements": statements,
    }


@dataclass
class Round:
    without: Any  # bench/sync.py's Latency
    with_scheduler: Any
    runs: Runs  # the feedback job's, while the pushes with the scheduler ran


def push_round(
    scratch: Any, engine: sa.Engine, paced: tuple[Any, ...], *, scheduler_first: bool
) -> Round:
    """Paced single pushes without the scheduler and with it (in either order, so rounds
    alternate and a machine slowing down over the run falls on both alike)."""
    found: dict[str, Any] = {}
    for scheduled in (scheduler_first, not scheduler_first):
        if not scheduled:
            found["without"] = bench.single_pushes(*paced)
            continue
        with running_scheduler(scratch):
            wait_until_nobody_due(engine)  # catch up on earlier pushes before measuring
            since = utcnow()
            found["with"] = bench.single_pushes(*paced)
            found["runs"] = feedback_runs(engine, since, utcnow())
    return Round(found["without"], found["with"], found["runs"])


def quantile(values: list[float], q: int) -> float:
    """The q-th percentile (statistics.quantiles, inclusive of the extremes)."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def describe(runs: Runs) -> str:
    if not runs.durations:
        return f"no run with work ({runs.skipped} skipped, {runs.failed} failed)"
    return (
        f"{runs.done} runs with work ({runs.skipped} skipped, {runs.failed} failed),"
        f" run p50 {quantile(runs.durations, 50) * 1000:.0f} ms,"
        f" max {max(runs.durations) * 1000:.0f} ms, people per run"
        f" {min(runs.people)}-{max(runs.people)}"
    )


def report(result: dict[str, Any], options: argparse.Namespace) -> None:
    feedback: Feedback = result["feedback"]
    runs: Runs = result["runs"]
    seen = [push.latency for push in feedback.pushes if push.seen is not None]
    missing = len(feedback.pushes) - len(seen)
    low = sum(push.low for push in feedback.pushes)
    people = len({push.person for push in feedback.pushes})
    print(f"\n== {result['backend']} ({options.workers} workers x {options.threads} threads)")
    print(
        f"push -> caseload: {len(feedback.pushes)} pushes over {people} people ({low} very low),"
        f" one every 0.5-1.5 s, caseload polled every {options.poll * 1000:.0f} ms"
    )
    ok = not missing and bool(seen) and quantile(seen, 95) <= TARGET_P95_S
    if seen:
        print(
            f"  latency  p50 {quantile(seen, 50):5.2f} s   p95 {quantile(seen, 95):5.2f} s"
            f"   max {max(seen):5.2f} s   min {min(seen):5.2f} s"
            f"   target p95 <= {TARGET_P95_S:.0f} s   {'PASS' if ok else 'FAIL'}"
        )
    if missing:
        print(f"  {missing} pushes not seen within {options.timeout:.0f} s after the last: FAIL")
    took = [push.took for push in feedback.pushes]
    print(
        f"  the pushes themselves: p50 {quantile(took, 50) * 1000:.0f} ms,"
        f" max {max(took) * 1000:.0f} ms"
    )
    polls = feedback.polls
    print(
        f"  caseload polls: {len(polls)} in {feedback.wall:.0f} s, answer p50"
        f" {quantile(polls, 50) * 1000:.0f} ms, p95 {quantile(polls, 95) * 1000:.0f} ms,"
        f" max {max(polls) * 1000:.0f} ms"
    )
    print(f"  feedback job: {describe(runs)}")
    rounds: list[Round] = result["rounds"]
    print(
        f"single push, {options.clients} clients x {options.pushes_per_client}, one per"
        f" ~{options.pause:.1f} s each ({rounds[0].without.requests} pushes per measurement):"
    )
    for n, one in enumerate(rounds, 1):
        without, with_ = one.without, one.with_scheduler
        label = f"round {n}, " if len(rounds) > 1 else ""
        for name, p50, p99 in (
            ("without scheduler", without.p50_ms, without.p99_ms),
            ("with scheduler", with_.p50_ms, with_.p99_ms),
        ):
            print(f"  {label + name:27} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
        print(
            f"  {label + 'difference':27} p50 {with_.p50_ms - without.p50_ms:+6.1f} ms"
            f"   p99 {with_.p99_ms - without.p99_ms:+6.1f} ms"
        )
        print(f"    (meanwhile the feedback job: {describe(one.runs)})")
    if len(rounds) > 1:
        p50 = statistics.median(r.with_scheduler.p50_ms - r.without.p50_ms for r in rounds)
        p99 = statistics.median(r.with_scheduler.p99_ms - r.without.p99_ms for r in rounds)
        print(
            f"  median difference over {len(rounds)} rounds: p50 {p50:+.1f} ms   p99 {p99:+.1f} ms"
        )
    statements: Statements = result["statements"]
    marks = (
        "the feed UPDATE it already ran sets summary_due_at: no extra statement"
        if statements.feed_update_marks_due
        else "NO feed UPDATE setting summary_due_at was found"
    )
    print(
        f"  statements of one single-check-in push (the push service, in-process):"
        f" {statements.count}; {marks}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    parser.add_argument("--people", type=int, default=25, help="people linked to the peer worker")
    parser.add_argument("--pushes", type=int, default=60, help="measured pushes (>= --people)")
    parser.add_argument(
        "--low-share", type=float, default=0.8, help="share of pushes with very low answers"
    )
    parser.add_argument("--seed", type=int, default=13, help="who pushes when, and what")
    parser.add_argument("--poll", type=float, default=0.1, help="seconds between caseload polls")
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait after the last push"
    )
    parser.add_argument(
        "--clients", type=int, default=20, help="paced clients for the push-latency measurement"
    )
    parser.add_argument("--pushes-per-client", type=int, default=10, help="pushes per paced client")
    parser.add_argument(
        "--pause", type=float, default=2.0, help="mean seconds between one client's pushes"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="push-latency pairs (without, with the scheduler), alternating which goes first",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--keep-logs", metavar="DIR", help="copy the server's and scheduler's logs here"
    )
    options = parser.parse_args()
    if options.pushes < options.people:
        parser.error("--pushes must be at least --people (everyone pushes once)")
    print("$ " + shlex.join([".venv/bin/python", "bench/feedback.py", *sys.argv[1:]]))
    print(
        f"Alongside feedback bench: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {options.people}"
        f" people, {options.pushes} pushes, seed {options.seed}, {os.cpu_count()} CPUs,"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "The scheduler's feedback job runs every ALONGSIDE_FEEDBACK_INTERVAL_SECONDS (default 2 s);"
        " push only marks the person due, in the feed UPDATE it already ran."
    )
    for backend in options.backends.split(","):
        report(run_backend(backend.strip(), options), options)


if __name__ == "__main__":
    main()
