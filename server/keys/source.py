"""Where key-encryption keys come from: the instance key file, or ``ALONGSIDE_KEYS``."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from server import crypto

KEY_FILE = "keys.json"


class KeyFileSource:
    """The instance key file: created on first run, rewritten by rotation and retirement."""

    writable = True

    def __init__(self, path: Path, *, current: int | None = None) -> None:
        self.path = path
        self.current = current  # ALONGSIDE_KEYS_CURRENT pins a version; the file names it otherwise
        self.description = f"the key file {path}"

    def load(self) -> crypto.KeyRing:
        ring = crypto.read_key_file(self.path)
        return crypto.KeyRing(ring.keys, self.current) if self.current else ring

    def load_or_create(self) -> crypto.KeyRing:
        """The ring, creating the file with one new key on first run."""
        ring = crypto.load_or_create_key_file(self.path)
        return crypto.KeyRing(ring.keys, self.current) if self.current else ring

    def signature(self) -> Hashable:
        # Rotation replaces the file (a new inode), so its stat changes even within one tick.
        try:
            found = self.path.stat()
        except FileNotFoundError:
            return None
        return (found.st_ino, found.st_mtime_ns, found.st_size)

    def save(self, ring: crypto.KeyRing) -> None:
        """Write ``ring`` to the file, atomically and durably, mode 0600."""
        if self.current:
            raise crypto.KeyProblem(
                "ALONGSIDE_KEYS_CURRENT is set, so rotation could not make a new key current: "
                "unset it (the key file names its current version) and run the command again"
            )
        crypto.write_key_file(self.path, ring)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the key file's lock so two rotations or retirements never interleave."""
        lock_path = self.path.with_name(self.path.name + ".lock")
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise crypto.KeyProblem(
                    "another key rotation or retirement is running; try again when it finishes"
                ) from None
            yield
        finally:
            os.close(descriptor)


class EnvironmentKeySource:
    """``ALONGSIDE_KEYS``: read-only to Alongside; the operator rolls keys out and in."""

    writable = False
    description = "ALONGSIDE_KEYS"

    def __init__(self, spec: str, *, current: int | None = None) -> None:
        self._ring = crypto.KeyRing.parse(spec, current)

    def load(self) -> crypto.KeyRing:
        return self._ring

    def signature(self) -> Hashable:
        return None

    def save(self, ring: crypto.KeyRing) -> None:
        raise crypto.KeyProblem("keys from ALONGSIDE_KEYS cannot be written by Alongside")

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        # Re-wrapping onto the one current version is safe to repeat side by side.
        yield


KeySource = KeyFileSource | EnvironmentKeySource


def key_source(*, keys: str, keys_current: int, instance_path: Path) -> KeySource:
    """``ALONGSIDE_KEYS`` when set, else ``<instance>/keys.json``."""
    current = keys_current or None
    if keys:
        return EnvironmentKeySource(keys, current=current)
    return KeyFileSource(instance_path / KEY_FILE, current=current)


def app_key_source(app: Flask) -> KeySource:
    """Where this app's keys come from, per its configuration."""
    return key_source(
        keys=app.config["KEYS"],
        keys_current=app.config["KEYS_CURRENT"],
        instance_path=Path(app.instance_path),
    )
