"""Concerns: what a peer worker should follow up about a person, kept until they do (DESIGN.md §11).

A concern is raised by a rule over a person's *shared* check-ins (rules.py), worded
for people without statistics training (words.py), stored with its measure, whether it
is a worry or good news, and when it was raised (models.py). It stays open until the
peer worker marks it followed up (service.py); one measure has at most one open concern.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register: the peer worker's routes read and acknowledge concerns."""
    from server.concerns import models  # noqa: F401  (the table is part of the schema)
