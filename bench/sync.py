"""Sync throughput against the real server (gunicorn), on SQLite and PostgreSQL, in one run.

For each database it creates a scratch database (a SQLite file, or a PostgreSQL schema it
drops afterwards), migrates it, starts ``alongside serve``, waits until every worker has
booted (the server's CPU goes quiet) and measures:

- batched push ingest: check-ins/s, 500 changes per push, one person's device pushing
  back to back (the bulk-import case); three passes, each a new person after one untimed
  warm-up push, the median reported;
- the floor: the same rows (same batches, same sealing and scoring) pushed straight into
  the same database through the push service in-process, no HTTP, passes alike;
- single-check-in push latency, p50/p99, with 50 concurrent clients (50 people's phones),
  each sending one check-in per push with a random pause between pushes (2 s on average:
  25 pushes/s in all), and the same with no pause at all (saturation);
- pull rate: changes/s, one device downloading the whole ingested feed, 1,000 per page
  (the median of three passes after an untimed one).

Targets (issue 5, 2-core machine): batched >= 3,000/s and within 3x of the floor;
single push p99 <= 50 ms; pull >= 20,000 changes/s.

    .venv/bin/python bench/sync.py [--checkins 10000] [--workers 2] [--threads 4]
        [--backends sqlite,postgresql] [--clients 50] [--pushes-per-client 20] [--pause 2.0]
        [--passes 3]
"""

from __future__ import annotations

import argparse
import base64
import gc
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
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

# Run as ``python bench/sync.py``, this file's folder comes first on sys.path, and this
# file's name would hide the ``sync`` package the server imports. Drop that entry.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]

from server import create_app  # noqa: E402
from server.accounts import service as accounts  # noqa: E402
from server.accounts import sessions  # noqa: E402
from server.accounts.actor import Actor  # noqa: E402
from server.accounts.models import Role  # noqa: E402
from server.checkins.push import push_changes  # noqa: E402
from server.clock import utcnow  # noqa: E402
from server.extensions import db  # noqa: E402
from server.instruments import current_registry  # noqa: E402

POSTGRES_URL = os.environ.get(
    "ALONGSIDE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
ALONGSIDE = str(Path(sys.executable).with_name("alongside"))
BATCH = 500
TARGET_BATCHED = 3000.0
TARGET_FLOOR_RATIO = 3.0
TARGET_P99_MS = 50.0
TARGET_PULL = 20000.0


def checkin_data(number: int, start: datetime) -> dict[str, Any]:
    """A plausible check-in: the Alongside check-in every time, WHO-5 one time in seven."""
    recorded = start + timedelta(hours=number)
    responses: list[dict[str, Any]] = [
        {
            "instrument": "alongside-checkin",
            "version": 1,
            "answers": {
                "trust_peer_worker": number % 11,
                "trust_understood": "na" if number % 5 == 0 else (number * 3) % 11,
                "hope_weeks_ahead": (number * 7) % 11,
                "hope_self_care": (number * 5) % 11,
                "connection_people": (number * 2) % 11,
                "active_days": number % 8,
            },
        }
    ]
    if number % 7 == 0:
        answers = {f"who5_{item}": (number + n) % 6 for n, item in enumerate(WHO5_ITEMS)}
        responses.append({"instrument": "who5", "version": 1, "answers": answers})
    return {
        "recorded_at": recorded.isoformat(),
        "shared": number % 3 == 0,
        "note": "a steadier week" if number % 4 == 0 else None,
        "responses": responses,
    }


WHO5_ITEMS = ("cheerful", "calm", "active", "rested", "interest")


def push_bodies(count: int, device_id: str) -> list[dict[str, Any]]:
    """``count`` new check-ins as push bodies of up to 500 changes each."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    changes = [
        {
            "change_id": str(uuid.uuid4()),
            "id": str(uuid.uuid4()),
            "op": "put",
            "base_rev": None,
            "changed_at": (start + timedelta(hours=n, seconds=5)).isoformat(),
            "data": checkin_data(n, start),
        }
        for n in range(count)
    ]
    return [
        {"device_id": device_id, "changes": changes[at : at + BATCH]}
        for at in range(0, count, BATCH)
    ]


# -- scratch databases and the server -----------------------------------------------------


@dataclass
class Scratch:
    backend: str
    url: str
    instance: Path
    keys: str


@contextmanager
def scratch_database(backend: str) -> Iterator[Scratch]:
    """A fresh, migrated database of ``backend``, removed afterwards."""
    instance = Path(tempfile.mkdtemp(prefix=f"alongside-bench-{backend}-"))
    keys = "1:" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    schema = f"bench_{secrets.token_hex(5)}"
    if backend == "sqlite":
        url = f"sqlite:///{instance / 'bench.sqlite3'}"
    else:
        admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    env = {**os.environ, "ALONGSIDE_DATABASE_URL": url, "ALONGSIDE_INSTANCE_PATH": str(instance)}
    env["ALONGSIDE_KEYS"] = keys
    try:
        subprocess.run(
            [ALONGSIDE, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=300
        )
        yield Scratch(backend, url, instance, keys)
    finally:
        if backend == "postgresql":
            with admin.connect() as connection:
                connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()
        shutil.rmtree(instance, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_env(scratch: Scratch) -> dict[str, str]:
    """What an ``alongside`` process on the scratch database is started with."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(scratch.instance)),
        "ALONGSIDE_DATABASE_URL": scratch.url,
        "ALONGSIDE_INSTANCE_PATH": str(scratch.instance),
        "ALONGSIDE_KEYS": scratch.keys,
        "ALONGSIDE_SESSION_COOKIE_SECURE": "false",
    }


@contextmanager
def running_server(scratch: Scratch, workers: int, threads: int) -> Iterator[str]:
    """``alongside serve`` (gunicorn) on the scratch database; yields its base URL."""
    port = free_port()
    env = process_env(scratch)
    command = [ALONGSIDE, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--threads", str(threads)]
    log = (scratch.instance / "server.log").open("ab")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {scratch.instance / 'server.log'}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        # One worker answering is not all of them: the others may still be importing and
        # building the app, which would take CPU from the first measurement.
        wait_until_idle(process.pid)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def wait_until_idle(pid: int, timeout: float = 60.0) -> None:
    """Until the server (master and workers) has used under a tenth of a CPU for a second."""
    deadline = time.monotonic() + timeout
    quiet, used = 0, server_cpu_seconds(pid)
    while quiet < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
        now_used = server_cpu_seconds(pid)
        quiet = quiet + 1 if now_used - used < 0.05 else 0
        used = now_used


def server_cpu_seconds(pid: int) -> float:
    """CPU seconds a process and its children have used, read from /proc (0 without it)."""
    total = 0.0
    for process in [pid, *children(pid)]:
        try:
            stat = Path(f"/proc/{process}/stat").read_text()
        except OSError:
            continue  # a worker that has just exited, or no /proc
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in listing.read_text().split()]
    return found


def people(scratch: Scratch, count: int) -> list[tuple[Actor, str]]:
    """``count`` service users with one signed-in device each: (actor, bearer token)."""
    app = create_app(
        {"DATABASE_URL": scratch.url, "KEYS": scratch.keys},
        environ={"ALONGSIDE_INSTANCE_PATH": str(scratch.instance)},
    )
    made: list[tuple[Actor, str]] = []
    with app.app_context():
        session = db.session
        now = utcnow()
        place = accounts.create_service(session, name=f"Bench {secrets.token_hex(3)}", now=now)
        for n in range(count):
            user = accounts.create_user(
                session,
                role=Role.SERVICE_USER,
                username=f"bench{n}x{secrets.token_hex(3)}",
                password=secrets.token_urlsafe(16),
                service_id=place.id,
                password_min_length=10,
                now=now,
            )
            signed_in = sessions.start_session(
                session, user=user, device_label="bench", ttl=timedelta(days=1), now=now
            )
            made.append((Actor(user.id, Role.SERVICE_USER, place.id), signed_in.token))
        session.commit()
        db.engine.dispose()
    return made


# -- the measurements ---------------------------------------------------------------------


def batched_ingest(url: str, token: str, bodies: list[dict[str, Any]]) -> float:
    """Check-ins/s for back-to-back pushes of 500 from one device, after one warm-up push.

    The warm-up push is not timed: it is the first this connection's worker serves for
    the person, and meets what a long-running server has long since done once (lazy
    imports, statement caches, the person's data key).
    """
    warm_up, *timed = [orjson.dumps(body) for body in bodies]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        client.post("/api/v1/sync/push", content=warm_up).raise_for_status()
        started = time.perf_counter()
        for body in timed:
            answer = client.post("/api/v1/sync/push", content=body)
            answer.raise_for_status()
        elapsed = time.perf_counter() - started
    return sum(len(body["changes"]) for body in bodies[1:]) / elapsed


def floor_ingest(scratch: Scratch, runs: list[tuple[Actor, list[dict[str, Any]]]]) -> list[float]:
    """Check-ins/s for the same batches through the push service in-process (no HTTP), a
    pass per (person, bodies), each after an untimed warm-up push as over HTTP."""
    app = create_app(
        {"DATABASE_URL": scratch.url, "KEYS": scratch.keys},
        environ={"ALONGSIDE_INSTANCE_PATH": str(scratch.instance)},
    )
    # As in each server worker (server/serving.py): the start-up heap is frozen.
    gc.collect()
    gc.freeze()
    rates = []
    with app.app_context():
        registry = current_registry()
        session = db.session
        for actor, (warm_up, *timed) in runs:
            push_changes(session, actor=actor, body=warm_up, registry=registry, now=utcnow())
            session.commit()
            started = time.perf_counter()
            for body in timed:
                push_changes(session, actor=actor, body=body, registry=registry, now=utcnow())
                session.commit()
            elapsed = time.perf_counter() - started
            rates.append(sum(len(body["changes"]) for body in timed) / elapsed)
        db.engine.dispose()
    gc.unfreeze()
    return rates


@dataclass
class Latency:
    p50_ms: float
    p99_ms: float
    requests: int
    rate: float


def single_pushes(url: str, tokens: list[str], per_client: int, pause: float) -> Latency:
    """Each client pushes one check-in per request, ``per_client`` times, pausing at random."""
    timings: list[float] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(tokens))

    def phone(token: str, seed: int) -> None:
        try:
            one_phone(token, seed)
        except BaseException as error:
            with lock:
                failures.append(error)
            barrier.abort()

    def one_phone(token: str, seed: int) -> None:
        pacing = random.Random(seed)
        device = str(uuid.uuid4())
        bodies = [orjson.dumps(body) for body in push_bodies_single(per_client, device)]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine: list[float] = []
        # Gunicorn closes idle keep-alive connections after 2 s; a phone pausing longer
        # must not reuse one the server is closing.
        limits = httpx.Limits(keepalive_expiry=1.0)
        with httpx.Client(base_url=url, headers=headers, timeout=60, limits=limits) as client:
            barrier.wait()
            for body in bodies:
                if pause:
                    time.sleep(pacing.uniform(0, 2 * pause))
                started = time.perf_counter()
                answer = client.post("/api/v1/sync/push", content=body)
                mine.append(time.perf_counter() - started)
                answer.raise_for_status()
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=phone, args=(t, n)) for n, t in enumerate(tokens)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} clients failed") from failures[0]
    cuts = statistics.quantiles(timings, n=100)
    return Latency(cuts[49] * 1000, cuts[98] * 1000, len(timings), len(timings) / elapsed)


def push_bodies_single(count: int, device_id: str) -> list[dict[str, Any]]:
    return [push_bodies(1, device_id)[0] for _ in range(count)]


def pull_rate(url: str, token: str, passes: int) -> tuple[list[float], int]:
    """Changes/s for one device pulling the whole feed, 1,000 per page, once per pass,
    after an untimed warm-up pass (as for the pushes)."""
    headers = {"Authorization": f"Bearer {token}"}
    rates: list[float] = []
    with httpx.Client(base_url=url, headers=headers, timeout=120) as client:
        pull_all(client)
        for _ in range(passes):
            gc.collect()  # the bench's own garbage from the phases before, not the server's
            started = time.perf_counter()
            pulled = pull_all(client)
            rates.append(pulled / (time.perf_counter() - started))
    return rates, pulled


def pull_all(client: httpx.Client) -> int:
    """Pull the whole feed from the start, parsing each page to follow the cursor."""
    pulled, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        answer = client.get("/api/v1/sync/pull", params=params)
        answer.raise_for_status()
        page = orjson.loads(answer.content)
        pulled += len(page["changes"])
        cursor = page["cursor"]
        if not page["more"]:
            return pulled


def analyze(scratch: Scratch) -> None:
    """Give PostgreSQL's planner statistics for the freshly loaded tables.

    A deployment's autovacuum analyzes a table once it has grown by a tenth; the
    PostgreSQL on the bench machine may run without it (``SHOW autovacuum``), and with no
    statistics the planner sorts a person's whole feed for every pull page.
    """
    if scratch.backend != "postgresql":
        return
    engine = sa.create_engine(scratch.url)
    with engine.begin() as connection:
        connection.execute(sa.text("ANALYZE"))
    engine.dispose()


# -- the run ------------------------------------------------------------------------------


def run_backend(backend: str, options: argparse.Namespace) -> dict[str, Any]:
    passes = options.passes
    with scratch_database(backend) as scratch:
        crowd = people(scratch, options.clients + 2 * passes)
        ingesters, floor_people = crowd[:passes], crowd[passes : 2 * passes]
        phones = [token for _, token in crowd[2 * passes :]]
        count = options.checkins + BATCH  # the first batch of each pass warms up, untimed
        floor = floor_ingest(
            scratch,
            [(actor, push_bodies(count, str(uuid.uuid4()))) for actor, _ in floor_people],
        )
        # The bench's own heap (the server modules it imports to set up) is frozen, so the
        # collector does not rescan it while the clients parse answers: a phone has none of it.
        gc.collect()
        gc.freeze()
        with running_server(scratch, options.workers, options.threads) as url:
            batched = [
                batched_ingest(url, token, push_bodies(count, str(uuid.uuid4())))
                for _, token in ingesters
            ]
            analyze(scratch)
            paced = single_pushes(url, phones, options.pushes_per_client, options.pause)
            saturated = single_pushes(url, phones, options.pushes_per_client, 0.0)
            pull_passes, pulled = pull_rate(url, ingesters[0][1], passes)
        gc.unfreeze()
    return {
        "backend": backend,
        "batched": statistics.median(batched),
        "batched_passes": batched,
        "floor": statistics.median(floor),
        "floor_passes": floor,
        "paced": paced,
        "saturated": saturated,
        "pull": statistics.median(pull_passes),
        "pull_passes": pull_passes,
        "pulled": pulled,
    }


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(result: dict[str, Any], options: argparse.Namespace) -> None:
    batched, floor = result["batched"], result["floor"]
    paced, saturated = result["paced"], result["saturated"]
    ratio = floor / batched
    print(f"\n== {result['backend']} ({options.workers} workers x {options.threads} threads)")
    print(
        f"batched push ingest   {batched:9,.0f} check-ins/s   target >= {TARGET_BATCHED:,.0f}"
        f"   {verdict(batched >= TARGET_BATCHED)}   (median of passes at "
        f"{rates(result['batched_passes'])})"
    )
    print(
        f"floor (no HTTP)       {floor:9,.0f} check-ins/s   batched is {ratio:.2f}x below it"
        f" (target <= {TARGET_FLOOR_RATIO:.0f}x)   {verdict(ratio <= TARGET_FLOOR_RATIO)}"
        f"   (median of passes at {rates(result['floor_passes'])})"
    )
    print(
        f"single push, {options.clients} clients, one push per ~{options.pause:.1f} s each: "
        f"p50 {paced.p50_ms:6.1f} ms  p99 {paced.p99_ms:6.1f} ms"
        f"   ({paced.requests} pushes, {paced.rate:,.0f}/s)   target p99 <= {TARGET_P99_MS:.0f} ms"
        f"   {verdict(paced.p99_ms <= TARGET_P99_MS)}"
    )
    print(
        f"single push, {options.clients} clients, no pause: "
        f"p50 {saturated.p50_ms:6.1f} ms  p99 {saturated.p99_ms:6.1f} ms"
        f"   ({saturated.requests} pushes, {saturated.rate:,.0f}/s, saturation)"
    )
    print(
        f"pull                  {result['pull']:9,.0f} changes/s     target >= {TARGET_PULL:,.0f}"
        f"   {verdict(result['pull'] >= TARGET_PULL)}   ({result['pulled']:,} changes; median of "
        f"passes at {rates(result['pull_passes'])})"
    )


def rates(passes: list[float]) -> str:
    return ", ".join(f"{rate:,.0f}" for rate in passes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkins", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pushes-per-client", type=int, default=20)
    parser.add_argument(
        "--pause", type=float, default=2.0, help="mean seconds between one client's pushes"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--passes", type=int, default=3, help="timed passes of ingest, floor and pull (median)"
    )
    options = parser.parse_args()
    print(
        f"Alongside sync bench: {options.checkins:,} check-ins, batches of {BATCH}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    for backend in options.backends.split(","):
        report(run_backend(backend.strip(), options), options)


if __name__ == "__main__":
    main()
