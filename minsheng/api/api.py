"""The NinjaAPI instance: routers, the bearer security scheme, and one error format.

Every error, whether an action refused (CaseError), the schema rejected the input, or the
caller is not signed in, comes back as ``{"detail", "field", "code"}`` with the message in
the request's language (LocaleMiddleware reads Accept-Language).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from minsheng.api.errors import InvalidRequest, NotAuthenticated, error_body
from minsheng.api.routers import cases, photos, public, reference, tokens
from minsheng.cases.errors import CaseError, NotFound
from minsheng.throttle.actions import TooManyTries

api = NinjaAPI(
    title="minsheng API",
    version="1",
    description=(
        "Residents' requests about public services, from intake to a rated close. "
        "Staff endpoints take `Authorization: Bearer <token>` (see POST /api/auth/token) "
        "or a signed-in browser session with its CSRF token; /api/public/ endpoints "
        "need no sign-in. Errors are {detail, field, code}, the detail in the language "
        "of Accept-Language."
    ),
    urls_namespace="api",
)

api.add_router("", tokens.router)
api.add_router("", reference.router)
api.add_router("", cases.router)
api.add_router("", photos.router)
api.add_router("", public.router)


def _respond(request: HttpRequest, exc: CaseError, **extra: object) -> HttpResponse:
    response = api.create_response(request, {**error_body(exc), **extra}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="minsheng"'
    if isinstance(exc, TooManyTries):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(CaseError)
def on_case_error(request: HttpRequest, exc: CaseError) -> HttpResponse:
    return _respond(request, exc)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _respond(request, NotAuthenticated())


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, NotFound(_("Not found.")))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:
        # ninja's only 400 is a request body it could not parse.
        return _respond(
            request, InvalidRequest(_("The request body is not valid JSON.")), errors=[]
        )
    error = CaseError(exc.message)
    error.status_code = exc.status_code
    return _respond(request, error)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    issues = [_issue(e) for e in exc.errors]
    field = next((i["field"] for i in issues if i["field"]), None)
    return _respond(request, InvalidRequest(field=field), errors=issues)


# The names the routers give their schema-typed parameters.
SCHEMA_PARAMETERS = {"payload", "filters"}


def _issue(error: dict) -> dict:
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    location = loc[0] if loc else ""
    names = loc[1:]
    # Schema parameters nest their fields under the parameter's name; clients never see it.
    if len(names) > 1 and names[0] in SCHEMA_PARAMETERS:
        names = names[1:]
    return {
        "field": ".".join(names) or None,
        "location": location,
        "message": _schema_message(error),
    }


def _schema_message(error: dict) -> str:
    """pydantic's message in the reader's language, for the mistakes clients make; any
    other stays pydantic's (English) words."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in ("int_type", "int_parsing", "int_from_float", "float_type", "float_parsing"):
        return _("A number is expected here.")
    if kind in ("string_type",):
        return _("Text is expected here.")
    if kind in ("bool_type", "bool_parsing"):
        return _("true or false is expected here.")
    if kind == "string_too_long":
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length", "")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("It must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", ""))}
    if kind in ("less_than_equal", "less_than"):
        return _("It must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", ""))}
    if kind in ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"):
        return _("A date and time such as 2026-11-25T09:30:00+08:00 is expected here.")
    return str(error.get("msg", ""))
