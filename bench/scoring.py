"""Scoring throughput: the numpy engine against the per-row reference, in one run.

Builds 1,000,000 occasions each of the Alongside check-in and WHO-5 with
realistic gaps (skipped optional questions, no peer contact, the odd missing
WHO-5 item), scores them with the engine on one core, scores a sample with the
per-row reference, and prints rates and the speed-up. Targets (issue 4): the
engine scores 1M occasions in under 2 s and is at least 50x the reference.

    .venv/bin/python bench/scoring.py [--occasions N] [--sample N] [--seed N]
"""

from __future__ import annotations

import os

# One core, as the target says: pin BLAS/OpenMP pools before numpy is imported.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from server.instruments.model import Instrument  # noqa: E402
from server.instruments.registry import InstrumentRegistry  # noqa: E402
from server.scoring import MatrixScores, score_matrix  # noqa: E402
from server.scoring.reference import reference_score_matrix  # noqa: E402

ENGINE_TARGET_SECONDS = 2.0
SPEED_UP_TARGET = 50.0


def checkin_matrix(
    instrument: Instrument, occasions: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Check-in answers: 0-10 scales, 0-7 active days, skips, and trust marked not applicable."""
    values = np.empty((occasions, len(instrument.items)))
    for column, item in enumerate(instrument.items):
        values[:, column] = rng.integers(item.minimum, item.maximum + 1, occasions)
        skip_rate = 0.35 if item.optional else 0.05
        values[rng.random(occasions) < skip_rate, column] = np.nan
    trust = np.array([instrument.column(i.id) for i in instrument.items if i.domain == "trust"])
    not_applicable = np.zeros(values.shape, dtype=bool)
    no_contact = rng.random(occasions) < 0.15  # not in touch with the peer worker since last time
    not_applicable[np.ix_(no_contact, trust)] = True
    values[not_applicable] = np.nan
    no_peer_link = rng.random(occasions) < 0.10  # trust questions not shown at all
    values[np.ix_(no_peer_link, trust)] = np.nan
    return values, not_applicable


def who5_matrix(
    instrument: Instrument, occasions: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """WHO-5 answers 0-5 with about 4% of occasions missing one item."""
    values = rng.integers(0, 6, (occasions, len(instrument.items))).astype(np.float64)
    gap = rng.random(occasions) < 0.04
    values[gap, rng.integers(0, len(instrument.items), int(gap.sum()))] = np.nan
    return values, np.zeros(values.shape, dtype=bool)


def timed(
    instrument: Instrument, values: np.ndarray, not_applicable: np.ndarray
) -> tuple[MatrixScores, float]:
    """Engine scores and the best wall time of three runs (the first pays for page faults)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        scores = score_matrix(instrument, values, not_applicable)
        best = min(best, time.perf_counter() - started)
    return scores, best


def main() -> None:
    """Run the benchmark and print a compact table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occasions", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000, help="rows scored by the reference")
    parser.add_argument("--seed", type=int, default=20250101)
    options = parser.parse_args()

    rng = np.random.default_rng(options.seed)
    registry = InstrumentRegistry.load()
    builders = {"alongside-checkin": checkin_matrix, "who5": who5_matrix}

    rows = []
    engine_total = reference_total = 0.0
    for instrument_id, build in builders.items():
        instrument = registry.latest(instrument_id)
        values, not_applicable = build(instrument, options.occasions, rng)
        engine_scores, engine_seconds = timed(instrument, values, not_applicable)

        sample = slice(0, options.sample)
        started = time.perf_counter()
        reference_scores = reference_score_matrix(
            instrument, values[sample], not_applicable[sample]
        )
        reference_seconds = (time.perf_counter() - started) * options.occasions / options.sample
        agree = all(
            np.array_equal(
                engine_scores[d].score[sample], reference_scores[d].score, equal_nan=True
            )
            and np.array_equal(engine_scores[d].band[sample], reference_scores[d].band)
            for d in engine_scores
        )
        scored = {d: float(np.mean(~np.isnan(engine_scores[d].score))) for d in engine_scores}
        rows.append((instrument_id, engine_seconds, reference_seconds, agree, scored))
        engine_total += engine_seconds
        reference_total += reference_seconds

    occasions = options.occasions
    print(f"scoring {occasions:,} occasions per instrument, one core, numpy {np.__version__}")
    print(f"engine: best of 3 runs; reference: {options.sample:,} rows, scaled to {occasions:,}\n")
    header = (
        f"{'instrument':<18} {'engine s':>9} {'engine occ/s':>13} "
        f"{'reference occ/s':>16} {'speed-up':>9}  agree"
    )
    print(header)
    print("-" * len(header))
    for instrument_id, engine_seconds, reference_seconds, agree, _ in rows:
        print(
            f"{instrument_id:<18} {engine_seconds:>9.3f} {occasions / engine_seconds:>13,.0f} "
            f"{occasions / reference_seconds:>16,.0f} {reference_seconds / engine_seconds:>8.0f}x  "
            f"{'yes' if agree else 'NO'}"
        )
    speed_up = reference_total / engine_total
    print(
        f"{'both':<18} {engine_total:>9.3f} {2 * occasions / engine_total:>13,.0f} "
        f"{2 * occasions / reference_total:>16,.0f} {speed_up:>8.0f}x"
    )
    print("\nshare of occasions with a score:")
    for instrument_id, *_, scored in rows:
        print(f"  {instrument_id}: " + ", ".join(f"{d} {share:.0%}" for d, share in scored.items()))
    fast = "met" if engine_total < ENGINE_TARGET_SECONDS else "MISSED"
    faster = "met" if speed_up >= SPEED_UP_TARGET else "MISSED"
    print(
        f"\ntargets: both instruments < {ENGINE_TARGET_SECONDS:.0f} s: {fast}; "
        f">= {SPEED_UP_TARGET:.0f}x reference: {faster}"
    )


if __name__ == "__main__":
    main()
