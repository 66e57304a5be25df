"""Reliable change (Jacobson & Truax 1991), direction-aware and NaN-safe.

RCI = (x2 - x1) / (SD * sqrt(2) * sqrt(1 - r)). A change is reliable when
|RCI| > 1.96, i.e. unlikely (p < .05) to be measurement error alone. Jacobson NS,
Truax P (1991). Clinical significance: a statistical approach to defining
meaningful change in psychotherapy research. J Consult Clin Psychol 59(1):12-19.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from server.instruments.model import Direction, DomainScoring

RELIABLE_RCI = 1.96

IMPROVED = 1
NO_RELIABLE_CHANGE = 0
DETERIORATED = -1


@dataclass(frozen=True)
class ReliableChangeResult:
    """RCIs and categories for one domain, with where the parameters came from."""

    rci: NDArray[np.float64]
    category: NDArray[np.int8]
    provisional: bool  # the SD and reliability are planning values, not published estimates
    threshold: float  # the smallest change in score points that counts as reliable
    source: str


def difference_standard_error(sd: float, reliability: float) -> float:
    """SD * sqrt(2) * sqrt(1 - r): the standard error of a difference between two scores."""
    if not sd > 0:
        raise ValueError(f"sd must be positive, not {sd}")
    if not 0 <= reliability < 1:
        raise ValueError(f"reliability must be at least 0 and below 1, not {reliability}")
    return sd * math.sqrt(2) * math.sqrt(1 - reliability)


def reliable_change(
    baseline: ArrayLike,
    current: ArrayLike,
    *,
    sd: float,
    reliability: float,
    direction: Direction = "higher_is_better",
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """RCI and category (+1 reliably better, -1 reliably worse, 0 otherwise or missing)."""
    change = np.asarray(current, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    rci = change / difference_standard_error(sd, reliability)
    better = 1 if direction == "higher_is_better" else -1
    # NaN compares False, so a missing score is never a reliable change.
    reliable = np.abs(rci) > RELIABLE_RCI
    category = np.where(reliable, np.sign(rci) * better, 0).astype(np.int8)
    return rci, category


def domain_reliable_change(
    rule: DomainScoring, baseline: ArrayLike, current: ArrayLike
) -> ReliableChangeResult:
    """Reliable change on one domain's scores, using the parameters in its definition."""
    parameters = rule.reliable_change
    if parameters is None:
        raise ValueError(f"domain {rule.id!r} has no reliable-change parameters")
    rci, category = reliable_change(
        baseline,
        current,
        sd=parameters.sd,
        reliability=parameters.reliability,
        direction=rule.direction,
    )
    return ReliableChangeResult(
        rci=rci,
        category=category,
        provisional=parameters.provisional,
        threshold=RELIABLE_RCI * difference_standard_error(parameters.sd, parameters.reliability),
        source=parameters.source,
    )
