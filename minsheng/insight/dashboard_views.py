"""Staff dashboards: the supervisor's view of an area and a unit's view of itself.

Figures come from the rollups (``indicators.figures_from_rollups``), never from a scan of
all cases. Every figure links to the list of exactly the cases behind it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.accounts.models import Role, User
from minsheng.accounts.permissions import area_in_scope, is_member_of, visible_cases
from minsheng.cases.models import Channel
from minsheng.cases.views import _page, staff_required
from minsheng.directory.models import Area, Category, Unit
from minsheng.directory.selectors import unit_labels
from minsheng.insight import charts
from minsheng.insight.indicators import (
    BACKLOG_BUCKETS,
    BACKLOG_DEFINITION,
    DRILLS,
    INDICATORS,
    Figures,
    Period,
    Scope,
    drill_case_ids,
    figures_from_rollups,
    node_for,
    node_rows,
    rollup_rows,
)
from minsheng.insight.models import ALL_UNITS, AreaRollup
from minsheng.insight.numbers import format_value
from minsheng.intake.exports import for_export
from minsheng.intake.staff_views import export_response

PERIODS = {
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "last_90": gettext_lazy("Last 90 days"),
    "this_year": gettext_lazy("This year"),
}
# Besides the named periods, any calendar month since the rollups began: "2026-09".
MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
# The figure whose cases a rate links to.
DRILL_FOR = {
    "raised": "raised",
    "open_at_end": "open_at_end",
    "response_rate": "responded",
    "response_hours_median": "responded",
    "resolved": "resolved",
    "on_time_rate": "on_time",
    "escalations": "escalated",
    "deadlines_missed": "missed",
    "extensions": "extended",
    "resolution_rate": "confirmed",
    "reopen_rate": "reopened",
    "satisfaction_rate": "rated",
    "mean_rating": "rated",
    "resolve_days_median": "resolved",
    "resolve_days_p90": "resolved",
}


# The figure counts events, the list cases: say why they can differ.
DRILL_NOTES = {
    "escalated": gettext_lazy(
        "The dashboard counts every escalation; a case escalated more than once "
        "(by hand, then by its deadline at the next level) is listed here once."
    ),
    "rated": gettext_lazy(
        "The dashboard counts every rating; a case rated again after a reopening is listed "
        "here once."
    ),
}


def period_for(key: str, today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    month = MONTH_KEY.match(key)
    if month:
        start = dt.date(int(month[1]), int(month[2]), 1)
        following = (start + dt.timedelta(days=31)).replace(day=1)
        # A month still running ends today, as "this month" does.
        return Period(start, min(following - dt.timedelta(days=1), today))
    if key == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    if key == "last_90":
        return Period(today - dt.timedelta(days=89), today)
    if key == "this_year":
        return Period(today.replace(month=1, day=1), today)
    return Period(today.replace(day=1), today)


def period_key(raw: str | None, today: dt.date | None = None) -> str:
    """A named period, or a calendar month that has begun; anything else: this month."""
    today = today or timezone.localdate()
    key = raw or ""
    if key in PERIODS:
        return key
    month = MONTH_KEY.match(key)
    if month and 2000 <= int(month[1]) and 1 <= int(month[2]) <= 12:
        if dt.date(int(month[1]), int(month[2]), 1) <= today:
            return key
    return "this_month"


def period_label(key: str) -> str:
    month = MONTH_KEY.match(key)
    if month:
        return date_format(dt.date(int(month[1]), int(month[2]), 1), "YEAR_MONTH_FORMAT")
    return str(PERIODS[key])


def _period_key(request: HttpRequest) -> str:
    return period_key(request.GET.get("period"))


@dataclass
class Row:
    id: str
    label: str
    definition: str
    value: str
    url: str | None
    compare: str | None = None


def _rows(figures: Figures, drill_url, compare: Figures | None = None) -> list[Row]:  # type: ignore[no-untyped-def]
    rows = []
    for ind in INDICATORS:
        value = figures.values[ind.id]
        drill = DRILL_FOR.get(ind.id)
        rows.append(
            Row(
                id=ind.id,
                label=str(ind.label),
                definition=str(ind.definition),
                value=format_value(value, ind.unit),
                url=drill_url(drill) if drill and value not in (None, 0) else None,
                compare=(
                    format_value(compare.values[ind.id], ind.unit) if compare is not None else None
                ),
            )
        )
    return rows


def _drill_url(base: dict, drill: str, value: str = "") -> str:
    query = {**base, "drill": drill}
    if value:
        query["value"] = value
    return reverse("dashboard:cases") + "?" + urlencode(query)


# --- trend ------------------------------------------------------------------------------


def _trend(scope: Scope, period: Period, by: str) -> dict:
    """Raised and resolved cases and the on-time rate for the 12 weeks or months up to
    the period's end, from the rollups."""
    end = period.end
    if by == "month":
        starts = []
        first = end.replace(day=1)
        for _i in range(12):
            starts.append(first)
            first = (first - dt.timedelta(days=1)).replace(day=1)
        starts.reverse()
        labels = [s.strftime("%Y-%m") for s in starts]
    else:
        monday = end - dt.timedelta(days=end.weekday())
        starts = [monday - dt.timedelta(weeks=i) for i in range(11, -1, -1)]
        labels = [s.strftime("%m-%d") for s in starts]
    span = Period(starts[0], end)
    buckets = [{"raised": 0, "resolved": 0, "on_time": 0, "deadlines": 0} for _s in starts]
    rows = node_rows(scope, span)
    daily = (
        (rows if rows is not None else rollup_rows(scope, span))
        .values("day")
        .annotate(
            raised=Sum("raised"),
            resolved=Sum("resolved"),
            on_time=Sum("resolved_on_time"),
            deadlines=Sum("deadlines"),
        )
        .order_by()
    )
    for row in daily:
        index = max(i for i, s in enumerate(starts) if s <= row["day"])
        for name in ("raised", "resolved", "on_time", "deadlines"):
            buckets[index][name] += row[name] or 0
    on_time = [b["on_time"] / b["deadlines"] if b["deadlines"] else None for b in buckets]
    return {
        "by": by,
        "volume": charts.bar_chart(
            labels,
            [
                charts.Series("raised", [b["raised"] for b in buckets]),
                charts.Series("resolved", [b["resolved"] for b in buckets]),
            ],
            title=_("Cases raised and resolved"),
        ),
        "on_time": charts.line_chart(
            labels, charts.Series("on-time", on_time), title=_("On-time rate")
        ),
    }


# --- rankings ---------------------------------------------------------------------------


@dataclass
class Ranked:
    """A unit or area: cases resolved, and deadlines met (on time) of those settled."""

    name: str
    resolved: int
    on_time: int
    url: str | None = None
    deadlines: int = 0

    @property
    def rate(self) -> str:
        return format_value(self.on_time / self.deadlines, "rate")

    @property
    def late(self) -> int:
        """Deadlines missed: resolved late, or run out of time with the unit."""
        return self.deadlines - self.on_time


def _best_and_worst(items: list[Ranked]) -> tuple[list[Ranked], list[Ranked]]:
    ranked = sorted(
        (r for r in items if r.deadlines), key=lambda r: (-r.on_time / r.deadlines, -r.deadlines)
    )
    # The weakest are the foot of the same ranking, last first; a unit as good as the best
    # (every case on time, say) is not "weak" because more than five others tie with it.
    top_rate = ranked[0].on_time / ranked[0].deadlines if ranked else 0
    weaker = [r for r in ranked[5:] if r.on_time / r.deadlines < top_rate]
    return ranked[:5], weaker[::-1][:5]


def _unit_ranking(
    scope: Scope, period: Period, user: User | None, drill_base: dict | None = None
) -> tuple[list, list]:
    node = node_for(scope)
    if node is not None and node[1] == ALL_UNITS:
        # The node table's (area, unit) rows: the units that held cases of this area.
        by_unit = AreaRollup.objects.filter(
            area_id=node[0], unit_id__gt=0, day__gte=period.start, day__lte=period.end
        )
    else:
        by_unit = rollup_rows(scope, period).exclude(unit_id=0)
    rows = (
        by_unit.values("unit_id")
        .annotate(
            resolved=Sum("resolved"), on_time=Sum("resolved_on_time"), deadlines=Sum("deadlines")
        )
        .order_by()
    )
    names = unit_labels(r["unit_id"] for r in rows)
    units = Unit.objects.in_bulk([r["unit_id"] for r in rows]) if user is not None else {}

    def url(unit_id: int) -> str:
        unit = units.get(unit_id)
        if user is None or (unit is not None and _may_view_unit(user, unit)):
            return reverse("dashboard:unit", args=[unit_id])
        # A county bureau in a township's ranking: its page is beyond a township supervisor,
        # its cases in the township are not.
        return _drill_url({**(drill_base or {}), "unit": unit_id}, "resolved")

    items = [
        Ranked(
            names.get(r["unit_id"], "?"),
            r["resolved"] or 0,
            r["on_time"] or 0,
            url(r["unit_id"]),
            r["deadlines"] or 0,
        )
        for r in rows
    ]
    return _best_and_worst(items)


def _area_ranking(area: Area | None, scope: Scope, period: Period, query: dict) -> tuple:
    children = list(Area.objects.filter(parent=area))
    if area is None and len(children) == 1:
        # The whole region of a one-county installation: ranking the county alone says
        # nothing; its townships are what a supervisor compares.
        children = list(Area.objects.filter(parent=children[0]))
    if not children:
        return [], []
    by_id = {child.pk: Ranked(child.label, 0, 0) for child in children}
    # Each child area's own node rows: a few per day, however many cases it has.
    rows = (
        AreaRollup.objects.filter(
            area_id__in=list(by_id),
            unit_id=ALL_UNITS,
            day__gte=period.start,
            day__lte=period.end,
        )
        .values("area_id")
        .annotate(
            resolved=Sum("resolved"), on_time=Sum("resolved_on_time"), deadlines=Sum("deadlines")
        )
        .order_by()
    )
    for r in rows:
        by_id[r["area_id"]].resolved += r["resolved"] or 0
        by_id[r["area_id"]].on_time += r["on_time"] or 0
        by_id[r["area_id"]].deadlines += r["deadlines"] or 0
    for child in children:
        by_id[child.pk].url = (
            reverse("dashboard:supervisor") + "?" + urlencode({**query, "area": child.pk})
        )
    return _best_and_worst(list(by_id.values()))


# --- access -----------------------------------------------------------------------------


def _scope_area(user: User, requested: str | None) -> Area | None:
    """The area the dashboard shows: the user's scope, or an area inside it they chose.
    ``None`` means the whole region (administrators only)."""
    base = None if user.is_administrator else user.scope_area
    if not user.is_administrator and base is None:
        raise PermissionDenied
    if requested:
        try:
            chosen = Area.objects.get(pk=int(requested))
        except (ValueError, Area.DoesNotExist) as exc:
            raise Http404 from exc
        if not area_in_scope(user, chosen):
            raise Http404
        return chosen
    return base


def _unit_area(unit: Unit) -> Area | None:
    return unit.areas.order_by("path").first()


def _may_view_unit(user: User, unit: Unit) -> bool:
    if user.is_administrator or is_member_of(user, unit):
        return True
    area = _unit_area(unit)
    return (
        user.role in (Role.SUPERVISOR, Role.OPERATOR)
        and area is not None
        and area_in_scope(user, area)
    )


# --- views ------------------------------------------------------------------------------


@staff_required
def supervisor(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.HANDLER and not user.is_administrator:
        first = user.units.order_by("pk").first()
        if first is None:
            raise PermissionDenied
        return redirect("dashboard:unit", first.pk)
    area = _scope_area(user, request.GET.get("area"))
    key = _period_key(request)
    period = period_for(key)
    scope = Scope(area_path=area.path if area else "/")
    figures = figures_from_rollups(scope, period)
    base = {"period": key}
    if area is not None:
        base["area"] = area.pk
    trend_by = "month" if request.GET.get("trend") == "month" else "week"
    best_units, worst_units = _unit_ranking(scope, period, user, base)
    best_areas, worst_areas = _area_ranking(area, scope, period, {"period": key})
    return render(
        request,
        "insight/dashboard.html",
        {
            "nav": "dashboard",
            "title": area.label if area else _("All areas"),
            "area": area,
            "parent_url": _parent_url(user, area, key),
            "area_query": urlencode({"area": area.pk}) if area else "",
            "extra_fields": [("area", area.pk)] if area else [],
            **_common(figures, period, key, base, trend_by, scope),
            "best_units": best_units,
            "worst_units": worst_units,
            "best_areas": best_areas,
            "worst_areas": worst_areas,
        },
    )


def _parent_url(user: User, area: Area | None, key: str) -> str | None:
    if area is None or area.parent is None:
        return None
    if not (user.is_administrator or area_in_scope(user, area.parent)):
        return None
    return (
        reverse("dashboard:supervisor") + "?" + urlencode({"period": key, "area": area.parent_id})
    )


def _common(figures: Figures, period: Period, key: str, base: dict, trend_by: str, scope) -> dict:  # type: ignore[no-untyped-def]
    channels = dict(Channel.choices)
    categories = {c.pk: c.label for c in Category.objects.filter(pk__in=figures.by_category)}
    return {
        "period": period,
        "period_key": key,
        "periods": PERIODS.items(),
        "period_month": key if MONTH_KEY.match(key) else "",
        "this_month": timezone.localdate().strftime("%Y-%m"),
        "rows": _rows(figures, lambda d: _drill_url(base, d)),
        "backlog": [
            (label, figures.backlog[bid], _drill_url(base, "open_at_end", bid))
            for bid, label, _low, _high in BACKLOG_BUCKETS
        ],
        "backlog_definition": BACKLOG_DEFINITION,
        "by_channel": [
            (channels.get(ch, ch), n, _drill_url(base, "raised", ch))
            for ch, n in figures.by_channel.items()
        ],
        "by_category": sorted(
            (
                (categories.get(cat, "?"), n, _drill_url(base, "raised", str(cat)))
                for cat, n in figures.by_category.items()
            ),
            key=lambda row: -row[1],
        ),
        "trend": _trend(scope, period, trend_by),
        "trend_query": urlencode({**base, "trend": "week" if trend_by == "month" else "month"}),
        "base_query": urlencode(base),
    }


@staff_required
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit = Unit.objects.filter(pk=pk).first()
    if unit is None or not _may_view_unit(request.user, unit):
        raise Http404
    key = _period_key(request)
    period = period_for(key)
    area = _unit_area(unit)
    # Compared with the area one level up: a village committee against its township.
    compare_area = area.parent if area is not None and area.parent_id else area
    scope = Scope(area_path="/", unit_id=unit.pk)
    figures = figures_from_rollups(scope, period)
    compare = (
        figures_from_rollups(Scope(area_path=compare_area.path), period) if compare_area else None
    )
    base = {"period": key, "unit": unit.pk}
    trend_by = "month" if request.GET.get("trend") == "month" else "week"
    return render(
        request,
        "insight/unit_dashboard.html",
        {
            "nav": "dashboard",
            "unit": unit,
            "title": unit.label,
            "compare_area": compare_area,
            "compare_rows": _rows(figures, lambda d: _drill_url(base, d), compare),
            **_common(figures, period, key, base, trend_by, scope),
        },
    )


@staff_required
def cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one figure, limited to what the user may see anyway."""
    user = request.user
    drill = request.GET.get("drill", "")
    if drill not in DRILLS:
        raise Http404
    key = _period_key(request)
    period = period_for(key)
    unit_id = request.GET.get("unit")
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id if unit_id.isdigit() else 0).first()
        if unit is None:
            raise Http404
        if _may_view_unit(user, unit):
            scope, title = Scope(area_path="/", unit_id=unit.pk), unit.label
        else:
            # A unit beyond the user's view, but only its cases in an area within it.
            if user.role not in (Role.SUPERVISOR, Role.OPERATOR) and not user.is_administrator:
                raise Http404
            area = _scope_area(user, request.GET.get("area"))
            if area is None:
                raise Http404
            scope = Scope(area_path=area.path, unit_id=unit.pk)
            title = f"{unit.label} · {area.label}"
    else:
        if user.role == Role.HANDLER and not user.is_administrator:
            raise Http404
        area = _scope_area(user, request.GET.get("area"))
        scope = Scope(area_path=area.path if area else "/")
        title = area.label if area else _("All areas")
    value = request.GET.get("value", "")
    ids = drill_case_ids(scope, period, drill, value)
    qs = (
        visible_cases(user)
        .filter(pk__in=ids)
        .select_related("category", "area", "current_unit")
        .order_by("-created_at", "-pk")
    )
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        # The list behind a figure, to attach to a report: the export's columns.
        return export_response(request, for_export(qs), fmt, stem=f"minsheng-{drill}")
    query = {k: v for k, v in request.GET.items() if k not in ("page", "format")}
    page = _page(request, qs, **query)
    back = (
        reverse("dashboard:unit", args=[unit_id])
        if unit_id and scope.area_path == "/"
        else reverse("dashboard:supervisor")
    )
    return render(
        request,
        "insight/drill.html",
        {
            "nav": "dashboard",
            "page": page,
            "title": title,
            "drill_label": DRILLS[drill],
            # The figure counts escalations, the list cases: say why they can differ.
            "drill_note": DRILL_NOTES.get(drill, ""),
            "period": period,
            "period_label": period_label(key),
            "value": value,
            "download_query": urlencode(query),
            # The lists are as long as the figure they explain, so counting them is cheap.
            "total": qs.count(),
            "back_url": back + "?" + urlencode({k: v for k, v in query.items() if k == "area"}),
        },
    )
