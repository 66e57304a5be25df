"""Every key, cipher and hash Alongside uses, with pinned parameters (DESIGN.md §5).

No other module imports ``cryptography`` or ``argon2``; ruff's banned-import rule enforces it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


# --- Envelope encryption (DESIGN.md §5) -------------------------------------------------

KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_FORMAT = 1
_SEAL_HEADER = struct.Struct(">BI")  # format byte, data-key generation
_WRAP_CONTEXT = b"alongside/data-key/v1"
_FIELD_CONTEXT = b"alongside/field/v1"


class KeyProblem(RuntimeError):
    """Base for key problems; messages name key versions, never key material."""


class MissingKeyError(KeyProblem):
    """A key-encryption key version that wrapped stored data is not configured."""

    def __init__(self, version: int) -> None:
        super().__init__(
            f"key-encryption key version {version} is not configured "
            "(add it to ALONGSIDE_KEYS or the instance key file)"
        )
        self.version = version


class UnreadableError(KeyProblem):
    """A ciphertext or wrapped key failed authentication: wrong row, wrong key, or tampered."""


@dataclass(frozen=True)
class KeyRing:
    """Versioned key-encryption keys and which version is current."""

    keys: Mapping[int, bytes]
    current: int

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise KeyProblem(f"current key version {self.current} is not in the key ring")
        for version, key in self.keys.items():
            if version < 1 or len(key) != KEY_BYTES:
                raise KeyProblem(f"key version {version} must be >= 1 and hold 32 bytes")

    def kek(self, version: int) -> bytes:
        """The key-encryption key of ``version``."""
        try:
            return self.keys[version]
        except KeyError:
            raise MissingKeyError(version) from None

    @property
    def versions(self) -> list[int]:
        return sorted(self.keys)

    def with_new_key(self) -> KeyRing:
        """This ring plus a fresh key, which becomes current."""
        version = max(self.keys) + 1
        return KeyRing({**self.keys, version: secrets.token_bytes(KEY_BYTES)}, version)

    def without(self, version: int) -> KeyRing:
        """This ring with ``version`` removed (it must not be current)."""
        if version == self.current:
            raise KeyProblem(f"key version {version} is current and cannot be retired")
        return KeyRing({v: k for v, k in self.keys.items() if v != version}, self.current)

    @classmethod
    def parse(cls, spec: str, current: int | None = None) -> KeyRing:
        """Parse ``"2:<base64>,1:<base64>"``; the newest version is current unless named."""
        keys: dict[int, bytes] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            version_text, _, encoded = part.partition(":")
            try:
                version = int(version_text)
                keys[version] = base64.b64decode(encoded, validate=True)
            except (ValueError, binascii.Error):
                raise KeyProblem("ALONGSIDE_KEYS must look like '2:<base64>,1:<base64>'") from None
        if not keys:
            raise KeyProblem("ALONGSIDE_KEYS holds no keys")
        return cls(keys, current if current is not None else max(keys))

    def to_file_text(self) -> str:
        """The key file's JSON."""
        encoded = {str(v): base64.b64encode(k).decode("ascii") for v, k in self.keys.items()}
        return json.dumps({"current": self.current, "keys": encoded}, indent=2) + "\n"

    @classmethod
    def from_file_text(cls, text: str, *, source: str) -> KeyRing:
        """Read a key file written by ``to_file_text``."""
        try:
            found = json.loads(text)
            keys = {int(v): base64.b64decode(k, validate=True) for v, k in found["keys"].items()}
            return cls(keys, int(found["current"]))
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise KeyProblem(f"{source} is not a valid Alongside key file") from None


def _write_temporary(path: Path, ring: KeyRing) -> Path:
    """The ring in a new file next to ``path``, mode 0600, flushed to disk."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(ring.to_file_text())
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    return temporary


def _sync_directory(path: Path) -> None:
    # A renamed key file must survive power loss before any data key is wrapped under it.
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Write the key file atomically and durably, readable by its owner only (mode 0600)."""
    temporary = _write_temporary(path, ring)
    os.replace(temporary, path)
    _sync_directory(path)


def read_key_file(path: Path) -> KeyRing:
    """The ring in an existing key file, which only its owner may read."""
    if not path.exists():
        raise KeyProblem(f"the key file {path} is missing")
    if path.stat().st_mode & 0o077:
        raise KeyProblem(f"{path} must be readable by its owner only (chmod 600)")
    return KeyRing.from_file_text(path.read_text(encoding="utf-8"), source=str(path))


def load_or_create_key_file(path: Path) -> KeyRing:
    """The instance key file's ring, creating the file with one new key on first run."""
    if not path.exists():
        ring = KeyRing({1: secrets.token_bytes(KEY_BYTES)}, 1)
        temporary = _write_temporary(path, ring)
        try:
            # link, unlike rename, never replaces: two workers starting at once agree on one key.
            os.link(temporary, path)
        except FileExistsError:
            pass
        else:
            _sync_directory(path)
            return ring
        finally:
            temporary.unlink()
    return read_key_file(path)


def new_data_key() -> bytes:
    """A random 256-bit data key for one person."""
    return secrets.token_bytes(KEY_BYTES)


def _wrap_aad(user_id: uuid.UUID, version: int) -> bytes:
    return _WRAP_CONTEXT + user_id.bytes + version.to_bytes(4, "big")


def wrap_data_key(ring: KeyRing, *, user_id: uuid.UUID, data_key: bytes) -> tuple[int, bytes]:
    """Wrap a data key under the current KEK, bound to its user and the KEK version."""
    version = ring.current
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.kek(version)).encrypt(nonce, data_key, _wrap_aad(user_id, version))
    return version, nonce + sealed


def unwrap_data_key(ring: KeyRing, *, user_id: uuid.UUID, version: int, wrapped: bytes) -> bytes:
    """Unwrap a data key; a missing KEK version or a wrong binding raises."""
    kek = ring.kek(version)
    try:
        return AESGCM(kek).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_aad(user_id, version)
        )
    except InvalidTag:
        raise UnreadableError("a data key failed to unwrap") from None


def field_context(table: str, column: str) -> bytes:
    """The constant part of a sealed field's associated data: length-prefixed table and column."""
    parts = [_FIELD_CONTEXT, table.encode("utf-8"), column.encode("utf-8")]
    return b"".join(len(part).to_bytes(2, "big") + part for part in parts)


class DataKey:
    """One person's data key, ready to seal and open fields (AES-256-GCM)."""

    __slots__ = ("_aead", "_header", "_prefixes", "generation")

    def __init__(self, key: bytes, generation: int = 1) -> None:
        self._aead = AESGCM(key)
        self.generation = generation
        self._header = _SEAL_HEADER.pack(SEAL_FORMAT, generation)
        # header + field context, per field: the constant start of the associated data.
        self._prefixes: dict[bytes, bytes] = {}

    def _aad(self, context: bytes, row_id: uuid.UUID, user_id: uuid.UUID) -> bytes:
        prefix = self._prefixes.get(context)
        if prefix is None:
            prefix = self._prefixes[context] = self._header + context
        # int.to_bytes is what UUID.bytes does, without the property's overhead (hot path).
        return prefix + row_id.int.to_bytes(16, "big") + user_id.int.to_bytes(16, "big")

    def seal(
        self, plaintext: bytes, context: bytes, row_id: uuid.UUID, user_id: uuid.UUID
    ) -> bytes:
        """Seal ``plaintext`` for one field of one row: header, nonce, ciphertext and tag."""
        nonce = os.urandom(NONCE_BYTES)
        aad = self._aad(context, row_id, user_id)
        return self._header + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, token: bytes, context: bytes, row_id: uuid.UUID, user_id: uuid.UUID) -> bytes:
        """Open a sealed field; a ciphertext moved to another row, column or user fails."""
        if not token.startswith(self._header):
            raise UnreadableError("sealed value has an unknown format or key generation")
        aad = self._aad(context, row_id, user_id)
        try:
            return self._aead.decrypt(token[5:17], token[17:], aad)
        except InvalidTag:
            raise UnreadableError("sealed value failed authentication") from None
