"""Errors the API itself raises, shaped like the actions' errors so clients see one format.

Every error body is ``{"detail": <message in the request's language>, "field": <name or
null>, "code": <error class name>}``, with ``"also": [{"detail", "field"}, …]`` when the request
had further problems.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from minsheng.cases.errors import CaseError
from minsheng.throttle.actions import TooManyTries


class NotAuthenticated(CaseError):
    status_code = 401
    default_message = _("Please sign in, or send a valid API token.")


class WrongCredentials(CaseError):
    status_code = 401
    default_message = _("Wrong username or password.")


class TooManyAttempts(TooManyTries):
    """Too many failed sign-ins from this address (see minsheng.throttle.actions.LOGIN)."""


class CsrfFailed(CaseError):
    status_code = 403
    default_message = _(
        "The security check of this form failed. Please reload the page and try again."
    )


class InvalidRequest(CaseError):
    """The request did not match the API's schema (wrong type, missing field, bad JSON)."""

    status_code = 422
    default_message = _("Some of the information is missing or not valid.")


def error_body(exc: CaseError) -> dict:
    body = {"detail": str(exc.message), "field": exc.field, "code": type(exc).__name__}
    if exc.also:
        body["also"] = [{"detail": str(p.message), "field": p.field} for p in exc.also]
    return body


# Action arguments named differently from the API's fields.
_API_FIELD_NAMES = {"phone": "contact_phone", "location": "latitude"}


def name_fields_as_the_api(exc: CaseError) -> None:
    """Rename the fields an action's problems name to the API's own field names."""
    for problem in exc.every():
        problem.field = _API_FIELD_NAMES.get(problem.field or "", problem.field)
