"""Which language a resident's page opens in, besides the phone's own setting.

Django's LocaleMiddleware reads the language cookie (set by the language switch), then
the browser's Accept-Language. Two things a resident holds know their language better
than the phone does:

- a link that names it, ``?lang=ug``: the Uyghur poster's QR code. ``LanguageLinkMiddleware``
  sets the language cookie for the visit and redirects to the same address without the
  parameter, so a later switch of language is not undone by the address;
- their case: the tracking page opens in the language the case was reported in, unless
  the visitor chose a language with the switch (``use_case_language``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation

LANGUAGE_PARAMETER = "lang"


def supported_language(value: str | None) -> str | None:
    """The site's language code for ``value`` ("ug", "zh-Hans", "en-GB"…), or None."""
    if not value:
        return None
    try:
        return translation.get_supported_language_variant(value.strip().lower())
    except LookupError:
        return None


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,  # None: for this visit (a session cookie)
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# Where a printed or texted link may lead: the resident's pages and the public board. Staff
# pages give ``lang`` other meanings (the language of a poster to print).
LINK_NAMESPACES = frozenset({"intake", "board"})


class LanguageLinkMiddleware:
    """``GET /report/?area=V1&lang=ug`` → the language cookie ``ug`` and a redirect to
    ``/report/?area=V1``. An unknown language is ignored (the page opens as usual)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
        if request.method not in ("GET", "HEAD") or LANGUAGE_PARAMETER not in request.GET:
            return None
        match = request.resolver_match
        if match is None or match.namespace not in LINK_NAMESPACES:
            return None
        language = supported_language(request.GET.get(LANGUAGE_PARAMETER))
        if language is None:
            return None
        query = request.GET.copy()
        del query[LANGUAGE_PARAMETER]
        response = HttpResponseRedirect(request.path + (f"?{query.urlencode()}" if query else ""))
        response["Cache-Control"] = "no-store"
        _set_language_cookie(response, language)
        return response


def chose_language(request: HttpRequest) -> bool:
    """Whether the visitor picked a language on this site (the switch, or a link naming one)."""
    return supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) is not None


def use_case_language(request: HttpRequest, language: str) -> None:
    """Show this request's page in the case's language, unless the visitor chose another.

    A resident opening the link from an SMS on a phone set to Chinese reads their Uyghur
    case in Uyghur; the language switch on the page still wins.
    """
    if chose_language(request):
        return
    language = supported_language(language)
    if language is not None:
        translation.activate(language)
        request.LANGUAGE_CODE = language
