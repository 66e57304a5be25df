"""The nightly research exports, stored already disclosure-controlled (DESIGN.md section 8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base


class CohortAggregate(Base):
    """The latest published export of one kind of period; holds nothing about one person."""

    __tablename__ = "cohort_aggregates"
    __table_args__ = (sa.CheckConstraint("period IN ('week', 'month')", name="period_known"),)

    period: Mapped[str] = mapped_column(sa.String(10), primary_key=True)
    computed_at: Mapped[datetime]
    # research.service.population_digest of the people counted: a stored export is served
    # only while the consenting population is still exactly this.
    population_digest: Mapped[str] = mapped_column(sa.String(64))
    # ResearchExport.document(): suppressed, rounded tables with codebook and manifest.
    document: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
