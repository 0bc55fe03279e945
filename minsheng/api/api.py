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
from minsheng.api.routers import cases, public, reference, tokens
from minsheng.cases.errors import CaseError, NotFound

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
api.add_router("", public.router)


def _respond(request: HttpRequest, exc: CaseError, **extra: object) -> HttpResponse:
    response = api.create_response(request, {**error_body(exc), **extra}, status=exc.status_code)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="minsheng"'
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
        "message": str(error.get("msg", "")),
    }
