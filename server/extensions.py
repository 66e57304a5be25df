"""Flask extensions, created unbound here and bound in ``create_app``."""

from __future__ import annotations

from typing import Any

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session

from server.database import Base
from server.errors import handle_http_exception


class AlongsideApi(Api):
    """flask-smorest's Api, answering HTTP errors in Alongside's one JSON error shape."""

    def handle_http_exception(self, error: Any) -> Any:
        return handle_http_exception(error)


# join_transaction_mode lets tests bind the session to a connection already inside a
# transaction; each commit then only releases a savepoint. It changes nothing in production.
db = SQLAlchemy(
    model_class=Base,
    session_options={"join_transaction_mode": "create_savepoint", "expire_on_commit": False},
)
migrate = Migrate(render_as_batch=True, compare_type=True)
api = AlongsideApi()


def current_session() -> Session:
    """The database session of this request or command (typed, unlike ``db.session``)."""
    return db.session()
