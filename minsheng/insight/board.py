"""The public board's figures for an area and everything below it: what was raised, what
was done, and how residents rated it.

Plain selectors. The headline figures use the dashboard's definitions and come from the
same node rollups (``indicators.figures_from_rollups``): a few rows per day for the area,
whatever its number of cases. Only public cases count: the few cases staff hid from the
board (each with a recorded reason) are read one by one from their facts and their share
is subtracted, so a hidden case appears in no figure, list, map or feed.

Periods are whole local days ending today, like the dashboard's.

Free text leaves this module only through ``public_text`` with the case's private terms
(the name and phone the resident typed in the contact fields).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Case, Event, Feedback, Status
from minsheng.cases.redaction import public_point, public_text, withheld_for, withheld_text
from minsheng.contacts.selectors import private_terms
from minsheng.directory.models import Area, AreaKind, Category
from minsheng.insight.indicators import Period, Scope, local_day, median_of_counts, node_for
from minsheng.insight.models import (
    ALL_UNITS,
    RESOLVE,
    AreaHistogram,
    AreaOpen,
    AreaRollup,
    AreaStatus,
    CaseFact,
)

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


def period_days(key: str, *, today: dt.date | None = None) -> Period:
    """The period as whole local days ending today: today and the 29 or 89 days before,
    or every day after the same date a year ago."""
    today = today or timezone.localdate()
    if key == "30d":
        return Period(today - dt.timedelta(days=29), today)
    if key == "12m":
        try:
            year_ago = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            year_ago = today.replace(year=today.year - 1, day=28)
        return Period(year_ago + dt.timedelta(days=1), today)
    return Period(today - dt.timedelta(days=89), today)


def period_start(key: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """The local midnight that begins the period's first day."""
    today = local_day(now) if now else None
    first = period_days(key, today=today).start
    return timezone.make_aware(dt.datetime.combine(first, dt.time()))


def _period(since: dt.datetime) -> Period:
    """Whole local days from the day of ``since`` to today."""
    return Period(local_day(since), timezone.localdate())


# --- the public subtree ------------------------------------------------------------------


def public_cases(area: Area) -> QuerySet[Case]:
    """Cases in the area and below it that may appear on the public board."""
    return Case.objects.filter(area_path__startswith=area.path, hidden_from_board=False)


def raised_in(area: Area, since: dt.datetime) -> QuerySet[Case]:
    return public_cases(area).filter(created_at__gte=since)


def hidden_facts(area: Area) -> list[CaseFact]:
    """The facts of the cases in the area that staff hid from the board. They are few (each
    hidden by hand, with a reason), so they are read one by one and their share of the
    rollups subtracted."""
    hidden = Case.objects.filter(area_path__startswith=area.path, hidden_from_board=True)
    return list(CaseFact.objects.filter(case_id__in=hidden.values("pk")))


# --- figures -----------------------------------------------------------------------------

# The dashboard counters the board shows.
BOARD_COUNTERS = ("raised", "resolved", "closed", "rated", "rated_4_5")


@dataclass(frozen=True)
class Figures:
    raised: int
    resolved: int
    closed: int
    open_now: int
    # Median working days from raising to resolving (each case to a tenth of a day).
    median_days: float | None
    # Ratings given in the period, and how many of them were 4 or 5 stars.
    rated: int
    satisfied: int

    @property
    def satisfaction_percent(self) -> int | None:
        if not self.rated:
            return None
        return round(100 * self.satisfied / self.rated)


def _node(area: Area) -> tuple[int, int]:
    node = node_for(Scope(area_path=area.path))
    assert node is not None  # an area scope always has its node
    return node


def _is_open(fact: CaseFact, day: dt.date) -> bool:
    return fact.raised_day <= day and (fact.ended_day is None or fact.ended_day > day)


def _resolve_histogram(area: Area, period: Period, hidden: Sequence[CaseFact]) -> Counter:
    """Public cases resolved in the period by rounded working days (tenths)."""
    area_id, unit_id = _node(area)
    counts: Counter = Counter(
        dict(
            AreaHistogram.objects.filter(
                area_id=area_id,
                unit_id=unit_id,
                metric=RESOLVE,
                day__gte=period.start,
                day__lte=period.end,
            )
            .values_list("value")
            .annotate(n=Sum("n"))
            .order_by()
        )
    )
    for fact in hidden:
        if fact.resolved_day in period and fact.resolve_tenths is not None:
            counts[fact.resolve_tenths] -= 1
    return counts


def _median_days(histogram: Counter) -> float | None:
    middle = median_of_counts({value: n for value, n in histogram.items() if n > 0})
    return None if middle is None else middle / 10


def _figures(area: Area, period: Period, hidden: Sequence[CaseFact]) -> Figures:
    area_id, unit_id = _node(area)
    sums = AreaRollup.objects.filter(
        area_id=area_id, unit_id=unit_id, day__gte=period.start, day__lte=period.end
    ).aggregate(**{name: Sum(name) for name in BOARD_COUNTERS})
    counters = Counter({name: int(sums[name] or 0) for name in BOARD_COUNTERS})
    open_now = (
        AreaOpen.objects.filter(
            area_id=area_id, unit_id=unit_id, raised_day__lte=period.end, ended_day__gt=period.end
        ).aggregate(n=Sum("n"))["n"]
        or 0
    )
    for fact in hidden:
        for day, counts in fact.contribution.items():
            if dt.date.fromisoformat(day) in period:
                counters.subtract({name: counts.get(name, 0) for name in BOARD_COUNTERS})
        open_now -= _is_open(fact, period.end)
    return Figures(
        raised=counters["raised"],
        resolved=counters["resolved"],
        closed=counters["closed"],
        open_now=open_now,
        median_days=_median_days(_resolve_histogram(area, period, hidden)),
        rated=counters["rated"],
        satisfied=counters["rated_4_5"],
    )


def figures(*, area: Area, since: dt.datetime) -> Figures:
    """The headline figures of an area for the whole days from that of ``since`` to today,
    with the dashboard's definitions, over public cases.

    raised: cases raised in the period; resolved: cases whose last resolution fell in the
    period and was not undone by a reopening; closed: resolved cases closed in the period;
    open now: cases raised and not yet closed, merged, declined or withdrawn; median: of
    the working days to resolve; satisfaction: share of the period's ratings that were 4–5.
    """
    return _figures(area, _period(since), hidden_facts(area))


def median_days_to_resolve(*, area: Area, since: dt.datetime) -> float | None:
    """Median working days from raising to resolving (each case to a tenth of a working
    day) over the public cases resolved in the period; None when none was."""
    return _median_days(_resolve_histogram(area, _period(since), hidden_facts(area)))


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


def _breakdown(
    area: Area, period: Period, hidden: Sequence[CaseFact]
) -> dict[tuple[str, int], int]:
    """Public cases raised in the period per (status now, category), from the area's
    ``AreaStatus`` rows (about days × categories × statuses of them) less the hidden."""
    rows = (
        AreaStatus.objects.filter(area_id=area.pk, day__gte=period.start, day__lte=period.end)
        .values_list("status", "category_id")
        .annotate(n=Sum("n"))
        .order_by()
    )
    counts = Counter({(status, category_id): n for status, category_id, n in rows})
    for fact in hidden:
        if fact.raised_day in period:
            counts[(fact.status, fact.category_id)] -= 1
    return {key: n for key, n in counts.items() if n > 0}


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
    return _by_category(_breakdown(area, _period(since), hidden_facts(area)))


def counts_by_status(*, area: Area, since: dt.datetime) -> list[StatusCount]:
    """Cases raised in the period by where they stand now, in lifecycle order."""
    return _by_status(_breakdown(area, _period(since), hidden_facts(area)))


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


def _child_counts(
    children: Sequence[Area], period: Period, hidden: Sequence[CaseFact]
) -> list[ChildArea]:
    """Each child with its public cases raised in the period, from the children's own
    nodes: one grouped query of their rollup rows."""
    raised: Counter = Counter(
        dict(
            AreaRollup.objects.filter(
                area_id__in=[c.pk for c in children],
                unit_id=ALL_UNITS,
                day__gte=period.start,
                day__lte=period.end,
            )
            .values_list("area_id")
            .annotate(n=Sum("raised"))
            .order_by()
        )
    )
    for child in children:
        raised[child.pk] -= sum(
            1 for f in hidden if f.raised_day in period and f.area_path.startswith(child.path)
        )
    return [ChildArea(area=c, raised=raised[c.pk]) for c in children]


def _counted(area: Area, period: Period, hidden: Sequence[CaseFact]) -> list[ChildArea]:
    children = _children(area)
    if len(children) > MAX_COUNTED_CHILDREN:
        return [ChildArea(area=c, raised=None) for c in children]
    return _child_counts(children, period, hidden)


def child_areas(*, area: Area, since: dt.datetime) -> list[ChildArea]:
    """The areas to drill into, each with its public cases raised in the period."""
    return _counted(area, _period(since), hidden_facts(area))


@dataclass(frozen=True)
class Summary:
    figures: Figures
    by_category: list[CategoryCount]
    by_status: list[StatusCount]
    children: list[ChildArea]


def summary(*, area: Area, since: dt.datetime) -> Summary:
    """Everything on an area's board but its case list and map: the figures and the
    children's counts and the breakdowns from the rollups, less the hidden cases (read
    once)."""
    period = _period(since)
    hidden = hidden_facts(area)
    breakdown = _breakdown(area, period, hidden)
    return Summary(
        figures=_figures(area, period, hidden),
        by_category=_by_category(breakdown),
        by_status=_by_status(breakdown),
        children=_counted(area, period, hidden),
    )


# --- recent cases ------------------------------------------------------------------------

RECENT_PAGE = 20


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
    withheld = withheld_for(case)
    if withheld is not None:
        return withheld, "", "", True
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
    return published(cases)


def published(cases: Sequence[Case]) -> list[PublicCase]:
    """Cases (already chosen from ``public_cases``) as the board shows them, in the same
    order: published text and public timelines naming units only. Three queries."""
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
            event.note = "" if withheld else public_text(event.public_note, case_terms)
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
    cases = [
        c
        for c in raised_in(area, since)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .select_related("category")
        .order_by("-created_at", "-pk")
        .only("pk", "title", "status", "latitude", "longitude", "dispatched_at",
              "category__name", "category__name_en", "category__name_ug")[:limit]
        # A case whose words are withheld is not placed on the map either.
        if withheld_for(c) is None
    ]  # fmt: skip
    terms = private_terms([c.pk for c in cases])
    points = []
    for c in cases:
        lat, lon = public_point(c.latitude, c.longitude)
        points.append(
            {
                "id": c.pk,
                "lat": lat,
                "lon": lon,
                "status": c.status,
                "status_label": str(c.get_status_display()),
                "category": c.category.label,
                "title": _publish(c, terms.get(c.pk, ()))[0],
            }
        )
    return points


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
            "dispatched_at",
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
    terms = private_terms([r["pk"] for r in batch])
    for r in batch:
        withheld = withheld_text(r["status"], dispatched=r["dispatched_at"] is not None)
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
            "" if withheld else public_text(r["title"], terms.get(r["pk"], ())),
        )
