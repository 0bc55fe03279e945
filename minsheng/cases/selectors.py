"""Reads of cases that are more than a one-liner: queues, overdue lists, counts, timelines.

Every staff read starts from ``permissions.visible_cases`` so scope is never forgotten.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.accounts.permissions import can_view_case, unit_ids, visible_cases
from minsheng.cases.errors import InvalidInput
from minsheng.cases.models import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    TRIAGE_STATUSES,
    ActorKind,
    Case,
    Event,
    EventKind,
    Extension,
    ExtensionStatus,
    Status,
)
from minsheng.cases.redaction import redact
from minsheng.directory.calendar import WorkingCalendar
from minsheng.directory.models import Unit
from minsheng.directory.selectors import unit_labels
from minsheng.throttle import actions as throttle


def due_soon_before(now: dt.datetime, calendar: WorkingCalendar | None = None) -> dt.datetime:
    """A running case is "due soon" when its deadline falls before this moment: one working
    day from now on the working calendar, so on Friday afternoon a case due on Monday
    morning is already flagged (24 calendar hours would miss it over the weekend)."""
    return (calendar or WorkingCalendar.load()).add_working_days(now, 1)


class QueueBucket:
    NEW = "new"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    ACTIVE = "active"
    ALL = "all"
    CHOICES = (NEW, DUE_SOON, OVERDUE, ACTIVE, ALL)


def _with_related(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("category", "area", "current_unit")


def queue_for(
    *,
    user: User,
    bucket: str = QueueBucket.ACTIVE,
    now: dt.datetime | None = None,
    unit: Unit | None = None,
) -> QuerySet[Case]:
    """A handler's queue: cases held by their units, filtered to one bucket.

    new = waiting to be accepted (dispatched, escalated or reopened to the unit);
    due_soon = running with a deadline within one working day; overdue = running past deadline;
    active = everything the unit is holding; all = also the ones it resolved.
    """
    now = now or timezone.now()
    qs = visible_cases(user)
    if unit is not None:
        qs = qs.filter(current_unit=unit)
    if bucket == QueueBucket.NEW:
        qs = qs.filter(status__in=[Status.DISPATCHED, Status.ESCALATED, Status.REOPENED])
    elif bucket == QueueBucket.DUE_SOON:
        qs = qs.filter(
            status__in=RUNNING_STATUSES, deadline__gte=now, deadline__lt=due_soon_before(now)
        )
    elif bucket == QueueBucket.OVERDUE:
        qs = qs.filter(status__in=RUNNING_STATUSES, deadline__lt=now)
    elif bucket == QueueBucket.ACTIVE:
        qs = qs.filter(status__in=RUNNING_STATUSES)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    # Urgent first ("urgent" sorts after "normal"), then the nearest deadline.
    return _with_related(qs).order_by("-priority", "deadline", "created_at", "pk")


def queue_counts(*, user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """How many cases are in each bucket of the user's queue, in one query."""
    now = now or timezone.now()
    soon = due_soon_before(now)
    # Every bucket is a running status: filtering first lets the queue index do the work
    # instead of counting the unit's whole history (500 ms → 26 ms at a million cases).
    return (
        visible_cases(user)
        .filter(status__in=RUNNING_STATUSES)
        .aggregate(
            new=Count(
                "pk", filter=Q(status__in=[Status.DISPATCHED, Status.ESCALATED, Status.REOPENED])
            ),
            due_soon=Count("pk", filter=Q(deadline__gte=now, deadline__lt=soon)),
            overdue=Count("pk", filter=Q(deadline__lt=now)),
            active=Count("pk"),
        )
    )


def awaiting_dispatch(*, user: User) -> QuerySet[Case]:
    """Cases an operator must route: new submissions and returned mis-routes."""
    return _with_related(visible_cases(user).filter(status__in=TRIAGE_STATUSES)).order_by(
        "-priority", "created_at", "pk"
    )


def overdue_cases(*, user: User, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Every running case past its deadline within the user's scope, most overdue first."""
    now = now or timezone.now()
    return _with_related(
        visible_cases(user).filter(status__in=RUNNING_STATUSES, deadline__lt=now)
    ).order_by("deadline", "pk")


@dataclass
class UnitCounts:
    unit_id: int
    unit_name: str
    level: int
    active: int
    overdue: int
    resolved: int
    closed: int


# The overview counts cases closed within this window, so it does not grow with history.
CLOSED_WINDOW = dt.timedelta(days=30)


def counts_by_unit(*, user: User, now: dt.datetime | None = None) -> list[UnitCounts]:
    """Per-unit counts of the cases a supervisor can see, busiest first.

    Running, overdue and resolved are current; closed counts the last 30 days only.
    """
    now = now or timezone.now()
    running = Q(status__in=RUNNING_STATUSES)
    recent_or_open = Q(status__in=OPEN_STATUSES) | Q(
        status=Status.CLOSED, closed_at__gte=now - CLOSED_WINDOW
    )
    rows = (
        visible_cases(user)
        .filter(recent_or_open, current_unit__isnull=False)
        .values("current_unit_id", "current_unit__name", "current_unit__level")
        .annotate(
            active=Count("pk", filter=running),
            overdue=Count("pk", filter=running & Q(deadline__lt=now)),
            resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
        )
        .order_by("-overdue", "-active", "current_unit__name")
    )
    rows = list(rows)
    # In the reader's language (the grouping above stays on the one stored name).
    labels = unit_labels(r["current_unit_id"] for r in rows)
    return [
        UnitCounts(
            unit_id=r["current_unit_id"],
            unit_name=labels.get(r["current_unit_id"], r["current_unit__name"]),
            level=r["current_unit__level"],
            active=r["active"],
            overdue=r["overdue"],
            resolved=r["resolved"],
            closed=r["closed"],
        )
        for r in rows
    ]


def status_counts(*, user: User) -> dict[str, int]:
    rows = visible_cases(user).values("status").annotate(n=Count("pk"))
    return {r["status"]: r["n"] for r in rows}


def timeline(*, case: Case, public_only: bool) -> QuerySet[Event]:
    """The case's events in order; the resident's view leaves out internal rows."""
    qs = case.events.select_related("actor", "unit").order_by("created_at", "id")
    return qs.filter(is_public=True) if public_only else qs


_NOT_IN_CODE = re.compile(r"[^0-9A-Z]")


def tracking_code_from(typed: object) -> str:
    """A tracking code as a resident may type it: lower case, with spaces or dashes, or in
    full-width letters from a Chinese keyboard ("ＭＳ７Ａ…")."""
    return _NOT_IN_CODE.sub("", unicodedata.normalize("NFKC", str(typed or "")).upper())


def get_case_by_tracking_code(code: str) -> Case | None:
    """The resident's door: a case by its code (see ``tracking_code_from``)."""
    normalized = tracking_code_from(code)
    if not normalized or len(normalized) > 12:
        return None
    return _with_related(Case.objects.filter(tracking_code=normalized)).first()


def refuse_personal_query(query: str) -> None:
    """Cases are found by their code or their words, never by a person's phone number, ID
    number or e-mail: that search would make the case list a register of who complained."""
    if redact(query) != query:
        raise InvalidInput(
            _(
                "Cases cannot be searched by a phone number, ID card number or e-mail "
                "address. Search by tracking code or by words of the title."
            ),
            field="q",
        )


def case_for_resident(code: str, *, client: str) -> Case | None:
    """``get_case_by_tracking_code`` for a code a resident (or anyone) typed, counting
    unknown codes against ``client``: TooManyTries (429) once it guessed too often.

    A locked client is refused even a right code, or a hit among its guesses would show.
    """
    until = throttle.locked_until(throttle.TRACKING, client=client)
    if until is not None:
        raise throttle.TooManyTries(
            _(
                "Too many unknown tracking codes were tried from here. Please try again "
                "after %(time)s, or call %(hotline)s."
            )
            % {"time": throttle.clock_time(until), "hotline": settings.MINSHENG_HOTLINE},
            until=until,
        )
    case = get_case_by_tracking_code(code)
    if case is None:
        throttle.record_failure(throttle.TRACKING, client=client)
    return case


def matching(qs: QuerySet[Case], query: str) -> QuerySet[Case]:
    """Cases whose tracking code starts with, or title contains, the query."""
    query = (query or "").strip()
    if not query:
        return qs
    refuse_personal_query(query)
    found = Q(title__icontains=query)
    # Only a query made of code characters (once spaces, dashes and full width are folded
    # away) can be the start of a code: "停水2号楼" must not match every code holding a 2.
    folded = "".join(unicodedata.normalize("NFKC", query).upper().replace("-", " ").split())
    if folded.isascii() and folded.isalnum():
        found |= Q(tracking_code__startswith=tracking_code_from(folded))
    return qs.filter(found)


def find_by_code(*, user: User, query: str) -> Case | None:
    """The case in the user's scope whose tracking code is exactly the query."""
    code = tracking_code_from(query)
    if not code:
        return None
    case = Case.objects.filter(tracking_code=code).first()
    # By its exact code also a case the user's unit held before (see ``held_before``).
    return case if case is not None and can_view_case(user, case) else None


def search_cases(*, user: User, query: str, limit: int = 50) -> list[Case]:
    """Newest cases in scope matching the query (code prefix or title words)."""
    return list(
        _with_related(matching(visible_cases(user), query)).order_by("-created_at", "-pk")[:limit]
    )


def count_matching(*, user: User, query: str) -> int:
    return matching(visible_cases(user), query).count()


def latest_return_events(cases: list[Case]) -> dict[int, Event]:
    """The latest "returned" event of each returned case in the list, in one query."""
    ids = [c.pk for c in cases if c.status == Status.RETURNED]
    latest: dict[int, Event] = {}
    if ids:
        for event in (
            Event.objects.filter(case_id__in=ids, kind=EventKind.RETURNED)
            .select_related("unit")
            .order_by("case_id", "created_at", "id")
        ):
            latest[event.case_id] = event
    return latest


def pending_extensions(*, user: User) -> QuerySet[Extension]:
    """Requests for more time waiting for a decision in the user's scope, oldest first.

    Only requests that still stand: the unit that asked holds the case, which runs against
    the deadline it had when asking (see ``rules.pending_extension``).
    """
    return (
        Extension.objects.filter(
            status=ExtensionStatus.PENDING,
            case__in=visible_cases(user).filter(status__in=RUNNING_STATUSES),
            case__current_unit=F("unit"),
            case__deadline=F("old_deadline"),
        )
        .select_related("case__category", "case__area", "case__current_unit", "unit")
        .order_by("requested_at", "pk")
    )


# How far back a unit's staff see the cases the deadline took from them.
TAKEN_WINDOW = dt.timedelta(weeks=4)


def taken_by_deadline(*, user: User, now: dt.datetime | None = None, limit: int = 50) -> list[Case]:
    """Cases the deadline sweep escalated away from the user's units in the last four
    weeks, newest first, each with ``taken_event``. Read-only for the unit: it may open
    them (``permissions.held_before``) but acts only on what it holds."""
    units = unit_ids(user)
    if not units:
        return []
    now = now or timezone.now()
    events = list(
        Event.objects.filter(
            kind=EventKind.ESCALATED,
            actor_kind=ActorKind.SYSTEM,
            created_at__gte=now - TAKEN_WINDOW,
            data__from_unit__in=sorted(units),
        )
        .select_related("unit")
        .order_by("-created_at", "-id")[: limit * 2]
    )
    latest: dict[int, Event] = {}
    for event in events:
        latest.setdefault(event.case_id, event)
    cases = _with_related(Case.objects.filter(pk__in=list(latest)))
    found = sorted(cases, key=lambda c: (latest[c.pk].created_at, c.pk), reverse=True)[:limit]
    for case in found:
        case.taken_event = latest[case.pk]
    return found


# Sweeps that stopped for this many intervals mean no worker is running.
SWEEP_LATE_AFTER_INTERVALS = 3


@dataclass(frozen=True)
class SweepHealth:
    """When the deadline sweep last finished, and whether that is too long ago."""

    finished_at: dt.datetime | None
    interval: int
    now: dt.datetime

    @property
    def age_seconds(self) -> int | None:
        if self.finished_at is None:
            return None
        return max(0, int((self.now - self.finished_at).total_seconds()))

    @property
    def is_late(self) -> bool:
        """No sweep yet, or none for three intervals: deadlines are not climbing."""
        age = self.age_seconds
        return age is None or age > SWEEP_LATE_AFTER_INTERVALS * self.interval


def sweep_health(*, now: dt.datetime | None = None) -> SweepHealth:
    from django.conf import settings

    from minsheng.cases.models import SweepRecord

    record = SweepRecord.objects.filter(pk=SweepRecord.ONLY)
    finished_at = record.values_list("finished_at", flat=True).first()
    return SweepHealth(
        finished_at=finished_at,
        interval=settings.MINSHENG_SWEEP_INTERVAL,
        now=now or timezone.now(),
    )
