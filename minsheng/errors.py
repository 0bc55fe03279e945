"""The server error page carries a short reference, and the logged error the same one, so
a clerk who reads it out on the phone leads the administrator to the right log line."""

from __future__ import annotations

import logging
import secrets

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token


def new_reference() -> str:
    return secrets.token_hex(4)  # 8 characters: enough to find one line in a day's log


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponseServerError:
    """Django's own 500 view, plus the reference. Rendered without the request's context
    processors: they may need the database, which may be what failed."""
    reference = new_reference()
    request.error_reference = reference  # type: ignore[attr-defined]
    return HttpResponseServerError(
        loader.get_template(template_name).render({"reference": reference})
    )


class ErrorReferenceFilter(logging.Filter):
    """Puts the reference shown on the 500 page at the start of Django's logged error."""

    def filter(self, record: logging.LogRecord) -> bool:
        reference = getattr(getattr(record, "request", None), "error_reference", None)
        if reference and not getattr(record, "error_reference", None):
            record.error_reference = reference
            record.msg = f"[ref {reference}] {record.msg}"
        return True
