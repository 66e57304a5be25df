"""Within-person association between process domains and wellbeing: repeated-measures correlation.

rmcorr (Bakdash & Marusich 2017, Frontiers in Psychology 8:456,
doi:10.3389/fpsyg.2017.00456; after Bland & Altman 1995, BMJ 310:446) asks: in
periods when a person's hope was higher than their own usual, was their
wellbeing higher than their own usual too? It fits one common slope with a
separate intercept per person (ANCOVA), which is the same as correlating
person-centred values: r = Sxy / sqrt(Sxx Syy) over deviations from each
person's own means. Differences between people (some are always more hopeful)
cannot masquerade as a within-person link.

Degrees of freedom are N - k - 1 (N paired observations, k people). The 95% CI
is Fisher's z with standard error 1 / sqrt(df - 1): the effective sample size is
df + 2, as in rmcorr from version 0.5.4 (its "Confidence Interval Fix" vignette;
Bakdash & Marusich 2019 corrigendum), which replaced 1 / sqrt(df - 3).

An observation is one person-period with both measures: the person's mean of
each over the period (cohort.py), because the check-in, WHO-5 and ONS4 are
answered on different days and rhythms. Only people with at least two such
periods carry within-person information; they are the people counted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike

from server.research.cohort import PersonPeriodMeans

# Process outcomes of the change model (DESIGN.md section 1) and the wellbeing measures.
PROCESS_MEASURES = (
    "alongside-checkin@1/trust",
    "alongside-checkin@1/hope",
    "alongside-checkin@1/connection",
    "alongside-checkin@1/active_days",
)
WELLBEING_MEASURES = (
    "who5@1/wellbeing",
    "ons4@1/life_satisfaction",
    "ons4@1/worthwhile",
    "ons4@1/happiness",
    "ons4@1/anxiety",
)


@dataclass(frozen=True)
class RepeatedMeasuresCorrelation:
    """r_rm with its degrees of freedom, confidence interval and what it rests on."""

    r: float  # NaN when either measure never varies within anyone
    df: int  # observations - people - 1
    ci_low: float
    ci_high: float
    people: int  # people with at least two paired observations
    observations: int  # their paired observations


@dataclass(frozen=True)
class Association:
    """rmcorr between one process measure and one wellbeing measure in one service. Unrounded."""

    service: int
    process: str
    wellbeing: str
    correlation: RepeatedMeasuresCorrelation


def repeated_measures_correlation(
    *, person: ArrayLike, x: ArrayLike, y: ArrayLike, confidence: float = 0.95
) -> RepeatedMeasuresCorrelation:
    """rmcorr of paired x and y observed repeatedly on the same people (any order)."""
    who = np.asarray(person, dtype=np.int64)
    first = np.asarray(x, dtype=np.float64)
    second = np.asarray(y, dtype=np.float64)
    if not who.shape == first.shape == second.shape or who.ndim != 1:
        raise ValueError("person, x and y must be 1-d arrays of equal length")
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie between 0 and 1")
    paired = ~np.isnan(first) & ~np.isnan(second)
    _, code = np.unique(who[paired], return_inverse=True)
    first, second = first[paired], second[paired]
    per_person = np.bincount(code)
    # A person seen once has no within-person variation: dropping them changes
    # neither r nor df (they would add one observation and one intercept).
    repeated = per_person[code] >= 2
    code, first, second = code[repeated], first[repeated], second[repeated]
    per_person = np.bincount(code)
    people = int((per_person > 0).sum())
    observations = len(code)
    df = observations - people - 1
    if people == 0:
        return RepeatedMeasuresCorrelation(math.nan, max(df, 0), math.nan, math.nan, 0, 0)

    safe = np.maximum(per_person, 1)
    dx = first - (np.bincount(code, weights=first) / safe)[code]
    dy = second - (np.bincount(code, weights=second) / safe)[code]
    sxx, syy, sxy = float(dx @ dx), float(dy @ dy), float(dx @ dy)
    r = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 and df >= 1 else math.nan
    low, high = _fisher_interval(r, df, confidence)
    return RepeatedMeasuresCorrelation(r, df, low, high, people, observations)


def within_person_associations(
    *,
    means: PersonPeriodMeans,
    process: tuple[str, ...] = PROCESS_MEASURES,
    wellbeing: tuple[str, ...] = WELLBEING_MEASURES,
) -> tuple[Association, ...]:
    """rmcorr per service for each process x wellbeing pair that has any paired data."""
    associations = []
    code_of = {key: code for code, key in enumerate(means.measures)}
    # A (person, period) pair as one integer, to match rows of two measures.
    stride = len(means.periods)
    for process_key in process:
        for wellbeing_key in wellbeing:
            if process_key not in code_of or wellbeing_key not in code_of:
                continue
            a = np.flatnonzero(means.measure == code_of[process_key])
            b = np.flatnonzero(means.measure == code_of[wellbeing_key])
            _, in_a, in_b = np.intersect1d(
                means.person[a].astype(np.int64) * stride + means.period[a],
                means.person[b].astype(np.int64) * stride + means.period[b],
                assume_unique=True,
                return_indices=True,
            )
            rows_a, rows_b = a[in_a], b[in_b]
            services = means.service[rows_a]
            for service in np.unique(services).tolist():
                here = services == service
                correlation = repeated_measures_correlation(
                    person=means.person[rows_a[here]],
                    x=means.mean[rows_a[here]],
                    y=means.mean[rows_b[here]],
                )
                associations.append(Association(service, process_key, wellbeing_key, correlation))
    return tuple(associations)


def _fisher_interval(r: float, df: int, confidence: float) -> tuple[float, float]:
    if math.isnan(r) or df < 2:
        return math.nan, math.nan
    if abs(r) == 1.0:
        return r, r
    spread = NormalDist().inv_cdf(0.5 + confidence / 2) / math.sqrt(df - 1)
    z = math.atanh(r)
    return math.tanh(z - spread), math.tanh(z + spread)
