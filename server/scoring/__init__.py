"""Scoring: the vectorised engine, reliable change, and a per-row reference for tests.

Pure numpy (no Flask, no database); see DESIGN.md sections 7 and 8.
"""

from server.scoring.engine import DomainScores, MatrixScores, band_label, score_matrix, score_one
from server.scoring.reliable_change import (
    ReliableChangeResult,
    domain_reliable_change,
    reliable_change,
)

__all__ = [
    "DomainScores",
    "MatrixScores",
    "ReliableChangeResult",
    "band_label",
    "domain_reliable_change",
    "reliable_change",
    "score_matrix",
    "score_one",
]
