"""Every key, cipher and hash Alongside uses, with pinned parameters (DESIGN.md §5).

No other module imports ``cryptography`` or ``argon2``; ruff's banned-import rule enforces it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane): about 20 ms per hash here,
# slow for an attacker with a stolen database, quick enough for a login.
_PASSWORD_HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# Compared against when the username is unknown, so a failed login takes the same time.
_DUMMY_PASSWORD_HASH = _PASSWORD_HASHER.hash("alongside-no-such-user")

TOKEN_PREFIX = "als_"  # noqa: S105 - a public prefix, not a secret


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _PASSWORD_HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password in constant-ish time; an unknown user costs the same as a wrong password."""
    try:
        return _PASSWORD_HASHER.verify(password_hash or _DUMMY_PASSWORD_HASH, password) and (
            password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when a stored hash used older parameters than the pinned ones."""
    return _PASSWORD_HASHER.check_needs_rehash(password_hash)


def new_session_token() -> str:
    """A random 256-bit bearer token, prefixed so secret scanners recognise it."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a high-entropy secret (tokens, invite codes) for storage and lookup."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token_for(session_token: str) -> str:
    """The CSRF token bound to a cookie session, derived so nothing extra is stored."""
    digest = hmac.new(session_token.encode("utf-8"), b"alongside-csrf-v1", hashlib.sha256)
    return digest.hexdigest()


def secrets_match(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def random_code(alphabet: str, length: int) -> str:
    """A uniformly random code over ``alphabet`` (invite codes)."""
    return "".join(secrets.choice(alphabet) for _ in range(length))
