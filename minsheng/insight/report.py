"""The monthly report: what a township or county sends up at the end of a month.

``build_report`` gathers every figure, ranking and list once, in the active language, into a
``MonthlyReport``; ``report_pdf.render_pdf`` and ``report_xlsx.render_xlsx`` only lay it
out. All figures come from the indicators (``figures_from_rollups``) and the rankings from
the dashboard's own ranking functions, so the report, the dashboard and the drill-down
lists always agree. Everything reads the rollup tables or indexed queries that return a
handful of rows; nothing scans all cases.

Free text (case titles, resolutions) is redacted as on public pages: a report travels by
mail and paper, further than the system's own screens.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from minsheng.cases.models import Case, Channel, Event, Feedback, Status
from minsheng.cases.redaction import redact
from minsheng.directory.models import Area, Category
from minsheng.insight import dashboard_views
from minsheng.insight.indicators import (
    BACKLOG_BUCKETS,
    BACKLOG_DEFINITION,
    BY_ID,
    INDICATORS,
    Figures,
    Period,
    Scope,
    figures_from_rollups,
    node_for,
    node_rows,
    open_facts,
    rollup_rows,
    scoped_facts,
)
from minsheng.insight.numbers import format_change, format_value
from minsheng.projects.selectors import ProjectReportRow, projects_for_report

TREND_MONTHS = 12
OLDEST_OPEN = 10
HIGHLIGHTS = 5
# Which way an indicator should move: +1 higher is better, -1 lower is better, 0 neither
# (more cases raised is not good or bad in itself: it may mean residents trust the channel).
BETTER = {
    "raised": 0,
    "open_at_end": -1,
    "response_rate": 1,
    "response_hours_median": -1,
    "resolved": 1,
    "on_time_rate": 1,
    "deadlines_missed": -1,
    "escalations": -1,
    # More time granted is neither: a unit that asks in time is doing what it should.
    "extensions": 0,
    "resolution_rate": 1,
    "reopen_rate": -1,
    "satisfaction_rate": 1,
    "mean_rating": 1,
    "share_rated": 1,
    "resolve_days_median": -1,
    "resolve_days_p90": -1,
}
# The indicator that orders the rankings (the dashboard's rule, see ``dashboard_views``).
RANK_INDICATOR = "on_time_rate"
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class ReportError(ValueError):
    """A request for a report that cannot be made; the message is for the user."""


def parse_month(text: str, *, today: dt.date | None = None) -> dt.date:
    """The first day of the month written as ``2026-10``; refuses months not yet begun."""
    match = _MONTH.match((text or "").strip())
    month = None
    if match:
        try:
            month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            month = None
    if month is None:
        raise ReportError(_("“%(value)s” is not a month like 2026-10.") % {"value": text})
    today = today or timezone.localdate()
    if month > today:
        raise ReportError(
            _("%(month)s has not begun yet.") % {"month": date_format(month, "YEAR_MONTH_FORMAT")}
        )
    return month


def last_complete_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_period(month: dt.date, today: dt.date | None = None) -> Period:
    """The days of the month; a month still running ends today (the figures so far)."""
    start = month.replace(day=1)
    end = _next_month(start) - dt.timedelta(days=1)
    today = today or timezone.localdate()
    return Period(start, min(end, today) if start <= today else end)


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _previous_month(first: dt.date) -> dt.date:
    return (first - dt.timedelta(days=1)).replace(day=1)


# --- the report's parts -----------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One indicator this month, last month and the change."""

    id: str
    label: str
    definition: str
    unit: str  # count | rate | hours | days | rating (as in ``indicators.Indicator``)
    value: float | int | None
    previous: float | int | None
    better: int

    @property
    def change(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def verdict(self) -> str:
        """One of better, worse, same, or empty (no comparison, or neither way is better)."""
        change = self.change
        if change is None:
            return ""
        if abs(change) < 1e-9:
            return "same"
        if not self.better:
            return ""
        return "better" if (change > 0) == (self.better > 0) else "worse"

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def previous_text(self) -> str:
        return format_value(self.previous, self.unit)

    @property
    def change_text(self) -> str:
        return format_change(self.change, self.previous, self.unit)


@dataclass(frozen=True)
class Count:
    label: str
    value: int
    previous: int = 0


@dataclass(frozen=True)
class TrendMonth:
    month: dt.date
    label: str
    raised: int
    resolved: int
    on_time_rate: float | None
    satisfaction_rate: float | None


@dataclass(frozen=True)
class Ranked:
    """A unit or area in a ranking, with the figures behind its place."""

    name: str
    resolved: int
    on_time: int
    deadlines: int = 0  # settled: met (on time) or missed (late, or ran out of time)

    @property
    def on_time_rate(self) -> float:
        return self.on_time / self.deadlines if self.deadlines else 0.0

    @property
    def late(self) -> int:
        return self.deadlines - self.on_time


@dataclass(frozen=True)
class ReportCase:
    """A case as the report lists it: no contact details, free text redacted."""

    tracking_code: str
    title: str
    category: str
    area: str
    unit: str
    raised_on: dt.date
    status: str  # open cases: at the end of the month; others: now
    age_days: int | None = None  # open cases: whole days open at the end of the month
    resolved_on: dt.date | None = None
    resolve_days: float | None = None
    rating: int | None = None
    resolution: str = ""


@dataclass
class MonthlyReport:
    area: Area | None
    scope_name: str  # "青河县 / 东湖镇", or "All areas"
    month: dt.date  # first day
    period: Period
    previous_period: Period
    is_partial: bool  # the month is still running: figures up to ``period.end``
    language: str
    generated_at: dt.datetime
    figures: Figures
    previous_figures: Figures
    headlines: list[Headline]
    by_category: list[Count]
    by_channel: list[Count]
    backlog: list[Count]
    backlog_definition: str
    trend: list[TrendMonth]
    rank_indicator: str
    rank_definition: str
    best_units: list[Ranked]
    worst_units: list[Ranked]
    best_areas: list[Ranked]
    worst_areas: list[Ranked]
    oldest_open: list[ReportCase]
    highlights: list[ReportCase]
    projects: list[ProjectReportRow] = field(default_factory=list)

    @property
    def month_label(self) -> str:
        return date_format(self.month, "YEAR_MONTH_FORMAT")

    @property
    def period_label(self) -> str:
        return _("%(start)s to %(end)s") % {
            "start": date_format(self.period.start, "DATE_FORMAT"),
            "end": date_format(self.period.end, "DATE_FORMAT"),
        }

    @property
    def title(self) -> str:
        return _("Monthly report %(month)s: %(area)s") % {
            "month": self.month_label,
            "area": self.scope_name,
        }

    def headline(self, indicator: str) -> Headline:
        return next(h for h in self.headlines if h.id == indicator)


# --- building ---------------------------------------------------------------------------


def build_report(
    area: Area | None, month: dt.date, *, today: dt.date | None = None
) -> MonthlyReport:
    """Everything the month's report shows for an area subtree (``None``: every area),
    with labels in the active language. ``month`` may be any day of the month."""
    today = today or timezone.localdate()
    first = month.replace(day=1)
    period = month_period(first, today)
    previous_first = _previous_month(first)
    previous = month_period(previous_first, today)
    scope = Scope(area_path=area.path if area else "/")
    figures = figures_from_rollups(scope, period)
    before = figures_from_rollups(scope, previous)
    best_units, worst_units = _units_ranking(scope, period)
    best_areas, worst_areas = _areas_ranking(area, scope, period)
    return MonthlyReport(
        area=area,
        scope_name=area.full_name if area else _("All areas"),
        month=first,
        period=period,
        previous_period=previous,
        is_partial=period.end < _next_month(first) - dt.timedelta(days=1),
        language=get_language() or "zh-hans",
        generated_at=timezone.localtime(),
        figures=figures,
        previous_figures=before,
        headlines=[
            Headline(
                id=ind.id,
                label=str(ind.label),
                definition=str(ind.definition),
                unit=ind.unit,
                value=figures.values[ind.id],
                previous=before.values[ind.id],
                better=BETTER.get(ind.id, 0),
            )
            for ind in INDICATORS
        ],
        by_category=_by_category(figures, before),
        by_channel=_by_channel(figures, before),
        backlog=[
            Count(str(label), figures.backlog[bid], before.backlog[bid])
            for bid, label, _low, _high in BACKLOG_BUCKETS
        ],
        backlog_definition=str(BACKLOG_DEFINITION),
        trend=monthly_trend(scope, first, period.end),
        rank_indicator=str(BY_ID[RANK_INDICATOR].label),
        rank_definition=_(
            "Units and areas with at least one case resolved in the month; the on-time rate "
            "decides the rank, more cases resolved breaks a tie."
        ),
        best_units=best_units,
        worst_units=worst_units,
        best_areas=best_areas,
        worst_areas=worst_areas,
        oldest_open=oldest_open_cases(scope, period.end),
        highlights=resolved_highlights(scope, period),
        projects=projects_for(area, period),
    )


def _by_category(figures: Figures, before: Figures) -> list[Count]:
    ids = set(figures.by_category) | set(before.by_category)
    labels = {c.pk: c.label for c in Category.objects.filter(pk__in=ids)}
    rows = [
        Count(labels.get(i, "?"), figures.by_category.get(i, 0), before.by_category.get(i, 0))
        for i in ids
    ]
    return sorted(rows, key=lambda r: (-r.value, -r.previous, r.label))


def _by_channel(figures: Figures, before: Figures) -> list[Count]:
    labels = dict(Channel.choices)
    ids = set(figures.by_channel) | set(before.by_channel)
    rows = [
        Count(str(labels.get(ch, ch)), figures.by_channel.get(ch, 0), before.by_channel.get(ch, 0))
        for ch in ids
    ]
    return sorted(rows, key=lambda r: (-r.value, -r.previous, r.label))


def monthly_trend(scope: Scope, month: dt.date, end: dt.date) -> list[TrendMonth]:
    """Cases raised and resolved, on-time and satisfaction rates, for the twelve months up
    to ``month`` (the last one up to ``end``), summed from the daily rollups."""
    starts = [month]
    for _i in range(TREND_MONTHS - 1):
        starts.insert(0, _previous_month(starts[0]))
    sums = {
        s: dict.fromkeys(("raised", "resolved", "on_time", "deadlines", "rated", "rated_4_5"), 0)
        for s in starts
    }
    span = Period(starts[0], end)
    # The scope's own node rows (a few per day) when it has them, as the dashboard reads.
    rows = node_rows(scope, span)
    daily = (
        (rows if rows is not None else rollup_rows(scope, span))
        .values("day")
        .annotate(
            raised=Sum("raised"),
            resolved=Sum("resolved"),
            on_time=Sum("resolved_on_time"),
            deadlines=Sum("deadlines"),
            rated=Sum("rated"),
            rated_4_5=Sum("rated_4_5"),
        )
        .order_by()
    )
    for row in daily:
        bucket = sums[row["day"].replace(day=1)]
        for name in bucket:
            bucket[name] += row[name] or 0
    return [
        TrendMonth(
            month=s,
            label=f"{s:%Y-%m}",
            raised=sums[s]["raised"],
            resolved=sums[s]["resolved"],
            on_time_rate=(
                sums[s]["on_time"] / sums[s]["deadlines"] if sums[s]["deadlines"] else None
            ),
            satisfaction_rate=(
                sums[s]["rated_4_5"] / sums[s]["rated"] if sums[s]["rated"] else None
            ),
        )
        for s in starts
    ]


def _ranked(items: list[Any]) -> list[Ranked]:
    return [Ranked(str(r.name), int(r.resolved), int(r.on_time), int(r.deadlines)) for r in items]


def _units_ranking(scope: Scope, period: Period) -> tuple[list[Ranked], list[Ranked]]:
    # The dashboard's own ranking, so the report ranks exactly as the screen does.
    best, worst = dashboard_views._unit_ranking(scope, period, None)
    return _ranked(best), _ranked(worst)


def _areas_ranking(
    area: Area | None, scope: Scope, period: Period
) -> tuple[list[Ranked], list[Ranked]]:
    best, worst = dashboard_views._area_ranking(area, scope, period, {})
    return _ranked(best), _ranked(worst)


def oldest_open_cases(scope: Scope, end: dt.date, limit: int = OLDEST_OPEN) -> list[ReportCase]:
    """The cases open longest at the end of ``end``'s day, oldest first."""
    facts = open_facts(scope, end)
    cutoff = _oldest_open_cutoff(scope, end, limit)
    if cutoff is not None:
        facts = facts.filter(raised_day__lte=cutoff)
    ids = list(facts.order_by("raised_at", "case_id").values_list("case_id", flat=True)[:limit])
    statuses = _statuses_at(ids, end)
    labels = dict(Status.choices)
    out = []
    for case in _cases(ids):
        raised_on = timezone.localtime(case.created_at).date()
        status = statuses.get(case.pk, case.status)
        out.append(_report_case(case, age_days=(end - raised_on).days, status=str(labels[status])))
    return out


def _oldest_open_cutoff(scope: Scope, end: dt.date, limit: int) -> dt.date | None:
    """The day by which at least ``limit`` of the cases open at ``end`` had been raised,
    from the scope node's open-case counts (None: no node, or fewer open cases), so the
    search for the oldest reads only the facts of the first days, not all of them."""
    from minsheng.insight.models import AreaOpen

    node = node_for(scope)
    if node is None:
        return None
    seen = 0
    for day, n in (
        AreaOpen.objects.filter(
            area_id=node[0], unit_id=node[1], raised_day__lte=end, ended_day__gt=end
        )
        .values_list("raised_day")
        .annotate(n=Sum("n"))
        .order_by("raised_day")
    ):
        seen += n
        if seen >= limit:
            return day
    return None


def _statuses_at(ids: list[int], day: dt.date) -> dict[int, str]:
    """Each case's status at the end of ``day``, read back from its timeline."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    statuses: dict[int, str] = {}
    for case_id, status in (
        Event.objects.filter(case_id__in=ids, created_at__lt=end)
        .exclude(to_status="")
        .order_by("case_id", "created_at", "pk")
        .values_list("case_id", "to_status")
    ):
        statuses[case_id] = status  # the latest one wins
    return statuses


def resolved_highlights(scope: Scope, period: Period, limit: int = HIGHLIGHTS) -> list[ReportCase]:
    """Problems solved this month that had waited longest, among the resolutions the
    resident confirmed (closed, never reopened): the month's hardest wins."""
    facts = (
        scoped_facts(scope)
        .filter(resolved_day__gte=period.start, resolved_day__lte=period.end, confirmed=True)
        .order_by("-resolve_days", "case_id")
        .values_list("case_id", "resolve_days", "resolved_day")[:limit]
    )
    known = {case_id: (days, day) for case_id, days, day in facts}
    ratings: dict[int, int] = {}
    for case_id, rating in (
        Feedback.objects.filter(case_id__in=known).order_by("case_id", "created_at", "pk")
    ).values_list("case_id", "rating"):
        ratings[case_id] = rating  # the latest one wins
    return [
        _report_case(
            case,
            resolved_on=known[case.pk][1],
            resolve_days=known[case.pk][0],
            rating=ratings.get(case.pk),
            resolution=redact(case.resolution),
        )
        for case in _cases(list(known))
    ]


def _cases(ids: list[int]) -> list[Case]:
    """The cases with these ids, in the order given."""
    by_id = Case.objects.select_related("category", "area", "current_unit").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def _report_case(case: Case, **extra: Any) -> ReportCase:
    return ReportCase(
        tracking_code=case.tracking_code,
        title=redact(case.title),
        category=case.category.label,
        area=case.area.label,
        unit=case.current_unit.label if case.current_unit else "—",
        raised_on=timezone.localtime(case.created_at).date(),
        **{"status": str(case.get_status_display()), **extra},
    )


def projects_for(area: Area | None, period: Period) -> list[ProjectReportRow]:
    """The projects active in the month, with their figures as they stood at its end."""
    return projects_for_report(area, period.start, period.end)


def report_filename(report: MonthlyReport, extension: str) -> str:
    """The area's own name, the month, the kind of document: 东湖镇-2026-10-月报.pdf."""
    name = report.area.label if report.area else _("All areas")
    kind = _("monthly report")  # outside the f-string, where xgettext can find it
    name = f"{name}-{report.month:%Y-%m}-{kind}"
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name) + f".{extension}"
