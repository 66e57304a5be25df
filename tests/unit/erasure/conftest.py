"""Apps on a committed database of the test's own, with keys from a key file or the environment."""

from tests.unit.keys.apps import keyed_app  # noqa: F401
