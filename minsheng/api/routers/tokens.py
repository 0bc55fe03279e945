"""Issuing and revoking API tokens, and who the caller is."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from minsheng.accounts.forms import locked_message
from minsheng.accounts.models import ApiToken
from minsheng.accounts.permissions import is_staff_user
from minsheng.api import render
from minsheng.api.auth import STAFF_AUTH
from minsheng.api.errors import TooManyAttempts, WrongCredentials
from minsheng.api.routers import ERRORS_STAFF
from minsheng.api.schemas import ErrorOut, MeOut, TokenIn, TokenOut, ValidationErrorOut
from minsheng.cases.errors import InvalidInput
from minsheng.throttle import actions as throttle

router = Router(tags=["account"])

TOKEN_NAME_MAX = 60


@router.post(
    "/auth/token",
    response={201: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut},
    summary=gettext_lazy("Issue an API token"),
    description=gettext_lazy(
        "Exchange a staff username and password for a bearer token. The token is shown "
        "only in this response and expires after MINSHENG_API_TOKEN_DAYS (90 by default) "
        "or when the user's password changes. After 10 failed attempts for a username from "
        "one address, or 50 from one address, within 15 minutes, further attempts from that "
        "address are refused with 429 and a Retry-After header, the staff sign-in page too."
    ),
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Status:
    username = payload.username.strip()
    client = throttle.client_ip(request)
    until = throttle.locked_until(throttle.LOGIN, client=client, subject=username)
    if until is not None:
        raise TooManyAttempts(locked_message(until), until=until)
    name = payload.name.strip()
    if not name:
        raise InvalidInput(_("Please give the token a name."), field="name")
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidInput(
            _("The name is too long: at most %(max)d characters.") % {"max": TOKEN_NAME_MAX},
            field="name",
        )
    user = authenticate(request, username=username, password=payload.password)
    if user is None or not is_staff_user(user):
        throttle.record_failure(throttle.LOGIN, client=client, subject=username)
        raise WrongCredentials()
    throttle.clear_failures(throttle.LOGIN, client=client, subject=username)
    with transaction.atomic():
        token, raw = ApiToken.issue(user=user, name=name)
    body = {"token": raw, "name": token.name, "prefix": token.prefix}
    return Status(201, {**body, "created_at": token.created_at, "expires_at": token.expires_at})


@router.delete(
    "/auth/token",
    auth=STAFF_AUTH,
    response={204: None, **ERRORS_STAFF},
    summary=gettext_lazy("Revoke the token used for this request"),
)
def revoke_token(request: HttpRequest) -> Status:
    token = getattr(request, "api_token", None)
    if token is None:
        raise InvalidInput(_("This request was not made with an API token."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return Status(204, None)


@router.get(
    "/me",
    auth=STAFF_AUTH,
    response={200: MeOut, **ERRORS_STAFF},
    summary=gettext_lazy("The signed-in staff user"),
    description=gettext_lazy("Username, role, units and the area subtree the user works in."),
)
def me(request: HttpRequest) -> dict:
    return render.me(request.auth)  # type: ignore[attr-defined]
