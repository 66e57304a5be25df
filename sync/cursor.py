"""Opaque, versioned pull cursors: ``v1.<base64url of the last seq seen>``.

Clients store a cursor and send it back; only this module reads one. The version prefix
lets a later protocol change the encoding while still recognising (and resetting) old
cursors. Sequences are never timestamps (DESIGN.md §4).
"""

from __future__ import annotations

import base64
import binascii

CURSOR_VERSION = "v1"
# Larger than any feed will ever reach, small enough for every database's BIGINT.
MAX_SEQ = 2**62


class CursorError(ValueError):
    """A cursor this server cannot read (wrong version, damaged, or not one of ours)."""


def encode_cursor(seq: int) -> str:
    """The cursor for "every change up to and including ``seq`` has been seen"."""
    if not 0 <= seq <= MAX_SEQ:
        raise ValueError(f"seq out of range: {seq}")
    digits = str(seq).encode("ascii")
    return f"{CURSOR_VERSION}." + base64.urlsafe_b64encode(digits).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The last seq a cursor covers; an absent or empty cursor is 0 (first sync)."""
    if cursor is None or cursor == "":
        return 0
    version, dot, body = cursor.partition(".")
    if version != CURSOR_VERSION or not dot or not body or len(body) > 30:
        raise CursorError("not a cursor from this server")
    try:
        digits = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("not a cursor from this server") from None
    # Exactly the form encode_cursor writes: no sign, no leading zeros, no spaces.
    if not digits.isdigit() or not digits.isascii() or (digits != "0" and digits[0] == "0"):
        raise CursorError("not a cursor from this server")
    seq = int(digits)
    if seq > MAX_SEQ or encode_cursor(seq) != cursor:
        raise CursorError("not a cursor from this server")
    return seq
