"""Who is calling the staff API: a bearer token, or a logged-in browser session.

Token clients send ``Authorization: Bearer ms_…``; only a SHA-256 digest is stored, so a
leaked database does not leak usable tokens. Browser clients reuse their Django session
and must send the CSRF token on unsafe methods, as every Django form does.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from minsheng.accounts.models import ApiToken, User
from minsheng.accounts.permissions import is_staff_user
from minsheng.api.errors import CsrfFailed

# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` for scripts, apps and integrations: a token that
    is neither revoked (by its client, an administrator or a password change) nor expired,
    of a user who is still active."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token:
            return None
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash(token), revoked_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if found is None or not is_staff_user(found.user):
            return None
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class StaffSession(APIKeyCookie):
    """The browser's Django session, with Django's CSRF check on unsafe methods.

    Unlike ninja's ``django_auth``, the CSRF check runs only when a session user is
    actually present, so a request with a bad bearer token and no session gets a clear
    401 rather than a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if not is_staff_user(user):
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise CsrfFailed()
        return user  # type: ignore[return-value]


STAFF_AUTH = [BearerToken(), StaffSession()]
