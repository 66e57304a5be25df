"""Sealing throughput: Alongside's row-bound sealing against bare AES-GCM, in one run.

Seals and opens a typical check-in payload (about 400 bytes of JSON: a note and the
check-in's answers) for many rows of many people through ``SessionKeys.seal``/``open``
(the path every Sealed column takes: per-person data key, versioned header, associated
data naming table, column, row and person), then does the same with bare ``AESGCM`` on the
same payloads with the same key per person, a fresh nonce and associated data of the same
length: the floor. Prints best rates and the median ratio of paired rounds.
Target (issue 3): within 2x of the floor.

    .venv/bin/python bench/crypto.py [--rows N] [--people N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from collections.abc import Callable

import sqlalchemy as sa

# The floor is the bare cipher, so this one import sits outside server/crypto.py on purpose.
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: TID251
from sqlalchemy.orm import Session

import server.accounts.models  # noqa: F401 - registers the tables user_keys refers to
from server import crypto, sealing
from server.database import Base
from server.keys.models import UserKey

TARGET_RATIO = 2.0
CONTEXT = crypto.field_context("checkins", "content_sealed")


def payload(index: int) -> bytes:
    """A check-in's sealed content as the JSON codec writes it (about 400 bytes)."""
    content = {
        "note": f"Walked to the shop with my sister, slept better than last week ({index}).",
        "responses": [
            {
                "instrument": "alongside-checkin",
                "version": 1,
                "answers": {
                    "trust_peer_worker": index % 11,
                    "trust_understood": "na",
                    "trust_own_pace": 7,
                    "hope_weeks_ahead": 6,
                    "hope_self_care": 8,
                    "hope_have_a_say": None,
                    "connect_people": 4,
                    "active_days": index % 8,
                },
            },
            {"instrument": "who5", "version": 1, "answers": {"who5_cheerful": 3, "who5_calm": 2}},
        ],
    }
    return sealing.JSON.encode(content)


def paired_rates(
    ours: Callable[[], None], floor: Callable[[], None], count: int, repeat: int
) -> tuple[float, float, float]:
    """Best rates of both, and the median of per-round ratios.

    Each round times ours and then the floor back to back, so load from other work on
    the machine falls on both alike; the median ratio is the figure to compare.
    """
    ours_times, floor_times = [], []
    for _ in range(repeat):
        for operation, times in ((ours, ours_times), (floor, floor_times)):
            started = time.perf_counter()
            operation()
            times.append(time.perf_counter() - started)
    ratio = statistics.median(o / f for o, f in zip(ours_times, floor_times, strict=True))
    return count / min(ours_times), count / min(floor_times), ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()

    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine, tables=[UserKey.__table__])  # type: ignore[list-item]
    ring = crypto.KeyRing({1: os.urandom(crypto.KEY_BYTES)}, 1)
    sealing.register_keyring(engine, ring)
    session = Session(engine)
    keys = sealing.session_keys(session)

    people = [uuid.uuid4() for _ in range(options.people)]
    for person in people:
        keys.key_for(person, create=True)
    session.flush()
    rows = [(uuid.uuid4(), people[i % len(people)], payload(i)) for i in range(options.rows)]
    sizes = [len(plain) for _, _, plain in rows]

    # The floor: the same data keys, bare AESGCM, nonce and associated data as long as ours.
    raw_keys = {
        row.user_id: crypto.unwrap_data_key(
            ring, user_id=row.user_id, version=row.kek_version, wrapped=row.wrapped_key
        )
        for row in session.scalars(sa.select(UserKey))
    }
    bare = {person: AESGCM(raw_keys[person]) for person in people}
    aad_length = 5 + len(CONTEXT) + 32

    sealed: list[bytes] = []
    bare_sealed: list[tuple[bytes, bytes]] = []

    def seal_ours() -> None:
        sealed[:] = [
            keys.seal(CONTEXT, row_id=row_id, user_id=person, plaintext=plain)
            for row_id, person, plain in rows
        ]

    def open_ours() -> None:
        for (row_id, person, _), token in zip(rows, sealed, strict=True):
            keys.open(CONTEXT, row_id=row_id, user_id=person, token=token)

    aad = b"\0" * aad_length

    def seal_bare() -> None:
        bare_sealed[:] = []
        for _, person, plain in rows:
            nonce = os.urandom(crypto.NONCE_BYTES)
            bare_sealed.append((nonce, bare[person].encrypt(nonce, plain, aad)))

    def open_bare() -> None:
        for (_, person, _), (nonce, token) in zip(rows, bare_sealed, strict=True):
            bare[person].decrypt(nonce, token, aad)

    count, repeat = len(rows), options.repeat
    rates = {
        "seal": paired_rates(seal_ours, seal_bare, count, repeat),
        "open": paired_rates(open_ours, open_bare, count, repeat),
    }
    overhead = statistics.mean(len(token) - size for token, size in zip(sealed, sizes, strict=True))
    print(
        f"{count} check-in payloads of {min(sizes)}-{max(sizes)} bytes (mean "
        f"{statistics.mean(sizes):.0f}) for {len(people)} people; {repeat} paired rounds."
    )
    print(f"Sealed size overhead: {overhead:.0f} bytes (header 5, nonce 12, tag 16).")
    print(f"{'':6}{'SessionKeys/s':>15}{'bare AESGCM/s':>15}{'median ratio':>14}")
    worst = 0.0
    for name, (ours, floor, ratio) in rates.items():
        worst = max(worst, ratio)
        print(f"{name:6}{ours:>15,.0f}{floor:>15,.0f}{ratio:>13.2f}x")
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"Worst ratio {worst:.2f}x: {verdict} the {TARGET_RATIO:.0f}x target.")
    session.close()
    engine.dispose()


if __name__ == "__main__":
    main()
