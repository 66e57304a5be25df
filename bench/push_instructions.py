"""CPU instructions per pushed check-in, counted by valgrind: a figure that noise cannot move.

On this machine the same code measures anywhere within about ±30% in check-ins/s from one
run of ``bench/sync.py`` to the next, so a 5% change cannot be told from noise there.
``valgrind --tool=callgrind`` counts instructions instead of timing them: the count
repeats within about 0.3% whatever else the machine is doing.

It runs the push service in-process on a scratch SQLite file, as the floor in
``bench/sync.py`` does: once with one 500-change push after set-up and once with three,
in parallel, and divides the difference by the 1,000 check-ins between them, so set-up,
imports and the first push's one-off costs cancel out. ``fsync`` waits are not
instructions and are not counted; everything the push service runs in Python, the
drivers and the libraries is.

    .venv/bin/python bench/push_instructions.py        (about 2 minutes; needs valgrind)
"""

from __future__ import annotations

import gc
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
MOST = 3  # pushes in the longer run
# Run as ``python bench/push_instructions.py``, this folder comes first on sys.path and
# bench/sync.py would hide the ``sync`` package the server imports. Drop that entry.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]


def count(pushes: int) -> int:
    """Instructions of a child run making ``pushes`` pushes after set-up."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    command += [sys.executable, __file__, "--child", str(pushes)]
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        check=True,
    )
    for line in run.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].replace(",", "").strip())
    raise RuntimeError("valgrind printed no instruction count:\n" + run.stderr[-2000:])


def child(pushes: int) -> None:
    """Set up a scratch database and one person, then make ``pushes`` 500-change pushes."""
    spec = importlib.util.spec_from_file_location("bench_sync", HERE / "sync.py")
    assert spec is not None
    assert spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_sync"] = bench
    spec.loader.exec_module(bench)
    from server import create_app
    from server.checkins.push import push_changes
    from server.extensions import db
    from server.instruments import current_registry

    # The same ids every run, so both runs take the same paths.
    seeded = random.Random(1)
    uuid.uuid4 = lambda: uuid.UUID(int=seeded.getrandbits(128), version=4)
    with bench.scratch_database("sqlite") as scratch:
        actor = bench.people(scratch, 1)[0][0]
        # As many made in every run, whatever is pushed: making them is not counted.
        bodies = bench.push_bodies(500 * MOST, str(uuid.uuid4()))[:pushes]
        app = create_app(
            {"DATABASE_URL": scratch.url, "KEYS": scratch.keys},
            environ={"ALONGSIDE_INSTANCE_PATH": str(scratch.instance)},
        )
        gc.collect()
        gc.freeze()  # as each server worker does (server/serving.py)
        with app.app_context():
            now = datetime(2026, 11, 23, tzinfo=UTC)
            for body in bodies:
                push_changes(
                    db.session, actor=actor, body=body, registry=current_registry(), now=now
                )
                db.session.commit()
            db.engine.dispose()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
        return
    if shutil.which("valgrind") is None:
        sys.exit("bench/push_instructions.py needs valgrind (apt-get install valgrind)")
    with ThreadPoolExecutor(2) as pool:
        one, most = pool.map(count, [1, MOST])
    per_checkin = (most - one) / (500 * (MOST - 1))
    print(f"push service, SQLite, in-process: {per_checkin:,.0f} instructions per check-in")


if __name__ == "__main__":
    main()
