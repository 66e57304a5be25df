"""``DELETE /api/v1/me``: a service user erases their own account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, after_this_request, current_app
from flask_smorest import Blueprint

from server.accounts.authentication import clear_session_cookie, current_actor
from server.clock import utcnow
from server.erasure import service
from server.erasure.schemas import EraseRequest, ErasureReport
from server.errors import Forbidden
from server.extensions import current_session

erasure_blp = Blueprint(
    "erasure", __name__, url_prefix="/api/v1/me", description="Erasing one's own account"
)


def _password_policy() -> service.PasswordPolicy:
    config = current_app.config
    return service.PasswordPolicy(
        max_failures=config["LOGIN_MAX_FAILURES_PER_USERNAME"],
        window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
    )


@erasure_blp.route("", methods=["DELETE"])
@erasure_blp.arguments(EraseRequest)
@erasure_blp.response(200, ErasureReport)
def erase_me(body: dict[str, Any]) -> service.ErasureReport:
    """Erase this account and everything it holds; needs the password again. Cannot be undone."""
    try:
        report = service.erase_own_account(
            current_session(),
            actor=current_actor(),
            password=body["password"],
            policy=_password_policy(),
            now=utcnow(),
        )
    except Forbidden:
        current_session().commit()  # a wrong password must count even though this fails
        raise
    current_session().commit()

    @after_this_request
    def _clear(response: Response) -> Response:
        clear_session_cookie(response)
        return response

    return report
