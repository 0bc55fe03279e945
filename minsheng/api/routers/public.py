"""The resident's endpoints: submit, follow by tracking code, rate, withdraw.

No sign-in and no CSRF token: the tracking code is the resident's key. Responses never
carry contact details or staff names, and free text is redacted. Unknown codes count
against the caller's address: after 30 within 10 minutes, calls by code get 429.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from minsheng.api import render, selectors
from minsheng.api.errors import name_fields_as_the_api
from minsheng.api.routers import ERRORS_PUBLIC
from minsheng.api.schemas import (
    ErrorOut,
    PublicCaseIn,
    PublicCaseOut,
    PublicRatingIn,
    PublicWithdrawIn,
)
from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import Case, Channel
from minsheng.cases.selectors import timeline
from minsheng.throttle.actions import client_ip

router = Router(tags=["residents"])

# Calls by tracking code may be refused with 429 (too many unknown codes from the caller).
PUBLIC_CASE = {200: PublicCaseOut, **ERRORS_PUBLIC, 429: ErrorOut}


def _public(case: Case) -> dict:
    return render.public_case(case, events=list(timeline(case=case, public_only=True)))


@router.post(
    "/public/cases",
    response={201: PublicCaseOut, **ERRORS_PUBLIC},
    summary=gettext_lazy("Submit a request"),
    description=gettext_lazy(
        "A resident raises a request about a service or a place. Contact details are "
        "optional. Keep the tracking code to follow the case. A repeated submission_key "
        "returns the case first created with it."
    ),
)
def submit(request: HttpRequest, payload: PublicCaseIn) -> Status:
    try:
        case = actions.submit_case(
            actor=actions.RESIDENT,
            title=payload.title,
            description=payload.description,
            category=selectors.resolve_category(payload.category),
            area=selectors.resolve_area(payload.area),
            channel=Channel.API,
            address=payload.address,
            latitude=payload.latitude,
            longitude=payload.longitude,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            language=payload.language,
            submission_key=payload.submission_key or None,
        )
    except CaseError as exc:
        name_fields_as_the_api(exc)
        raise
    return Status(201, _public(case))


@router.get(
    "/public/cases/{tracking_code}",
    response=PUBLIC_CASE,
    summary=gettext_lazy("Follow a request"),
    description=gettext_lazy(
        "Status, the unit handling it, its deadline and the public timeline, by tracking code."
    ),
)
def track(request: HttpRequest, tracking_code: str) -> dict:
    return _public(selectors.public_case(tracking_code, client=client_ip(request)))


@router.post(
    "/public/cases/{tracking_code}/rating",
    response=PUBLIC_CASE,
    summary=gettext_lazy("Rate a resolved request"),
    description=gettext_lazy(
        "A rating of 3 or more with the problem solved closes the case; otherwise it reopens."
    ),
)
def rate(request: HttpRequest, tracking_code: str, payload: PublicRatingIn) -> dict:
    case = selectors.public_case(tracking_code, client=client_ip(request))
    case = actions.rate_case(
        actor=actions.RESIDENT,
        case=case.pk,
        rating=payload.rating,
        is_solved=payload.is_solved,
        comment=payload.comment,
        expected_version=payload.expected_version,
    )
    # Read again: the action's copy holds times as it computed them (local time), the
    # stored ones come back in UTC like every other response.
    return _public(selectors.public_case(case.tracking_code, client=None))


@router.post(
    "/public/cases/{tracking_code}/withdraw",
    response=PUBLIC_CASE,
    summary=gettext_lazy("Withdraw a request"),
    description=gettext_lazy("The resident no longer needs help."),
)
def withdraw(request: HttpRequest, tracking_code: str, payload: PublicWithdrawIn) -> dict:
    case = selectors.public_case(tracking_code, client=client_ip(request))
    case = actions.withdraw_case(actor=actions.RESIDENT, case=case.pk, reason=payload.reason)
    return _public(selectors.public_case(case.tracking_code, client=None))
