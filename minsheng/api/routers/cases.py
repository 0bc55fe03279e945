"""Staff endpoints on cases: list, record, read, act, and the audited contact reveal.

Each action endpoint finds the case within the caller's scope (404 otherwise), calls the
one function in minsheng.cases.actions that makes the change, and returns the case as it
now is. Refusals come back as the action raised them (403, 409, 400 with the field).
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from minsheng.accounts.models import User
from minsheng.api import render, selectors
from minsheng.api.auth import STAFF_AUTH
from minsheng.api.errors import name_fields_as_the_api
from minsheng.api.routers import ERRORS_STAFF
from minsheng.api.schemas import (
    Bucket,
    CaseDetail,
    CaseIn,
    CasePage,
    ContactOut,
    DispatchIn,
    EventOut,
    ExtensionIn,
    ExtensionOut,
    GrantExtensionIn,
    MergeIn,
    NoteIn,
    OptionalReasonIn,
    Ordering,
    RatingIn,
    ReasonIn,
    ResolveIn,
    RevealIn,
    VersionIn,
)
from minsheng.cases import actions
from minsheng.cases.errors import CaseError, InvalidInput
from minsheng.cases.models import Status as CaseStatus
from minsheng.cases.selectors import pending_extensions, timeline
from minsheng.contacts.actions import reveal_contact
from minsheng.contacts.selectors import has_contact_details

router = Router(tags=["cases"], auth=STAFF_AUTH)

CASE = {200: CaseDetail, **ERRORS_STAFF}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _detail(user: User, case_id: int) -> dict:
    case = selectors.case_for_rendering(case_id)
    contact = has_contact_details(case.pk)
    return render.case_detail(
        case,
        allowed_actions=selectors.allowed_actions_for(user, case, contact=contact),
        proposed_unit=selectors.proposed_unit(case),
        has_contact=contact,
    )


class CaseListFilters(Schema):
    status: list[CaseStatus] | None = Field(None, description="Repeat for several statuses.")
    bucket: Bucket | None = Field(
        None,
        description=(
            "A queue: new (waiting to be accepted), due_soon (deadline within one working "
            "day), overdue, active (held by a unit), all (every open case)."
        ),
    )
    unit: int | None = Field(None, description="Held by this unit id.")
    area: int | None = Field(None, description="In this area id or anywhere below it.")
    category: int | str | None = Field(None, description="Category id or code.")
    q: str | None = Field(None, description="A tracking code, or words of the title.")
    ordering: Ordering = Field("newest", description="newest first, or soonest deadline first.")
    limit: int = Field(50, ge=1, le=selectors.MAX_PAGE)
    cursor: str | None = Field(None, description="next_cursor of the previous page.")


@router.get(
    "/cases",
    response={200: CasePage, **ERRORS_STAFF},
    summary=gettext_lazy("Cases in my scope"),
    description=gettext_lazy(
        "The cases the caller may see, filtered, a keyset page at a time. Listings never "
        "carry contact details or descriptions."
    ),
)
def list_cases(request: HttpRequest, filters: Query[CaseListFilters]) -> dict:
    qs = selectors.filtered_cases(
        _user(request),
        selectors.CaseFilters(
            status=[s.value for s in filters.status] if filters.status else None,
            bucket=filters.bucket,
            unit=filters.unit,
            area=filters.area,
            category=filters.category,
            q=filters.q,
        ),
    )
    rows, next_cursor = selectors.page_of_cases(
        qs, ordering=filters.ordering, limit=filters.limit, cursor=filters.cursor
    )
    return {"items": [render.case_summary(c) for c in rows], "next_cursor": next_cursor}


@router.post(
    "/cases",
    response={201: CaseDetail, **ERRORS_STAFF},
    summary=gettext_lazy("Record a case"),
    description=gettext_lazy(
        "An operator or work team records a request from a call, visit or meeting. "
        "A repeated submission_key returns the case first created with it (with the first "
        "request's content: a different body under the same key is not recorded again). "
        "A case recorded by a work team (a handler) waits for an operator to dispatch it; "
        "the handler sees it again only once their unit holds it."
    ),
)
def create_case(request: HttpRequest, payload: CaseIn) -> Status:
    user = _user(request)
    # An unknown area or category is reported together with the action's own checks of
    # the other fields, so a client shows every problem at once.
    unknown: list[InvalidInput] = []

    def known(resolve, value):  # type: ignore[no-untyped-def]
        try:
            return resolve(value)
        except InvalidInput as exc:
            unknown.append(exc)
            return None

    category = known(selectors.resolve_category, payload.category)
    area = known(selectors.resolve_area, payload.area)
    try:
        with transaction.atomic():
            case = actions.submit_case(
                actor=user,
                title=payload.title,
                description=payload.description,
                category=category,
                area=area,
                channel=payload.channel,
                address=payload.address,
                latitude=payload.latitude,
                longitude=payload.longitude,
                contact_name=payload.contact_name,
                contact_phone=payload.contact_phone,
                priority=payload.priority,
                submission_key=payload.submission_key or None,
            )
            if unknown:
                # Never kept: it was made without what the client named.
                raise InvalidInput.together(list(unknown))
    except CaseError as exc:
        if unknown and isinstance(exc, InvalidInput):
            named = {problem.field for problem in unknown}
            others = [p for p in exc.every() if p.field not in named]
            exc = InvalidInput.together([*unknown, *others])
        name_fields_as_the_api(exc)
        raise exc from None
    return Status(201, _detail(user, case.pk))


@router.get(
    "/cases/{case_id}",
    response=CASE,
    summary=gettext_lazy("A case"),
    description=gettext_lazy(
        "The case with its version (send it back as expected_version), the actions the "
        "caller may take now, and the routing proposal while it waits for dispatch."
    ),
)
def get_case(request: HttpRequest, case_id: int) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    return _detail(user, case.pk)


@router.get(
    "/cases/{case_id}/events",
    response={200: list[EventOut], **ERRORS_STAFF},
    summary=gettext_lazy("A case's timeline"),
    description=gettext_lazy("Every event, internal ones included, oldest first."),
)
def case_events(request: HttpRequest, case_id: int) -> list[dict]:
    case = selectors.staff_case(_user(request), case_id)
    return [render.event(e) for e in timeline(case=case, public_only=False)]


@router.post("/cases/{case_id}/dispatch", response=CASE, summary=gettext_lazy("Dispatch"))
def dispatch(request: HttpRequest, case_id: int, payload: DispatchIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.dispatch_case(
        actor=user,
        case=case.pk,
        unit=selectors.resolve_unit(payload.unit),
        note=payload.note,
        expected_version=payload.expected_version,
        category=selectors.resolve_category(payload.category),
    )
    return _detail(user, case.pk)


@router.post("/cases/{case_id}/accept", response=CASE, summary=gettext_lazy("Accept"))
def accept(request: HttpRequest, case_id: int, payload: VersionIn | None = None) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    version = payload.expected_version if payload else None
    actions.accept_case(actor=user, case=case.pk, expected_version=version)
    return _detail(user, case.pk)


@router.post("/cases/{case_id}/notes", response=CASE, summary=gettext_lazy("Add a progress note"))
def add_note(request: HttpRequest, case_id: int, payload: NoteIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.add_note(
        actor=user,
        case=case.pk,
        note=payload.note,
        is_public=payload.is_public,
        expected_version=payload.expected_version,
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/return",
    response=CASE,
    summary=gettext_lazy("Return a mis-routed case to dispatch"),
)
def return_(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.return_case(
        actor=user, case=case.pk, reason=payload.reason, expected_version=payload.expected_version
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/escalate",
    response=CASE,
    summary=gettext_lazy("Escalate to the next level"),
)
def escalate(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.escalate_case(
        actor=user, case=case.pk, reason=payload.reason, expected_version=payload.expected_version
    )
    return _detail(user, case.pk)


@router.post("/cases/{case_id}/resolve", response=CASE, summary=gettext_lazy("Resolve"))
def resolve(request: HttpRequest, case_id: int, payload: ResolveIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.resolve_case(
        actor=user,
        case=case.pk,
        resolution=payload.resolution,
        expected_version=payload.expected_version,
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/rating",
    response=CASE,
    summary=gettext_lazy("Record the resident's rating from a call-back"),
    description=gettext_lazy(
        "A rating of 3 or more with the problem solved closes the case; otherwise it reopens."
    ),
)
def rate(request: HttpRequest, case_id: int, payload: RatingIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.rate_case(
        actor=user,
        case=case.pk,
        rating=payload.rating,
        is_solved=payload.is_solved,
        comment=payload.comment,
        expected_version=payload.expected_version,
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/merge",
    response=CASE,
    summary=gettext_lazy("Merge into another open case"),
)
def merge(request: HttpRequest, case_id: int, payload: MergeIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.merge_case(
        actor=user,
        case=case.pk,
        into=selectors.resolve_case_ref(payload.into).pk,
        expected_version=payload.expected_version,
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/decline",
    response=CASE,
    summary=gettext_lazy("Decline as out of scope"),
)
def decline(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.decline_case(
        actor=user, case=case.pk, reason=payload.reason, expected_version=payload.expected_version
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/withdraw",
    response=CASE,
    summary=gettext_lazy("Withdraw on the resident's behalf"),
)
def withdraw(request: HttpRequest, case_id: int, payload: OptionalReasonIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.withdraw_case(
        actor=user, case=case.pk, reason=payload.reason, expected_version=payload.expected_version
    )
    return _detail(user, case.pk)


@router.get(
    "/extensions",
    response={200: list[ExtensionOut], **ERRORS_STAFF},
    summary=gettext_lazy("Requests for more time awaiting a decision"),
    description=gettext_lazy(
        "The requests for more time (extensions) that still stand in the caller's scope, "
        "oldest first, at most 200."
    ),
)
def list_extensions(request: HttpRequest) -> list[dict]:
    items = pending_extensions(user=_user(request)).select_related("requested_by")[:200]
    return [render.extension(x) for x in items]


@router.post(
    "/cases/{case_id}/extension",
    response=CASE,
    summary=gettext_lazy("Ask for more time"),
    description=gettext_lazy(
        "The holding unit asks for a later deadline: days (working days added to the "
        "current deadline) or until (a working day). The deadline moves only when an "
        "operator or supervisor grants it."
    ),
)
def request_extension(request: HttpRequest, case_id: int, payload: ExtensionIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.request_extension(
        actor=user,
        case=case.pk,
        reason=payload.reason,
        days=payload.days,
        until=payload.until,
        expected_version=payload.expected_version,
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/extension/grant",
    response=CASE,
    summary=gettext_lazy("Grant more time"),
    description=gettext_lazy(
        "Grant the pending request as asked, or with an earlier deadline (days or until)."
    ),
)
def grant_extension(request: HttpRequest, case_id: int, payload: GrantExtensionIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.grant_extension(
        actor=user,
        case=case.pk,
        note=payload.note,
        days=payload.days,
        until=payload.until,
        expected_version=payload.expected_version,
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/extension/refuse",
    response=CASE,
    summary=gettext_lazy("Refuse more time"),
)
def refuse_extension(request: HttpRequest, case_id: int, payload: ReasonIn) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.refuse_extension(
        actor=user, case=case.pk, reason=payload.reason, expected_version=payload.expected_version
    )
    return _detail(user, case.pk)


@router.post(
    "/cases/{case_id}/contact/reveal",
    response={200: ContactOut, **ERRORS_STAFF},
    summary=gettext_lazy("Reveal the resident's contact details"),
    description=gettext_lazy(
        "Only for members of the unit holding the case; every reveal is written to the "
        "case's internal timeline. The response must not be cached."
    ),
)
def reveal(request: HttpRequest, case_id: int, payload: RevealIn, response: HttpResponse) -> dict:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    name, phone = reveal_contact(actor=user, case=case.pk, reason=payload.reason)
    response["Cache-Control"] = "no-store"
    return {"name": name, "phone": phone}
