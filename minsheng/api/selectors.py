"""Reads the API needs: scoped case lookups, id-or-code resolution, keyset pages, and which
actions a user may take on a case.

Scope always starts from ``permissions.visible_cases``: a case the user may not see is
reported as not found, so the API does not confirm that it exists.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import User
from minsheng.cases.errors import InvalidInput, NotFound
from minsheng.cases.models import TRIAGE_STATUSES, Case
from minsheng.cases.rules import permitted_actions
from minsheng.cases.selectors import (
    case_for_resident,
    get_case_by_tracking_code,
    matching,
    queue_for,
)
from minsheng.directory.models import Area, Category, Unit
from minsheng.directory.selectors import route_case

MAX_PAGE = 200

# --- id-or-code ---------------------------------------------------------------------------


def _by_id_or_code(model, value, *, field: str, message: str):  # type: ignore[no-untyped-def]
    """A JSON number is an id; a string is a code, or an id if no code matches."""
    if isinstance(value, bool) or value is None:
        raise InvalidInput(message, field=field)
    if isinstance(value, int):
        obj = model.objects.filter(pk=value).first()
    else:
        text = str(value).strip()
        obj = model.objects.filter(code=text).first() if text else None
        if obj is None and text.isdigit():
            obj = model.objects.filter(pk=int(text)).first()
    if obj is None:
        raise InvalidInput(message, field=field)
    return obj


def resolve_area(value: int | str) -> Area:
    return _by_id_or_code(
        Area, value, field="area", message=_("Please choose a valid village or community.")
    )


def resolve_category(value: int | str | None) -> Category | None:
    if value is None or value == "":
        return None
    return _by_id_or_code(
        Category, value, field="category", message=_("Please choose a valid category.")
    )


def resolve_unit(value: int | str) -> Unit:
    return _by_id_or_code(Unit, value, field="unit", message=_("Please choose a valid unit."))


def resolve_case_ref(value: int | str) -> Case:
    """A case named by id or tracking code, e.g. the survivor of a merge."""
    case = None
    if isinstance(value, int) and not isinstance(value, bool):
        case = Case.objects.filter(pk=value).first()
    elif isinstance(value, str):
        case = get_case_by_tracking_code(value)
        if case is None and value.strip().isdigit():
            case = Case.objects.filter(pk=int(value.strip())).first()
    if case is None:
        raise InvalidInput(_("No such case to merge into."), field="into")
    return case


# --- scoped lookups ------------------------------------------------------------------------


def _detail_queryset() -> QuerySet[Case]:
    return Case.objects.select_related(
        "category", "area", "current_unit", "current_unit__parent", "merged_into"
    )


def staff_case(user: User, case_id: int) -> Case:
    """The case if ``user`` may see it; NotFound otherwise."""
    case = _detail_queryset().filter(perms.scope_filter(user), pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def case_for_rendering(case_id: int) -> Case:
    """The case after an action, whether or not the actor can still see it (a return
    takes it out of the handler's scope, yet the handler should see the result)."""
    return _detail_queryset().get(pk=case_id)


def public_case(code: str, *, client: str | None) -> Case:
    """The case a resident follows by its code. With ``client`` (a code someone sent),
    unknown codes count against that client (429 after too many); without it, a re-read of
    a case the request already found."""
    case = (
        get_case_by_tracking_code(code)
        if client is None
        else case_for_resident(code, client=client)
    )
    if case is None:
        raise NotFound(_("No case has this tracking code. Please check it and try again."))
    return case


def proposed_unit(case: Case) -> Unit | None:
    if case.status not in TRIAGE_STATUSES:
        return None
    return route_case(category=case.category, area=case.area)


# --- what the user may do ------------------------------------------------------------------


def allowed_actions_for(user: User, case: Case, *, contact: bool) -> list[str]:
    """Action names this user may take now (see minsheng.cases.rules), plus
    ``reveal_contact`` where the user's unit holds a case with contact details."""
    names = permitted_actions(user, case)
    if contact and perms.can_reveal_contact(user, case):
        names.append("reveal_contact")
    return names


# --- listing -----------------------------------------------------------------------------


@dataclass
class CaseFilters:
    status: list[str] | None = None
    bucket: str | None = None
    unit: int | None = None
    area: int | None = None
    category: int | str | None = None
    q: str | None = None


def filtered_cases(user: User, filters: CaseFilters) -> QuerySet[Case]:
    """The user's cases narrowed by the listing filters (scope first, always)."""
    if filters.bucket:
        qs = queue_for(user=user, bucket=filters.bucket)
    else:
        qs = perms.visible_cases(user).select_related("category", "area", "current_unit")
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.unit is not None:
        qs = qs.filter(current_unit_id=filters.unit)
    if filters.area is not None:
        area = Area.objects.filter(pk=filters.area).only("path").first()
        if area is None:
            raise InvalidInput(_("No such area."), field="area")
        qs = qs.filter(area_path__startswith=area.path)
    if filters.category not in (None, ""):
        category = resolve_category(filters.category)
        qs = qs.filter(category_id=category.pk)  # type: ignore[union-attr]
    q = (filters.q or "").strip()
    if q:
        qs = matching(qs, q)
    # The listing never shows long texts; leave them in the database.
    return qs.defer("description", "resolution", "address")


def _encode_cursor(payload: dict) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> dict:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
            raise ValueError
        return payload
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(_("This page link is not valid."), field="cursor") from exc


def page_of_cases(
    qs: QuerySet[Case], *, ordering: str, limit: int, cursor: str | None
) -> tuple[list[Case], str | None]:
    """One keyset page: no OFFSET and no COUNT, so page 5000 costs what page 1 does.

    ``newest``: by id, newest first. ``deadline``: soonest deadline first, cases without a
    deadline last, ties by id.
    """
    limit = max(1, min(limit, MAX_PAGE))
    after = _decode_cursor(cursor) if cursor else None
    if ordering == "deadline":
        qs = qs.order_by(F("deadline").asc(nulls_last=True), "id")
        if after is not None:
            if after.get("d"):
                deadline = parse_datetime(after["d"])
                if deadline is None:
                    raise InvalidInput(_("This page link is not valid."), field="cursor")
                qs = qs.filter(
                    Q(deadline__gt=deadline)
                    | Q(deadline=deadline, id__gt=after["id"])
                    | Q(deadline__isnull=True)
                )
            else:
                qs = qs.filter(deadline__isnull=True, id__gt=after["id"])
    else:
        qs = qs.order_by("-id")
        if after is not None:
            qs = qs.filter(id__lt=after["id"])
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    payload: dict = {"id": last.pk}
    if ordering == "deadline" and last.deadline is not None:
        payload["d"] = last.deadline.astimezone(dt.UTC).isoformat()
    return rows, _encode_cursor(payload)
