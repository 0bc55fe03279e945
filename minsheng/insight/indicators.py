"""The indicators, defined once.

Every figure starts from one place: ``facts_for_case`` reads a case's raw timeline (the
Case row, its Events and its Feedback) and says which day each of its milestones fell on.
``figures_from_timeline`` aggregates those facts for any scope and period straight from the
timeline; ``figures_from_rollups`` gets the same figures from the rollup tables that the
event stream keeps current (see ``minsheng.insight.rollups``). A property-based test holds
the two equal on random histories.

Days are local calendar days (settings.TIME_ZONE); a period is a range of days, both ends
included. Working days come from the working calendar (public holidays, adjusted days).
Each case's time to first response counts in tenths of an hour and its time to resolve in
tenths of a working day (rounded half up), the precision the dashboards show; medians and
percentiles are taken over those values, so they can be read from histograms exactly.

Definitions (also shown next to each figure, see ``INDICATORS``):

- a case's *first response* is its first ``accepted`` event or first public progress note;
- a case is *resolved* when its last ``resolved`` event is not followed by a reopening;
  it counts in the period of that last resolution;
- a resolved case is *on time* when no deadline ever escalated it (no ``escalated`` event
  by the system) and it was resolved before the deadline of the level that resolved it —
  the deadline as extended, if an operator granted more time (the extensions are counted
  and shown beside it);
- a *deadline settles* when the unit holding a case resolves it (met if on time) or when
  the case runs out of time there and the sweep escalates it away (missed). The miss
  belongs to the unit that held the case when its deadline passed, on the day it passed;
  the unit the sweep handed it to is neither credited nor blamed for the case's time. The
  on-time rate is deadlines met over deadlines settled;
- an *escalation* counts for the unit the case was escalated from;
- a resolved case is *confirmed* when it was then closed (the resident rated it 3 or more
  and said it was solved, or left it unrated until it closed by itself) and it was never
  reopened;
- a case *ends* when it is closed, merged, declined or withdrawn; it is *open* from the
  moment it is raised until it ends.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import ActorKind, Case, Event, EventKind, Feedback
from minsheng.directory.calendar import WorkingCalendar

END_KINDS = (EventKind.CLOSED, EventKind.MERGED, EventKind.DECLINED, EventKind.WITHDRAWN)


@dataclass(frozen=True)
class Indicator:
    id: str
    label: object
    definition: object
    unit: str = "count"  # count | rate | hours | days | rating


INDICATORS: tuple[Indicator, ...] = (
    Indicator("raised", _("Cases raised"), _("Cases raised during the period, by any channel.")),
    Indicator(
        "open_at_end",
        _("Open at period end"),
        _("Cases raised by the end of the period and not yet closed, merged, declined or "
          "withdrawn at that moment."),
    ),
    Indicator(
        "response_rate",
        _("Response rate"),
        _("Share of the cases raised in the period that a unit has responded to (accepted "
          "them or posted a public progress note)."),
        "rate",
    ),
    Indicator(
        "response_hours_median",
        _("Median time to first response"),
        _("Middle value of the time from raising a case to its first response, for the "
          "cases raised in the period that got one (each case's time to a tenth of an "
          "hour)."),
        "hours",
    ),
    Indicator(
        "resolved",
        _("Cases resolved"),
        _("Cases whose last resolution fell in the period and was not undone by a reopening."),
    ),
    Indicator(
        "on_time_rate",
        _("On-time rate"),
        _("Share of the deadlines settled in the period that were met. A deadline is met "
          "when the unit resolves the case by it (as extended, if more time was granted) "
          "and missed when the unit resolves it late or the case runs out of time with the "
          "unit and climbs by itself; the miss counts for that unit, not the one above."),
        "rate",
    ),
    Indicator(
        "deadlines_missed",
        _("Deadlines missed"),
        _("Cases that ran out of time with the unit during the period and climbed to the next "
          "level by themselves."),
    ),
    Indicator(
        "escalations",
        _("Escalations"),
        _("Escalations during the period, by hand or because a deadline passed, counted for "
          "the unit the case was escalated from."),
    ),
    Indicator(
        "extensions",
        _("Extensions granted"),
        _("Times an operator or supervisor granted a unit more time during the period. A case "
          "resolved by its extended deadline counts as on time."),
    ),
    Indicator(
        "resolution_rate",
        _("Resolution rate"),
        _("Share of the resolved cases that were then closed (rated 3 or more and solved, or "
          "closed unrated) and were never reopened."),
        "rate",
    ),
    Indicator(
        "reopen_rate",
        _("Reopen rate"),
        _("Share of the resolved cases that a resident reopened at least once."),
        "rate",
    ),
    Indicator(
        "satisfaction_rate",
        _("Satisfaction rate"),
        _("Share of the ratings given in the period that were 4 or 5 stars."),
        "rate",
    ),
    Indicator(
        "mean_rating",
        _("Mean rating"),
        _("Average of the ratings (1–5) given in the period."),
        "rating",
    ),
    Indicator(
        "share_rated",
        _("Share rated"),
        _("Share of the cases closed in the period that the resident rated."),
        "rate",
    ),
    Indicator(
        "resolve_days_median",
        _("Time to resolve, median"),
        _("Middle value of the working days from raising to resolving, for the cases "
          "resolved in the period (each case's time to a tenth of a working day)."),
        "days",
    ),
    Indicator(
        "resolve_days_p90",
        _("Time to resolve, 90th percentile"),
        _("Nine in ten of the cases resolved in the period took at most this many working "
          "days (nearest-rank percentile)."),
        "days",
    ),
)  # fmt: skip
BY_ID = {i.id: i for i in INDICATORS}

# Backlog age buckets: (id, label, smallest age in whole days, largest or None).
BACKLOG_BUCKETS = (
    ("lt1", _("under 1 day"), 0, 0),
    ("d1_3", _("1–3 days"), 1, 2),
    ("d3_7", _("3–7 days"), 3, 6),
    ("d7_30", _("7–30 days"), 7, 29),
    ("ge30", _("30 days or more"), 30, None),
)
BACKLOG_DEFINITION = _(
    "Cases open at the end of the period, by age: whole days from the day a case was raised "
    "to the last day of the period."
)


@dataclass(frozen=True)
class Scope:
    """Which cases: an area subtree, and optionally a unit, a category and a channel."""

    area_path: str = "/"
    unit_id: int | None = None  # 0 = held by no unit
    category_id: int | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# --- one case ---------------------------------------------------------------------------


@dataclass
class Facts:
    """What the indicators know about one case."""

    case_id: int
    area_id: int
    area_path: str
    unit_id: int
    category_id: int
    channel: str
    raised_at: dt.datetime
    raised_day: dt.date
    response_seconds: int | None = None
    response_tenths: int | None = None  # tenths of an hour
    resolved_day: dt.date | None = None
    resolve_days: float | None = None
    resolve_tenths: int | None = None  # tenths of a working day
    on_time: bool = False
    confirmed: bool = False
    reopened: bool = False
    ended_day: dt.date | None = None
    status: str = ""  # the case's status now (the public board counts raised cases by it)
    # What the case adds to the counters of its own unit (``unit_id``), per day …
    contribution: dict[str, dict[str, int]] = field(default_factory=dict)
    # … and to other units it left: {unit id: {day: counts}} (escalations from them, the
    # deadlines they missed, the extensions they were granted).
    elsewhere: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)


def facts_for_case(
    case: Case, events: list[Event], feedback: list[Feedback], calendar: WorkingCalendar
) -> Facts:
    """The single definition of every per-case figure, read from the case's timeline."""
    events = sorted(events, key=lambda e: (e.created_at, e.pk))
    facts = Facts(
        case_id=case.pk,
        area_id=case.area_id,
        area_path=case.area_path,
        unit_id=case.current_unit_id or 0,
        category_id=case.category_id,
        channel=case.channel,
        raised_at=case.created_at,
        raised_day=local_day(case.created_at),
        status=case.status,
    )
    contribution: dict[str, Counter] = defaultdict(Counter)
    others: dict[int, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))

    def add(day: dt.date, **counts: int) -> None:
        contribution[day.isoformat()].update(counts)

    def add_for(unit_id: int | None, day: dt.date, **counts: int) -> None:
        if not unit_id or unit_id == facts.unit_id:
            add(day, **counts)
        else:
            others[unit_id][day.isoformat()].update(counts)

    first_response = next(
        (
            e.created_at
            for e in events
            if e.kind == EventKind.ACCEPTED or (e.kind == EventKind.NOTE and e.is_public)
        ),
        None,
    )
    add(facts.raised_day, raised=1)
    if first_response is not None:
        facts.response_seconds = max(0, int((first_response - case.created_at).total_seconds()))
        facts.response_tenths = (facts.response_seconds + 180) // 360
        add(facts.raised_day, responded=1, response_seconds=facts.response_seconds)

    last_resolve = max(
        (i for i, e in enumerate(events) if e.kind == EventKind.RESOLVED), default=None
    )
    facts.reopened = any(e.kind == EventKind.REOPENED for e in events)
    if last_resolve is not None and not any(
        e.kind == EventKind.REOPENED for e in events[last_resolve:]
    ):
        resolved_at = events[last_resolve].created_at
        after = events[last_resolve:]
        closed = next((e for e in after if e.kind == EventKind.CLOSED), None)
        facts.resolved_day = local_day(resolved_at)
        facts.resolve_days = round(calendar.working_days_between(case.created_at, resolved_at), 4)
        facts.resolve_tenths = math.floor(facts.resolve_days * 10 + 0.5)
        swept = any(
            e.kind == EventKind.ESCALATED and e.actor_kind == ActorKind.SYSTEM for e in events
        )
        facts.on_time = not swept and case.deadline is not None and resolved_at <= case.deadline
        if not swept:
            # The resolving unit's deadline settles now; a swept case's settled when it
            # ran out of time (below).
            add(facts.resolved_day, deadlines=1)
        facts.confirmed = closed is not None and not facts.reopened
        add(
            facts.resolved_day,
            resolved=1,
            resolved_on_time=int(facts.on_time),
            resolved_confirmed=int(facts.confirmed),
            resolved_reopened=int(facts.reopened),
        )
        if closed is not None:
            rated = any(
                e.kind == EventKind.RATED for e in after if e.created_at <= closed.created_at
            )
            add(local_day(closed.created_at), closed=1, closed_rated=int(rated))
    for e in events:
        if e.kind == EventKind.ESCALATED:
            from_unit = escalated_from(e)
            add_for(from_unit, local_day(e.created_at), escalations=1)
            if e.actor_kind == ActorKind.SYSTEM:
                add_for(from_unit, local_day(e.created_at), deadlines=1, deadlines_missed=1)
        elif e.kind == EventKind.EXTENSION_GRANTED:
            add_for(e.unit_id, local_day(e.created_at), extensions=1)
    end = next((e for e in events if e.kind in END_KINDS), None)
    if end is not None:
        facts.ended_day = local_day(end.created_at)
    for fb in feedback:
        add(local_day(fb.created_at), rated=1, rating_sum=fb.rating, rated_4_5=int(fb.rating >= 4))
    facts.contribution = _nonzero(contribution)
    facts.elsewhere = {
        str(unit_id): days
        for unit_id, by_day in sorted(others.items())
        if (days := _nonzero(by_day))
    }
    return facts


def escalated_from(event: Event) -> int | None:
    """The unit an ``escalated`` event took the case from (recorded in its data)."""
    value = (event.data or {}).get("from_unit")
    return value if isinstance(value, int) else None


def _nonzero(by_day: dict[str, Counter]) -> dict[str, dict[str, int]]:
    out = {}
    for day, counts in sorted(by_day.items()):
        kept = {k: v for k, v in counts.items() if v}
        if kept:
            out[day] = kept
    return out


def contributions(facts, unit_id: int | None = None):  # type: ignore[no-untyped-def]
    """(unit id, day, counts) of everything a case adds to the counters: to its own unit
    and to the units it left; only to ``unit_id`` when given."""
    if unit_id is None or facts.unit_id == unit_id:
        for day, counts in facts.contribution.items():
            yield facts.unit_id, day, counts
    for unit, by_day in (facts.elsewhere or {}).items():
        if unit_id is None or int(unit) == unit_id:
            for day, counts in by_day.items():
                yield int(unit), day, counts


# --- aggregation ------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def percentile(values: list[float], pct: int) -> float | None:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _value_at_rank(counts: list[tuple[int, int]], rank: int) -> int:
    """The value at 0-based ``rank`` of the multiset given as sorted (value, count) pairs."""
    seen = 0
    for value, n in counts:
        seen += n
        if rank < seen:
            return value
    raise IndexError(rank)


def median_of_counts(counts: dict[int, int]) -> float | None:
    """``median`` of a multiset of integers given as {value: how many}."""
    pairs = sorted((v, n) for v, n in counts.items() if n)
    total = sum(n for _v, n in pairs)
    if not total:
        return None
    return (_value_at_rank(pairs, (total - 1) // 2) + _value_at_rank(pairs, total // 2)) / 2


def percentile_of_counts(counts: dict[int, int], pct: int) -> float | None:
    """``percentile`` (nearest rank) of a multiset of integers given as {value: how many}."""
    pairs = sorted((v, n) for v, n in counts.items() if n)
    total = sum(n for _v, n in pairs)
    if not total:
        return None
    return float(_value_at_rank(pairs, max(0, math.ceil(pct / 100 * total) - 1)))


def backlog_bucket(age_days: int) -> str:
    for bucket_id, _label, low, high in BACKLOG_BUCKETS:
        if age_days >= low and (high is None or age_days <= high):
            return bucket_id
    raise ValueError(age_days)


@dataclass
class Figures:
    values: dict[str, float | int | None]
    by_channel: dict[str, int]
    by_category: dict[int, int]
    backlog: dict[str, int]
    counters: dict[str, int]


def _tenths(value: float | None) -> float | None:
    return None if value is None else value / 10


def _figures(
    counters: dict[str, int],
    by_channel: dict[str, int],
    by_category: dict[int, int],
    response_tenths: dict[int, int],
    resolve_tenths: dict[int, int],
    backlog: dict[str, int],
) -> Figures:
    """The figures from the period's counters, breakdowns, the histograms of rounded
    response times (tenths of an hour) and resolve times (tenths of a working day), and
    the backlog by age bucket."""
    c = counters
    values = {
        "raised": c["raised"],
        "open_at_end": sum(backlog.values()),
        "response_rate": _ratio(c["responded"], c["raised"]),
        "response_hours_median": _tenths(median_of_counts(response_tenths)),
        "resolved": c["resolved"],
        "on_time_rate": _ratio(c["resolved_on_time"], c["deadlines"]),
        "deadlines_missed": c["deadlines_missed"],
        "escalations": c["escalations"],
        "extensions": c["extensions"],
        "resolution_rate": _ratio(c["resolved_confirmed"], c["resolved"]),
        "reopen_rate": _ratio(c["resolved_reopened"], c["resolved"]),
        "satisfaction_rate": _ratio(c["rated_4_5"], c["rated"]),
        "mean_rating": _ratio(c["rating_sum"], c["rated"]),
        "share_rated": _ratio(c["closed_rated"], c["closed"]),
        "resolve_days_median": _tenths(median_of_counts(resolve_tenths)),
        "resolve_days_p90": _tenths(percentile_of_counts(resolve_tenths, 90)),
    }
    full_backlog = {b[0]: backlog.get(b[0], 0) for b in BACKLOG_BUCKETS}
    return Figures(
        values=values,
        by_channel=dict(sorted(by_channel.items())),
        by_category=dict(sorted(by_category.items())),
        backlog=full_backlog,
        counters=dict(counters),
    )


def _in_scope(qs: QuerySet, scope: Scope, *, unit_field: str = "unit_id") -> QuerySet:
    qs = qs.filter(area_path__startswith=scope.area_path)
    if scope.unit_id is not None:
        qs = qs.filter(**{unit_field: scope.unit_id})
    if scope.category_id is not None:
        qs = qs.filter(category_id=scope.category_id)
    if scope.channel is not None:
        qs = qs.filter(channel=scope.channel)
    return qs


def timeline_facts(scope: Scope) -> list[Facts]:
    """Facts for every case in scope, computed from the raw timeline (no rollups)."""
    cases = _in_scope(
        Case.objects.all(), Scope(scope.area_path, None, scope.category_id, scope.channel)
    )
    if scope.unit_id:
        # The unit's own cases and those it left (escalated from it: see ``elsewhere``).
        left = Event.objects.filter(
            kind__in=(EventKind.ESCALATED, EventKind.EXTENSION_GRANTED)
        ).filter(Q(data__from_unit=scope.unit_id) | Q(unit_id=scope.unit_id))
        cases = cases.filter(Q(current_unit_id=scope.unit_id) | Q(pk__in=left.values("case_id")))
    elif scope.unit_id == 0:
        cases = cases.filter(current_unit_id=None)
    cases = cases.prefetch_related("events", "feedback").order_by("pk")
    calendar = WorkingCalendar.load()
    return [
        facts_for_case(case, list(case.events.all()), list(case.feedback.all()), calendar)
        for case in cases
    ]


def figures_from_facts(facts: list[Facts], period: Period, unit_id: int | None = None) -> Figures:
    """The figures of these cases' facts; with ``unit_id``, of that unit only (its own
    cases, and what the cases it left add to it)."""
    counters: Counter = Counter({name: 0 for name in _counter_names()})
    by_channel: Counter = Counter()
    by_category: Counter = Counter()
    response_tenths: Counter = Counter()
    resolve_tenths: Counter = Counter()
    backlog: Counter = Counter()
    for f in facts:
        for _unit, day, counts in contributions(f, unit_id):
            if dt.date.fromisoformat(day) in period:
                counters.update(counts)
        if unit_id is not None and f.unit_id != unit_id:
            continue
        if f.raised_day in period:
            by_channel[f.channel] += 1
            by_category[f.category_id] += 1
            if f.response_tenths is not None:
                response_tenths[f.response_tenths] += 1
        if f.resolved_day in period:
            resolve_tenths[f.resolve_tenths] += 1
        if f.raised_day <= period.end and (f.ended_day is None or f.ended_day > period.end):
            backlog[backlog_bucket((period.end - f.raised_day).days)] += 1
    return _figures(counters, by_channel, by_category, response_tenths, resolve_tenths, backlog)


def figures_from_timeline(scope: Scope, period: Period) -> Figures:
    """Every figure recomputed from Case + Event + Feedback. Slow; for checks and tests."""
    return figures_from_facts(timeline_facts(scope), period, scope.unit_id)


def _counter_names() -> tuple[str, ...]:
    from minsheng.insight.models import COUNTERS

    return COUNTERS


# --- from the rollups -------------------------------------------------------------------


def rollup_rows(scope: Scope, period: Period) -> QuerySet:
    from minsheng.insight.models import DailyRollup

    return _in_scope(DailyRollup.objects.all(), scope).filter(
        day__gte=period.start, day__lte=period.end
    )


def scoped_facts(scope: Scope) -> QuerySet:
    from minsheng.insight.models import CaseFact

    return _in_scope(CaseFact.objects.all(), scope)


def node_for(scope: Scope) -> tuple[int, int] | None:
    """The (area id, unit id) node of the dashboard tables that holds exactly this scope's
    cases, or None when only the leaf tables can answer (a category or channel filter, or
    a unit within part of the region)."""
    from minsheng.insight.models import ALL_UNITS, REGION

    if scope.category_id is not None or scope.channel is not None:
        return None
    area_ids = [part for part in scope.area_path.strip("/").split("/") if part]
    if scope.unit_id is None:
        return (int(area_ids[-1]) if area_ids else REGION, ALL_UNITS)
    return (REGION, scope.unit_id) if not area_ids else None


def node_rows(scope: Scope, period: Period) -> QuerySet | None:
    """AreaRollup rows of the scope's node in the period (None: no node, see node_for)."""
    from minsheng.insight.models import AreaRollup

    node = node_for(scope)
    if node is None:
        return None
    return AreaRollup.objects.filter(
        area_id=node[0], unit_id=node[1], day__gte=period.start, day__lte=period.end
    )


def figures_from_rollups(scope: Scope, period: Period) -> Figures:
    """The same figures read from the rollups: a node's few rows per day when the scope is
    an area, the region or a unit, otherwise DailyRollup sums and the CaseFact table."""
    from minsheng.insight.models import RESOLVE, RESPONSE, AreaHistogram, AreaOpen, AreaRaised

    node = node_for(scope)
    if node is None:
        return _figures_from_leaf_tables(scope, period)
    area_id, unit_id = node
    in_period = {"day__gte": period.start, "day__lte": period.end}
    sums = node_rows(scope, period).aggregate(  # type: ignore[union-attr]
        **{name: Sum(name) for name in _counter_names()}
    )
    counters = {name: int(sums[name] or 0) for name in _counter_names()}
    by_channel: Counter = Counter()
    by_category: Counter = Counter()
    for category_id, channel, n in (
        AreaRaised.objects.filter(area_id=area_id, unit_id=unit_id, **in_period)
        .values_list("category_id", "channel")
        .annotate(n=Sum("raised"))
        .order_by()
    ):
        if n:
            by_channel[channel] += n
            by_category[category_id] += n
    histograms: dict[int, Counter] = {RESPONSE: Counter(), RESOLVE: Counter()}
    for metric, value, n in (
        AreaHistogram.objects.filter(area_id=area_id, unit_id=unit_id, **in_period)
        .values_list("metric", "value")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        histograms[metric][value] += n
    backlog: Counter = Counter()
    for raised_day, n in (
        AreaOpen.objects.filter(
            area_id=area_id, unit_id=unit_id, raised_day__lte=period.end, ended_day__gt=period.end
        )
        .values_list("raised_day")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        if n:
            backlog[backlog_bucket((period.end - raised_day).days)] += n
    return _figures(
        counters,
        {k: v for k, v in by_channel.items() if v},
        {k: v for k, v in by_category.items() if v},
        histograms[RESPONSE],
        histograms[RESOLVE],
        backlog,
    )


def _counts(qs: QuerySet, field: str) -> dict[int, int]:
    return dict(qs.exclude(**{field: None}).values_list(field).annotate(n=Count("pk")).order_by())


def _figures_from_leaf_tables(scope: Scope, period: Period) -> Figures:
    rows = rollup_rows(scope, period)
    sums = rows.aggregate(**{name: Sum(name) for name in _counter_names()})
    counters = {name: int(sums[name] or 0) for name in _counter_names()}
    by_channel = {
        r["channel"]: int(r["n"])
        for r in rows.values("channel").annotate(n=Sum("raised")).order_by()
        if r["n"]
    }
    by_category = {
        r["category_id"]: int(r["n"])
        for r in rows.values("category_id").annotate(n=Sum("raised")).order_by()
        if r["n"]
    }
    facts = scoped_facts(scope)
    response_tenths = _counts(
        facts.filter(raised_day__gte=period.start, raised_day__lte=period.end), "response_tenths"
    )
    resolve_tenths = _counts(
        facts.filter(resolved_day__gte=period.start, resolved_day__lte=period.end),
        "resolve_tenths",
    )
    backlog: Counter = Counter()
    for raised_day, n in (
        open_facts(scope, period.end).values_list("raised_day").annotate(n=Count("pk")).order_by()
    ):
        backlog[backlog_bucket((period.end - raised_day).days)] += n
    return _figures(counters, by_channel, by_category, response_tenths, resolve_tenths, backlog)


def open_facts(scope: Scope, end: dt.date) -> QuerySet:
    return scoped_facts(scope).filter(
        Q(ended_day__isnull=True) | Q(ended_day__gt=end), raised_day__lte=end
    )


# --- the cases behind a figure ------------------------------------------------------------

DRILLS = {
    "raised": _("raised in the period"),
    "responded": _("raised in the period and responded to"),
    "open_at_end": _("open at the end of the period"),
    "resolved": _("resolved in the period"),
    "on_time": _("resolved in the period on time"),
    "late": _("resolved in the period late"),
    "confirmed": _("resolved in the period and confirmed"),
    "reopened": _("resolved in the period after a reopening"),
    "escalated": _("escalated during the period"),
    "missed": _("ran out of time during the period and climbed by themselves"),
    "extended": _("given more time during the period"),
    "rated": _("rated by the resident during the period"),
}


def drill_case_ids(scope: Scope, period: Period, drill: str, value: str = "") -> QuerySet:
    """Ids of exactly the cases behind a figure (a values queryset, usable as a subquery)."""
    facts = scoped_facts(scope)
    raised = Q(raised_day__gte=period.start, raised_day__lte=period.end)
    resolved = Q(resolved_day__gte=period.start, resolved_day__lte=period.end)
    if drill == "raised":
        qs = facts.filter(raised)
        if value:
            qs = qs.filter(channel=value) if not value.isdigit() else qs.filter(category_id=value)
    elif drill == "responded":
        qs = facts.filter(raised).exclude(response_seconds=None)
    elif drill == "open_at_end":
        qs = open_facts(scope, period.end)
        bucket = next((b for b in BACKLOG_BUCKETS if b[0] == value), None)
        if bucket is not None:
            _id, _label, low, high = bucket
            qs = qs.filter(raised_day__lte=period.end - dt.timedelta(days=low))
            if high is not None:
                qs = qs.filter(raised_day__gte=period.end - dt.timedelta(days=high))
    elif drill == "resolved":
        qs = facts.filter(resolved)
    elif drill == "on_time":
        qs = facts.filter(resolved, on_time=True)
    elif drill == "late":
        # Resolved late by the unit; a case that ran out of time earlier was already
        # counted where it did ("missed").
        swept = Event.objects.filter(kind=EventKind.ESCALATED, actor_kind=ActorKind.SYSTEM)
        qs = facts.filter(resolved, on_time=False).exclude(case_id__in=swept.values("case_id"))
    elif drill == "confirmed":
        qs = facts.filter(resolved, confirmed=True)
    elif drill == "reopened":
        qs = facts.filter(resolved, reopened=True)
    elif drill in ("escalated", "missed", "extended"):
        # Counted for the unit the case was with at the time, not the one holding it now.
        start = timezone.make_aware(dt.datetime.combine(period.start, dt.time()))
        end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()))
        kind = EventKind.EXTENSION_GRANTED if drill == "extended" else EventKind.ESCALATED
        events = Event.objects.filter(kind=kind, created_at__gte=start, created_at__lt=end)
        if drill == "missed":
            events = events.filter(actor_kind=ActorKind.SYSTEM)
        facts = scoped_facts(Scope(scope.area_path, None, scope.category_id, scope.channel))
        if scope.unit_id is not None:
            events = events.filter(
                Q(unit_id=scope.unit_id or None)
                if drill == "extended"
                else Q(data__from_unit=scope.unit_id)
            )
        qs = facts.filter(case_id__in=events.values("case_id"))
    elif drill == "rated":
        start = timezone.make_aware(dt.datetime.combine(period.start, dt.time()))
        end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()))
        rated = Feedback.objects.filter(created_at__gte=start, created_at__lt=end)
        qs = facts.filter(case_id__in=rated.values("case_id"))
    else:
        raise KeyError(drill)
    return qs.values("case_id")
