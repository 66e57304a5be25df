"""A stored summary laid out along the change model: trust, hope, engagement, then wellbeing.

The peer worker's page and the person's own history screen read summaries in
the order the change model runs (DESIGN.md section 1, Gillard et al. 2015):
the trusting relationship, role-modelling recovery (hope), bridging to services
and community (engagement), and the wellbeing they lead to.
"""

from __future__ import annotations

from typing import Any

from server.instruments.model import MECHANISMS

SECTION_TITLES = {
    "trusting_relationship": "Trust",
    "role_modelling_recovery": "Hope",
    "bridging_engagement": "Engagement",
    "wellbeing": "Wellbeing",
}


def change_model_layout(document: dict[str, Any] | None) -> dict[str, Any]:
    """Sections in change-model order, each with its measures; empty when nothing is computed."""
    measures: dict[str, Any] = (document or {}).get("measures", {})
    sections = []
    for mechanism in MECHANISMS:
        found = [
            {"measure": key, **entry}
            for key, entry in sorted(measures.items())
            if entry.get("mechanism") == mechanism
        ]
        sections.append(
            {"mechanism": mechanism, "title": SECTION_TITLES[mechanism], "measures": found}
        )
    return {
        "computed_at": (document or {}).get("computed_at"),
        "checkins": (document or {}).get("checkins"),
        "sections": sections,
    }
