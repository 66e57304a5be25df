"""Aggregation at scale: 10,000 people x 100 check-ins in a scratch SQLite database.

Builds the database with the real schema (migrations) and the real sealing: every
check-in's answers and scores are sealed with its person's data key, scores come
from the numpy engine. Then it times, each in a fresh process so peak memory is
that step's alone:

- a full person-summary run (everyone, both views),
- the cohort export (the nightly job: weekly and monthly exports from one read),
- an incremental summary run after 1% of people push one more check-in.

Targets (issue 7): full run <= 60 s, incremental <= 2 s, peak memory <= 1 GB.

    .venv/bin/python bench/aggregate.py [--people N] [--checkins N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# bench/ holds scripts named like the project's packages (bench/sync.py): take them off the
# path Python gives a script, so "sync" and "server" are the installed project's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402

KEYS = "1:" + base64.b64encode(bytes(range(32))).decode("ascii")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
FULL_TARGET, INCREMENTAL_TARGET, MEMORY_TARGET_MB = 60.0, 2.0, 1024.0
CHUNK_PEOPLE = 250


def make_app(directory: Path) -> Any:
    """The real app on the scratch database (imports deferred so each process is clean)."""
    from server import create_app

    return create_app(
        {"DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}", "KEYS": KEYS},
        environ={"ALONGSIDE_INSTANCE_PATH": str(directory)},
    )


def build(directory: Path, people: int, checkins: int, seed: int) -> dict[str, Any]:
    """Migrate, then bulk-insert accounts, data keys, feeds and sealed, scored check-ins."""
    from flask_migrate import upgrade

    from server.extensions import current_session

    app = make_app(directory)
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        session = current_session()
        rng = np.random.default_rng(seed)
        service_id, peer_id = _staff(session)
        for first in range(0, people, CHUNK_PEOPLE):
            count = min(CHUNK_PEOPLE, people - first)
            _people_chunk(session, rng, first, count, checkins, service_id, peer_id)
            session.commit()
            session.expunge_all()
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def _staff(session: Any) -> tuple[uuid.UUID, uuid.UUID]:
    from server.accounts.models import Service, User

    service = Service(name="Bench service", created_at=NOW)
    session.add(service)
    session.flush()
    peer = User(
        username="bench-peer",
        username_canonical="bench-peer",
        role="peer_worker",
        password_hash="not-a-hash",  # nobody signs in to the benchmark
        service_id=service.id,
        created_at=NOW,
    )
    session.add(peer)
    session.flush()
    return service.id, peer.id


def _people_chunk(
    session: Any,
    rng: np.random.Generator,
    first: int,
    count: int,
    checkins: int,
    service_id: uuid.UUID,
    peer_id: uuid.UUID,
) -> None:
    from server.accounts.models import Consent, PeerLink, User
    from server.checkins.models import Checkin, CheckinFeed
    from server.sealing import session_keys

    keys = session_keys(session)
    ids = [uuid.uuid4() for _ in range(count)]
    session.execute(
        User.__table__.insert(),
        [
            {
                "id": user_id,
                "username": f"person{first + i}",
                "username_canonical": f"person{first + i}",
                "role": "service_user",
                "password_hash": "not-a-hash",
                "service_id": service_id,
                "created_at": NOW,
            }
            for i, user_id in enumerate(ids)
        ],
    )
    session.execute(
        PeerLink.__table__.insert(),
        [
            {"id": uuid.uuid4(), "service_user_id": u, "peer_worker_id": peer_id, "started_at": NOW}
            for u in ids
        ],
    )
    session.execute(
        Consent.__table__.insert(),
        [
            {
                "id": uuid.uuid4(),
                "user_id": u,
                "kind": "research",
                "version": "2026-11",
                "granted_at": NOW,
            }
            for u in ids
        ],
    )
    for user_id in ids:
        keys.key_for(user_id, create=True)
    session.flush()
    rows = checkin_rows(rng, ids, checkins, keys)
    session.execute(Checkin.__table__.insert(), rows)
    session.execute(
        CheckinFeed.__table__.insert(),
        [
            {"user_id": u, "last_seq": checkins, "purged_below_seq": 0, "live_count": checkins}
            for u in ids
        ],
    )


def checkin_rows(
    rng: np.random.Generator, ids: list[uuid.UUID], per_person: int, keys: Any
) -> list[dict[str, Any]]:
    """Weekly-ish check-ins per person: the check-in always, WHO-5 fortnightly, ONS4 monthly."""
    from server.checkins.versions import Version, sealed_row
    from server.instruments.registry import InstrumentRegistry
    from server.scoring import score_matrix

    registry = InstrumentRegistry.load()
    total = len(ids) * per_person
    owner = np.repeat(np.arange(len(ids)), per_person)
    index = np.tile(np.arange(per_person), len(ids))
    days = (per_person - index) * 7 - rng.uniform(0, 3, total)
    recorded = [NOW - timedelta(days=float(d)) for d in days]
    # Each person drifts around their own level, so summaries have something to find.
    level = rng.uniform(2, 8, len(ids))[owner] + rng.normal(0, 1.5, total)
    answered = {
        ("alongside-checkin", 1): np.ones(total, dtype=bool),
        ("who5", 1): index % 2 == 0,
        ("ons4", 1): index % 4 == 0,
    }
    scored: dict[tuple[str, int], tuple[np.ndarray, list[dict[str, Any]]]] = {}
    for key, rows_with in answered.items():
        instrument = registry.get(*key)
        chosen = np.flatnonzero(rows_with)
        values = np.empty((len(chosen), len(instrument.items)))
        for column, item in enumerate(instrument.items):
            scaled = level[chosen] / 10 * item.maximum + rng.normal(0, 0.8, len(chosen))
            values[:, column] = np.clip(np.rint(scaled), item.minimum, item.maximum)
        values[rng.random(values.shape) < 0.03] = np.nan  # a few skipped questions
        scores = score_matrix(instrument, values, np.zeros(values.shape, dtype=bool))
        scored[key] = (chosen, _row_scores(instrument, scores, values))
    content: list[dict[str, Any]] = [{"note": None, "responses": []} for _ in range(total)]
    score_docs: list[dict[str, Any]] = [{} for _ in range(total)]
    for (instrument_id, version), (chosen, per_row) in scored.items():
        for row, (answers, scores) in zip(chosen.tolist(), per_row, strict=True):
            content[row]["responses"].append(
                {"instrument": instrument_id, "version": version, "answers": answers}
            )
            score_docs[row][f"{instrument_id}@{version}"] = scores
    shared = (rng.random(total) < 0.7).tolist()
    device = uuid.uuid4()
    rows = []
    for row in range(total):
        version = Version(
            id=uuid.uuid4(),
            user_id=ids[owner[row]],
            device_id=device,
            rev=1,
            seq=int(index[row]) + 1,
            recorded_at=recorded[row],
            changed_at=recorded[row],
            received_at=recorded[row] + timedelta(minutes=2),
            effective_at=recorded[row],
            clock_skew=False,
            shared=shared[row],
            deleted=False,
            instruments=" ".join(
                f"{r['instrument']}@{r['version']}" for r in content[row]["responses"]
            ),
            content=content[row],
            scores=score_docs[row],
        )
        # Sealed as push seals them: content, scores and the stored pull rendering.
        rows.append(sealed_row(version, keys))
    return rows


def _row_scores(instrument: Any, scores: Any, values: np.ndarray) -> list[tuple[dict, dict]]:
    """(answers, scores) per row, shaped as a pushed check-in stores them."""
    items = [item.id for item in instrument.items]
    answers = [
        {item: int(v) for item, v in zip(items, row, strict=True) if v == v}
        for row in values.tolist()
    ]
    domains = []
    for rule in instrument.scored:
        d = scores[rule.id]
        labels = [rule.bands[b].label if b >= 0 else None for b in d.band.tolist()]
        domains.append(
            (
                rule.id,
                d.raw.tolist(),
                d.score.tolist(),
                labels,
                d.answered.tolist(),
                d.prorated.tolist(),
            )
        )
    result = []
    for row in range(len(values)):
        doc = {}
        for rule_id, raw, score, band, answered, prorated in domains:
            doc[rule_id] = {
                "raw": None if raw[row] != raw[row] else raw[row],
                "score": None if score[row] != score[row] else score[row],
                "band": band[row],
                "answered": answered[row],
                "prorated": prorated[row],
                "not_applicable": False,
            }
        result.append((answers[row], doc))
    return result


def phase(directory: Path, name: str, people: int) -> dict[str, Any]:
    """One measured step, run in this (fresh) process."""
    from server.aggregation.jobs import refresh_person_summaries
    from server.extensions import current_session
    from server.research.jobs import refresh_cohort_aggregates
    from server.scheduler.jobs import JobContext

    app = make_app(directory)
    with app.app_context():
        session = current_session()
        now = NOW
        if name == "incremental":
            now = NOW + timedelta(minutes=15)
            _one_more_checkin(session, people, now)
        job = {"incremental": refresh_person_summaries, "full": refresh_person_summaries}.get(
            name, refresh_cohort_aggregates
        )
        load = os.getloadavg()[0]
        started, cpu = time.perf_counter(), time.process_time()
        stats = job(JobContext(session=session, config=app.config, now=now))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "phase": name,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load": round(load, 1),
        "peak_mb": round(peak_mb),
        **stats,
    }


def _one_more_checkin(session: Any, people: int, now: datetime) -> None:
    """1% of people push one check-in through the real sync service (not timed)."""
    import sqlalchemy as sa

    from server.accounts.actor import Actor
    from server.accounts.models import Role, User
    from server.checkins.service import push_changes
    from server.instruments import current_registry

    chosen = session.execute(
        sa.select(User.id, User.service_id)
        .where(User.role == "service_user")
        .order_by(User.username)
        .limit(max(people // 100, 1))
    ).all()
    answers = {"hope_weeks_ahead": 2, "hope_self_care": 3, "connection_people": 4}
    for user_id, service_id in chosen:
        change = {
            "change_id": str(uuid.uuid4()),
            "id": str(uuid.uuid4()),
            "op": "put",
            "base_rev": None,
            "changed_at": now.isoformat(),
            "data": {
                "recorded_at": now.isoformat(),
                "shared": True,
                "note": None,
                "responses": [
                    {"instrument": "alongside-checkin", "version": 1, "answers": answers}
                ],
            },
        }
        push_changes(
            session,
            actor=Actor(user_id, Role.SERVICE_USER, service_id),
            body={"device_id": str(uuid.uuid4()), "changes": [change]},
            registry=current_registry(),
            now=now,
        )
        session.commit()


def main() -> None:
    """Build once, then measure each step in its own process and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--checkins", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build in this directory and keep it")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(phase(args.directory, args.phase, args.people)))
        return
    with tempfile.TemporaryDirectory(prefix="alongside-bench-") as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        total = args.people * args.checkins
        print(f"building {args.people:,} people x {args.checkins} check-ins = {total:,} ...")
        built = build(directory, args.people, args.checkins, args.seed)
        print(f"  built in {built['build_seconds']} s")
        results = []
        for name in ("full", "export", "incremental"):
            output = subprocess.run(
                [
                    *(sys.executable, __file__, "--phase", name),
                    *("--directory", str(directory), "--people", str(args.people)),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
        targets = {"full": FULL_TARGET, "incremental": INCREMENTAL_TARGET}
        for result in results:
            target = targets.get(result["phase"])
            verdict = "" if target is None else (" ok" if result["seconds"] <= target else " SLOW")
            memory = " ok" if result["peak_mb"] <= MEMORY_TARGET_MB else " OVER"
            shown = ("phase", "seconds", "cpu_seconds", "load", "peak_mb")
            extra = {k: v for k, v in result.items() if k not in shown}
            print(
                f"{result['phase']:<12} {result['seconds']:>8.2f} s{verdict:<5} "
                f"(cpu {result['cpu_seconds']:.2f} s, load {result['load']}) "
                f"peak {result['peak_mb']:>5} MB{memory}  {extra}"
            )


if __name__ == "__main__":
    main()
