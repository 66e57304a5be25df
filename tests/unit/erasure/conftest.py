"""Apps keyed by file or environment on a database of the test's own, and real copies of it."""

from tests.unit.erasure.backups import backup  # noqa: F401
from tests.unit.keys.apps import keyed_app  # noqa: F401
