"""Plain words for peer workers: measure names, numbers and spans of time (DESIGN.md §11).

Peer workers are not statisticians: a message says what happened in everyday words
and numbers on the scale they know. How a change is judged is explained in the web
app behind "How is this worked out?", never here.
"""

from __future__ import annotations

# The four measures of the change model, in its order, and the measure each one reads.
DOMAINS: tuple[tuple[str, str, str, str], ...] = (
    ("trust", "alongside-checkin", "trust", "Trust in you"),
    ("hope", "alongside-checkin", "hope", "Hope"),
    ("connection", "alongside-checkin", "connection", "Connection"),
    ("wellbeing", "who5", "wellbeing", "Wellbeing"),
)
_DOMAIN_OF = {(instrument, domain): name for name, instrument, domain, _ in DOMAINS}
_LABELS = {
    **{(instrument, domain): label for _, instrument, domain, label in DOMAINS},
    ("alongside-checkin", "active_days"): "Days out and about",
    ("ons4", "life_satisfaction"): "Life satisfaction",
    ("ons4", "worthwhile"): "Feeling life is worthwhile",
    ("ons4", "happiness"): "Happiness",
    ("ons4", "anxiety"): "Anxiety",
    ("ons-loneliness", "loneliness"): "Loneliness",
}
_OWN_LABELS = {"checkin": "Very low answers", "rhythm": "Check-ins"}
# How a very low answer reads in a list ("very low answers for wellbeing, hope and ...").
_LOW_ANSWER = {("ons-loneliness", "loneliness"): "feeling lonely often or always"}


def split_key(key: str) -> tuple[str, str]:
    """("who5", "wellbeing") from a measure key "who5@1/wellbeing" or "who5/wellbeing"."""
    instrument, _, domain = key.partition("/")
    return instrument.partition("@")[0], domain


def change_model_rank(key: str) -> int:
    """Where a measure key sits along the change model (the four first, others after)."""
    found = _DOMAIN_OF.get(split_key(key))
    names = [name for name, *_ in DOMAINS]
    return names.index(found) if found else len(names)


def peer_measure(key: str) -> str:
    """The name a peer worker's lists use: "trust" for the four domains, else "ons4/anxiety"."""
    instrument, domain = split_key(key)
    return _DOMAIN_OF.get((instrument, domain), f"{instrument}/{domain}")


def peer_label(key: str, fallback: str) -> str:
    """A short everyday name for the measure ("Trust in you"), else the definition's label."""
    return _LABELS.get(split_key(key), fallback)


def measure_label(measure: str) -> str:
    """The label of a name from ``peer_measure`` (or the urgent and quiet concerns' own)."""
    if measure in _OWN_LABELS:
        return _OWN_LABELS[measure]
    for name, _, _, label in DOMAINS:
        if name == measure:
            return label
    return peer_label(measure, measure)


def low_answer_words(key: str, fallback: str) -> str:
    """How a very low answer on this measure reads inside a sentence."""
    found = _LOW_ANSWER.get(split_key(key))
    return found or peer_label(key, fallback).lower()


def number(value: float) -> str:
    """A score as people read it: whole numbers plain, else one decimal."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def listed(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def span(days: int) -> str:
    """A stretch of time in words: "10 days", "3 weeks", "2 months"."""
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 60:
        return f"{days // 7} weeks"
    return f"{days // 30} months"


def quiet_message(days: int) -> str:
    """The line for someone who has gone quiet."""
    return f"No shared check-in for {span(days)}"
