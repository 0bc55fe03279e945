"""The public board's figures for an area and everything below it: what was raised, what
was done, and how residents rated it.

Plain selectors. Every figure is an aggregate query in the database; nothing here loads
all the cases of an area, so a county board costs the same few queries at a thousand
cases as at a million. Only public cases count: a case staff hid from the board (with a
recorded reason) appears in no figure, list, map or feed.

Free text leaves this module only through ``public_text`` with the case's private terms
(the name and phone the resident typed in the contact fields).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import (
    OPEN_STATUSES,
    Case,
    Event,
    Feedback,
    Status,
)
from minsheng.cases.redaction import public_text
from minsheng.contacts.selectors import private_terms
from minsheng.directory.models import Area, AreaKind, Category

# --- periods -----------------------------------------------------------------------------

PERIODS = {
    "30d": _("Last 30 days"),
    "90d": _("Last 90 days"),
    "12m": _("Last 12 months"),
}
DEFAULT_PERIOD = "90d"


def period_key(raw: object) -> str:
    """The period asked for, or the default for anything unknown."""
    return raw if isinstance(raw, str) and raw in PERIODS else DEFAULT_PERIOD


def period_start(key: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """When the period began: 30 or 90 days ago, or the same day a year ago."""
    now = now or timezone.now()
    if key == "30d":
        return now - dt.timedelta(days=30)
    if key == "12m":
        try:
            return now.replace(year=now.year - 1)
        except ValueError:  # 29 February
            return now.replace(year=now.year - 1, day=28)
    return now - dt.timedelta(days=90)


# --- the public subtree ------------------------------------------------------------------

# Waiting for dispatch or with a unit. A resolved case waits only for the resident's word,
# so it is not "open" on the board (Open311 counts it as closed too).
BOARD_OPEN_STATUSES = tuple(s for s in OPEN_STATUSES if s != Status.RESOLVED)


def public_cases(area: Area) -> QuerySet[Case]:
    """Cases in the area and below it that may appear on the public board."""
    return Case.objects.filter(area_path__startswith=area.path, hidden_from_board=False)


def raised_in(area: Area, since: dt.datetime) -> QuerySet[Case]:
    return public_cases(area).filter(created_at__gte=since)


# --- figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    raised: int
    resolved: int
    closed: int
    open_now: int
    median_days: float | None
    rated: int
    satisfied: int

    @property
    def satisfaction_percent(self) -> int | None:
        if not self.rated:
            return None
        return round(100 * self.satisfied / self.rated)


def _scan(area: Area, since: dt.datetime, children: Sequence[Area] = ()) -> dict[str, int]:
    """One pass over the area's public cases: the headline counts and, for each child
    area, how many cases were raised below it in the period.

    Conditional counts in a single query, so a county board reads its cases once rather
    than once per figure.
    """
    raised = Q(created_at__gte=since)
    return public_cases(area).aggregate(
        raised=Count("pk", filter=raised),
        resolved=Count("pk", filter=Q(resolved_at__gte=since)),
        closed=Count("pk", filter=Q(status=Status.CLOSED, closed_at__gte=since)),
        open_now=Count("pk", filter=Q(status__in=BOARD_OPEN_STATUSES)),
        **{
            f"child_{child.pk}": Count("pk", filter=raised & Q(area_path__startswith=child.path))
            for child in children
        },
    )


def _figures(area: Area, since: dt.datetime, row: dict[str, int]) -> Figures:
    rated, satisfied = satisfaction(area=area, since=since)
    return Figures(
        raised=row["raised"],
        resolved=row["resolved"],
        closed=row["closed"],
        open_now=row["open_now"],
        median_days=median_days_to_resolve(area=area, since=since, resolved=row["resolved"]),
        rated=rated,
        satisfied=satisfied,
    )


def figures(*, area: Area, since: dt.datetime) -> Figures:
    """The headline figures of an area for the period that began at ``since``.

    raised: cases raised in the period; resolved: cases whose (latest) resolution was
    reported in the period; closed: cases closed in the period; open now: cases waiting
    for dispatch or being handled today, whenever raised.
    """
    return _figures(area, since, _scan(area, since))


DAY = dt.timedelta(days=1)


def median_days_to_resolve(
    *, area: Area, since: dt.datetime, resolved: int | None = None
) -> float | None:
    """Median of resolved_at − created_at, in calendar days, over the cases resolved in the
    period; None when none was. ``resolved`` is their number, when already counted.

    The database sorts the durations and hands back only the middle one or two, which
    works alike on SQLite and PostgreSQL without loading the others.
    """
    cases = public_cases(area).filter(resolved_at__gte=since)
    n = cases.count() if resolved is None else resolved
    if not n:
        return None
    duration = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    ordered = cases.annotate(duration=duration).order_by("duration", "pk")
    middle = list(ordered.values_list("duration", flat=True)[(n - 1) // 2 : n // 2 + 1])
    if not middle:  # a case was reopened between the count and the sort
        return None
    return (sum(middle, dt.timedelta()) / len(middle)) / DAY


def satisfaction(*, area: Area, since: dt.datetime) -> tuple[int, int]:
    """(cases rated in the period, of which rated 4 or 5 stars).

    A case rated twice (unsatisfied, reopened, resolved again, rated again) counts once,
    with the latest rating it got in the period.
    """
    later = Feedback.objects.filter(
        case=OuterRef("case"), pk__gt=OuterRef("pk"), created_at__gte=since
    )
    row = (
        Feedback.objects.filter(
            created_at__gte=since,
            case__area_path__startswith=area.path,
            case__hidden_from_board=False,
        )
        .exclude(Exists(later))
        .aggregate(rated=Count("pk"), satisfied=Count("pk", filter=Q(rating__gte=4)))
    )
    return row["rated"], row["satisfied"]


@dataclass(frozen=True)
class CategoryCount:
    code: str
    label: str
    count: int
    # Width of the bar, as a share of the largest category (0–100).
    bar: int


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def _breakdown(area: Area, since: dt.datetime) -> dict[tuple[str, int], int]:
    """Cases raised in the period per (status, category), in one grouped query."""
    rows = (
        raised_in(area, since)
        .order_by()
        .values_list("status", "category_id")
        .annotate(n=Count("pk"))
    )
    return {(status, category_id): n for status, category_id, n in rows}


def _by_category(breakdown: dict[tuple[str, int], int]) -> list[CategoryCount]:
    totals: dict[int, int] = defaultdict(int)
    for (_status, category_id), n in breakdown.items():
        totals[category_id] += n
    categories = Category.objects.in_bulk(list(totals))
    rows = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    top = rows[0][1] if rows else 0
    return [
        CategoryCount(
            code=categories[category_id].code,
            label=categories[category_id].label,
            count=n,
            bar=round(100 * n / top) if top else 0,
        )
        for category_id, n in rows
        if category_id in categories
    ]


def _by_status(breakdown: dict[tuple[str, int], int]) -> list[StatusCount]:
    totals: dict[str, int] = defaultdict(int)
    for (status, _category_id), n in breakdown.items():
        totals[status] += n
    return [
        StatusCount(status=s.value, label=s.label, count=totals[s.value])
        for s in Status
        if totals.get(s.value)
    ]


def counts_by_category(*, area: Area, since: dt.datetime) -> list[CategoryCount]:
    """Cases raised in the period per category, most first."""
    return _by_category(_breakdown(area, since))


def counts_by_status(*, area: Area, since: dt.datetime) -> list[StatusCount]:
    """Cases raised in the period by where they stand now, in lifecycle order."""
    return _by_status(_breakdown(area, since))


# --- the area tree -----------------------------------------------------------------------


@dataclass(frozen=True)
class ChildArea:
    area: Area
    raised: int | None


# Beyond this many children a board lists them without counting each one.
MAX_COUNTED_CHILDREN = 100


def _children(area: Area) -> list[Area]:
    """The areas one level down. Grids are listed only under a village or community:
    above that they would swamp the list with thousands of small cells."""
    children = Area.objects.filter(parent=area).order_by("code", "pk")
    if area.kind not in (AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.GRID):
        children = children.exclude(kind=AreaKind.GRID)
    return list(children)


def _child_counts(children: list[Area], row: dict[str, int]) -> list[ChildArea]:
    return [ChildArea(area=c, raised=row.get(f"child_{c.pk}")) for c in children]


def child_areas(*, area: Area, since: dt.datetime) -> list[ChildArea]:
    """The areas to drill into, each with its cases raised in the period."""
    children = _children(area)
    counted = children if len(children) <= MAX_COUNTED_CHILDREN else []
    return _child_counts(children, _scan(area, since, counted) if counted else {})


@dataclass(frozen=True)
class Summary:
    figures: Figures
    by_category: list[CategoryCount]
    by_status: list[StatusCount]
    children: list[ChildArea]


def summary(*, area: Area, since: dt.datetime) -> Summary:
    """Everything on an area's board but its case list and map, sharing queries: one pass
    for the counts, one grouped query of the period's cases, the median and satisfaction.
    """
    children = _children(area)
    row = _scan(area, since, children if len(children) <= MAX_COUNTED_CHILDREN else [])
    breakdown = _breakdown(area, since)
    return Summary(
        figures=_figures(area, since, row),
        by_category=_by_category(breakdown),
        by_status=_by_status(breakdown),
        children=_child_counts(children, row),
    )


# --- recent cases ------------------------------------------------------------------------

RECENT_PAGE = 20
WITHHELD = _("Declined as out of scope; its text is not published.")


@dataclass
class PublicCase:
    """A case as the public sees it: every piece of text already fit to publish."""

    pk: int
    status: str
    status_label: str
    title: str
    description: str
    resolution: str
    category: str
    area: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    # A declined request may be about a person rather than a service: none of its free
    # text is published, only that it was raised and declined.
    is_withheld: bool
    events: list[Event] = field(default_factory=list)

    def get_status_display(self) -> str:  # what the shared status badge reads
        return self.status_label


def _publish(case: Case, terms: tuple[str, ...]) -> tuple[str, str, str, bool]:
    if case.status == Status.DECLINED:
        return str(WITHHELD), "", "", True
    return (
        public_text(case.title, terms),
        public_text(case.description, terms),
        public_text(case.resolution, terms),
        False,
    )


def recent_cases(
    *, area: Area, since: dt.datetime, offset: int = 0, limit: int = RECENT_PAGE
) -> list[PublicCase]:
    """The newest public cases raised in the period, with their public timelines.

    Three queries whatever the page size: the cases, their public events, and the private
    terms to mask. Staff names never leave here: the timeline names units only.
    """
    cases = list(
        raised_in(area, since)
        .select_related("category", "area")
        .order_by("-created_at", "-pk")[offset : offset + limit]
    )
    ids = [c.pk for c in cases]
    terms = private_terms(ids)
    events: dict[int, list[Event]] = defaultdict(list)
    if ids:
        for event in (
            Event.objects.filter(case_id__in=ids, is_public=True)
            .select_related("unit")
            .order_by("created_at", "id")
        ):
            events[event.case_id].append(event)
    out = []
    for case in cases:
        case_terms = terms.get(case.pk, ())
        title, description, resolution, withheld = _publish(case, case_terms)
        timeline = events.get(case.pk, [])
        for event in timeline:
            event.note = "" if withheld else public_text(event.note, case_terms)
            event.actor = None  # the public timeline never names a member of staff
        out.append(
            PublicCase(
                pk=case.pk,
                status=case.status,
                status_label=case.get_status_display(),
                title=title,
                description=description,
                resolution=resolution,
                category=case.category.label,
                area=case.area.label,
                created_at=case.created_at,
                resolved_at=case.resolved_at,
                closed_at=case.closed_at,
                is_withheld=withheld,
                events=timeline,
            )
        )
    return out


# --- map ---------------------------------------------------------------------------------

MAX_POINTS = 500


def map_points(*, area: Area, since: dt.datetime, limit: int = MAX_POINTS) -> list[dict]:
    """The newest public cases of the period that carry a point, as plain data for the
    page's map: position, status, category and the published title."""
    cases = list(
        raised_in(area, since)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .select_related("category")
        .order_by("-created_at", "-pk")
        .only("pk", "title", "status", "latitude", "longitude", "category__name",
              "category__name_en", "category__name_ug")[:limit]
    )  # fmt: skip
    terms = private_terms([c.pk for c in cases if c.status != Status.DECLINED])
    return [
        {
            "id": c.pk,
            "lat": c.latitude,
            "lon": c.longitude,
            "status": c.status,
            "status_label": str(c.get_status_display()),
            "category": c.category.label,
            "title": _publish(c, terms.get(c.pk, ()))[0],
        }
        for c in cases
    ]


# --- open data ---------------------------------------------------------------------------

# The open-data columns. No tracking code (it is the resident's key to their case), no
# address, no contact details; the title is published text.
EXPORT_FIELDS = (
    "case_number",
    "created_at",
    "resolved_at",
    "closed_at",
    "category_code",
    "category_name",
    "area_code",
    "area_name",
    "status",
    "channel",
    "escalated",
    "rating",
    "title",
)
EXPORT_BATCH = 1000


def _stamp(value: dt.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def export_rows(*, area: Area, since: dt.datetime) -> Iterator[tuple[str, ...]]:
    """Every public case raised in the period, oldest first, as EXPORT_FIELDS rows.

    Streams from a database cursor in batches, so a county with a million cases never
    sits in memory; private terms are looked up once per batch.
    """
    latest_rating = (
        Feedback.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-pk").values("rating")
    )
    rows = (
        raised_in(area, since)
        .order_by("created_at", "pk")
        .annotate(rating=Subquery(latest_rating[:1]))
        .values(
            "pk",
            "created_at",
            "resolved_at",
            "closed_at",
            "category__code",
            "category__name",
            "area__code",
            "area__name",
            "status",
            "channel",
            "escalation_count",
            "rating",
            "title",
        )
    )
    batch: list[dict] = []
    for row in rows.iterator(chunk_size=EXPORT_BATCH):
        batch.append(row)
        if len(batch) >= EXPORT_BATCH:
            yield from _export_batch(batch)
            batch = []
    if batch:
        yield from _export_batch(batch)


def _export_batch(batch: list[dict]) -> Iterator[tuple[str, ...]]:
    terms = private_terms([r["pk"] for r in batch if r["status"] != Status.DECLINED])
    for r in batch:
        declined = r["status"] == Status.DECLINED
        yield (
            str(r["pk"]),
            _stamp(r["created_at"]),
            _stamp(r["resolved_at"]),
            _stamp(r["closed_at"]),
            r["category__code"],
            r["category__name"],
            r["area__code"],
            r["area__name"],
            r["status"],
            r["channel"],
            "true" if r["escalation_count"] else "false",
            "" if r["rating"] is None else str(r["rating"]),
            "" if declined else public_text(r["title"], terms.get(r["pk"], ())),
        )
