"""Reads behind the Open311 endpoints. Every list is filtered and limited in the database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Length, Lower, StrIndex

from minsheng.cases.models import FINAL_STATUSES, OPEN_STATUSES, Case, Event, EventKind, Status
from minsheng.contacts.selectors import private_terms
from minsheng.directory.models import Area, Category
from minsheng.open311.models import (
    AreaBoundary,
    CaseAttributeValue,
    ServiceAttribute,
    ServiceProfile,
    Submission,
)

# Open311 knows two statuses. A resolved case counts as closed: the specification defines
# closed as "it has been resolved"; if the resident is unsatisfied it reopens and shows
# as open again.
CLOSED_STATUSES = (*FINAL_STATUSES, Status.RESOLVED)
OPEN311_OPEN_STATUSES = tuple(s for s in OPEN_STATUSES if s != Status.RESOLVED)

# Timeline events published as servicerequestupdates, with the mySociety extended status.
UPDATE_STATUS = {
    EventKind.DISPATCHED: "open",
    EventKind.ACCEPTED: "investigating",
    EventKind.NOTE: "in_progress",
    EventKind.RETURNED: "internal_referral",
    EventKind.ESCALATED: "internal_referral",
    EventKind.RESOLVED: "fixed",
    EventKind.CLOSED: "closed",
    EventKind.REOPENED: "open",
    EventKind.MERGED: "duplicate",
    EventKind.DECLINED: "not_councils_responsibility",
    EventKind.WITHDRAWN: "no_further_action",
}
# Events shown in the notes history of extensions=true (the public timeline, minus ratings,
# which are the resident's own words about the service).
NOTE_KINDS = (EventKind.SUBMITTED, *UPDATE_STATUS)


def open311_status(case_status: str) -> str:
    return "closed" if case_status in CLOSED_STATUSES else "open"


# --- services ----------------------------------------------------------------------------


@dataclass
class Service:
    category: Category
    group: str
    attributes: list[ServiceAttribute]


def list_services() -> list[Service]:
    """Active categories with their active attributes and group, in three queries."""
    categories = list(Category.objects.filter(is_active=True))
    return _with_details(categories)


def get_service(code: str) -> Service | None:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return None
    return _with_details([category])[0]


def _with_details(categories: list[Category]) -> list[Service]:
    ids = [c.pk for c in categories]
    attributes: dict[int, list[ServiceAttribute]] = defaultdict(list)
    for attribute in ServiceAttribute.objects.filter(category_id__in=ids, is_active=True):
        attributes[attribute.category_id].append(attribute)
    groups = dict(
        ServiceProfile.objects.filter(category_id__in=ids).values_list("category_id", "group")
    )
    return [
        Service(category=c, group=groups.get(c.pk, ""), attributes=attributes.get(c.pk, []))
        for c in categories
    ]


# --- areas -------------------------------------------------------------------------------


def area_by_code(code: str) -> Area | None:
    return Area.objects.filter(code=code).first()


def area_at_point(*, lat: float, lon: float) -> Area | None:
    """The deepest area whose boundary contains the point; None outside every boundary."""
    candidates = (
        AreaBoundary.objects.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )
        .select_related("area")
        .order_by("-area__depth", "area_id")
    )
    for boundary in candidates:
        if boundary.contains(lon=lon, lat=lat):
            return boundary.area
    return None


def area_named_in(address: str) -> Area | None:
    """The area the address text names, or None.

    Names in any language count. The area whose chain of ancestors is named most fully
    wins ("东湖镇柳树村" picks the 柳树村 under 东湖镇, not a namesake elsewhere), then the
    deepest, then the longest name. The database does the substring search, so no area
    that is not named is loaded.
    """
    text = (address or "").strip()
    if not text:
        return None
    haystack = Value(text, output_field=CharField())
    lowered = Lower(Value(text, output_field=CharField()))
    qs = (
        Area.objects.annotate(
            at_zh=StrIndex(haystack, F("name")),
            at_en=StrIndex(lowered, Lower(F("name_en"))),
            at_ug=StrIndex(haystack, F("name_ug")),
            len_zh=Length("name"),
            len_en=Length("name_en"),
            len_ug=Length("name_ug"),
        )
        .filter(
            Q(at_zh__gt=0, len_zh__gte=2)
            | Q(at_en__gt=0, len_en__gte=3)
            | Q(at_ug__gt=0, len_ug__gte=2)
        )
        .order_by("-depth", "pk")
    )
    named = list(qs[:200])
    named_ids = {a.pk for a in named}

    def score(area: Area) -> tuple[int, int, int]:
        chain = sum(1 for p in area.path.strip("/").split("/") if p and int(p) in named_ids)
        longest = max(
            (len(n) for n in (area.name, area.name_en, area.name_ug) if n and _mentions(text, n)),
            default=0,
        )
        return (chain, area.depth, longest)

    return max(named, key=score, default=None)


def _mentions(text: str, name: str) -> bool:
    return name in text or name.lower() in text.lower()


def area_addresses(areas: list[Area]) -> dict[int, str]:
    """Each area's name with its ancestors, most specific first (as the specification
    asks of addresses), with one query for every ancestor on the page."""
    paths = {a.pk: [int(p) for p in a.path.strip("/").split("/") if p] for a in areas}
    names = {
        pk: area.label
        for pk, area in Area.objects.in_bulk({i for ids in paths.values() for i in ids}).items()
    }
    return {
        area_id: ", ".join(names[i] for i in reversed(ids) if i in names)
        for area_id, ids in paths.items()
    }


# --- requests ----------------------------------------------------------------------------


def _with_related(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("category", "area", "current_unit")


def published_cases() -> QuerySet[Case]:
    """Cases Open311 may publish: the same as the public board, so a case staff hid from
    the board (with a recorded reason) is absent from every list, lookup and update."""
    return Case.objects.filter(hidden_from_board=False)


def requests_by_ids(ids: list[int]) -> list[Case]:
    return list(_with_related(published_cases().filter(pk__in=ids)).order_by("-created_at", "-pk"))


def search_requests(
    *,
    start: dt.datetime,
    end: dt.datetime,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
    offset: int = 0,
    limit: int = 1000,
) -> list[Case]:
    """Cases raised in [start, end], newest first, one page.

    Uses the created_at index for the window; categories are resolved to ids first so the
    filter is on the case's own indexed foreign key.
    """
    qs = published_cases().filter(created_at__gte=start, created_at__lte=end)
    if service_codes:
        category_ids = list(
            Category.objects.filter(code__in=service_codes).values_list("pk", flat=True)
        )
        qs = qs.filter(category_id__in=category_ids)
    if statuses:
        wanted: list[str] = []
        if "open" in statuses:
            wanted += OPEN311_OPEN_STATUSES
        if "closed" in statuses:
            wanted += CLOSED_STATUSES
        qs = qs.filter(status__in=wanted)
    qs = _with_related(qs).order_by("-created_at", "-pk")
    return list(qs[offset : offset + limit])


def get_request(case_id: int) -> Case | None:
    return _with_related(published_cases().filter(pk=case_id)).first()


def request_by_token(token: str) -> Case | None:
    """The token is the tracking code the POST response told the submitter."""
    code = "".join(str(token or "").split()).upper()
    if not code or len(code) > 12:
        return None
    return Case.objects.filter(tracking_code=code).only("pk", "tracking_code").first()


@dataclass
class RequestDetails:
    """What one page of requests needs beyond the case rows, fetched in a few queries."""

    closing_notes: dict[int, str]
    private_terms: dict[int, tuple[str, ...]]
    attributes: dict[int, list[CaseAttributeValue]]
    notes: dict[int, list[Event]]
    submitted_by_key: dict[int, int]
    addresses: dict[int, str]


def request_details(cases: list[Case], *, extensions: bool) -> RequestDetails:
    ids = [c.pk for c in cases]
    closing_notes: dict[int, str] = {}
    ending = [c.pk for c in cases if c.status in (Status.DECLINED, Status.WITHDRAWN)]
    if ending:
        for case_id, note in (
            Event.objects.filter(
                case_id__in=ending,
                kind__in=[EventKind.DECLINED, EventKind.WITHDRAWN],
                is_public=True,
            )
            .order_by("created_at", "id")
            .values_list("case_id", "note")
        ):
            closing_notes[case_id] = note
    attributes: dict[int, list[CaseAttributeValue]] = defaultdict(list)
    notes: dict[int, list[Event]] = defaultdict(list)
    submitted_by_key: dict[int, int] = {}
    if extensions and ids:
        for value in (
            CaseAttributeValue.objects.filter(case_id__in=ids)
            .select_related("attribute")
            .order_by("attribute__order", "attribute__code")
        ):
            attributes[value.case_id].append(value)
        for event in (
            Event.objects.filter(case_id__in=ids, is_public=True, kind__in=NOTE_KINDS)
            .select_related("unit")
            .order_by("created_at", "id")
        ):
            notes[event.case_id].append(event)
        submitted_by_key = dict(
            Submission.objects.filter(case_id__in=ids).values_list("case_id", "api_key_id")
        )
    return RequestDetails(
        closing_notes=closing_notes,
        private_terms=private_terms(ids),
        attributes=attributes,
        notes=notes,
        submitted_by_key=submitted_by_key,
        addresses=area_addresses(list({c.area_id: c.area for c in cases}.values())),
    )


# --- updates -----------------------------------------------------------------------------


def search_updates(
    *, start: dt.datetime, end: dt.datetime, offset: int = 0, limit: int = 1000
) -> list[Event]:
    """Public status-changing events in [start, end], oldest first (the order clients apply)."""
    qs = (
        Event.objects.filter(
            created_at__gte=start,
            created_at__lte=end,
            is_public=True,
            kind__in=UPDATE_STATUS,
            case__hidden_from_board=False,
        )
        .select_related("unit")
        .annotate(case_status=F("case__status"), case_dispatched_at=F("case__dispatched_at"))
        .order_by("created_at", "id")
    )
    return list(qs[offset : offset + limit])
