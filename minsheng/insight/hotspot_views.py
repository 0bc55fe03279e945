"""Staff pages for hot spots: the list, one hot spot with its cases, and coordinating it
as one case. They parse, call ``insight.hotspots`` and render; merging goes through
``cases.actions.merge_case`` inside ``coordinate_as_one_case``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.accounts.models import User
from minsheng.accounts.permissions import area_in_scope
from minsheng.cases.errors import CaseError, NotFound
from minsheng.cases.models import RUNNING_STATUSES, Case
from minsheng.cases.rules import permitted_actions
from minsheng.cases.transitions import Action
from minsheng.cases.views import staff_required
from minsheng.directory.models import Area
from minsheng.insight import hotspot_snapshots as snapshots
from minsheng.insight import hotspots as hs
from minsheng.insight.templatetags.hotspot_tags import section_context


@dataclass(frozen=True)
class Filters:
    window: int
    min_count: int
    by_text: bool
    area: Area | None

    def query(self, **extra: object) -> str:
        params: dict[str, object] = {"window": self.window, "min": self.min_count}
        if not self.by_text:
            params["text"] = "0"
        if self.area is not None:
            params["area"] = self.area.pk
        params.update(extra)
        return urlencode(params)


def _filters(request: HttpRequest, user: User) -> Filters:
    try:
        window = int(request.GET.get("window", hs.DEFAULT_WINDOW))
    except ValueError:
        window = hs.DEFAULT_WINDOW
    if window not in hs.WINDOWS:
        window = hs.DEFAULT_WINDOW
    try:
        min_count = min(50, max(2, int(request.GET.get("min", hs.DEFAULT_MIN_COUNT))))
    except ValueError:
        min_count = hs.DEFAULT_MIN_COUNT
    area = None
    raw_area = request.GET.get("area", "")
    if raw_area:
        area = Area.objects.filter(pk=int(raw_area) if raw_area.isdigit() else 0).first()
        if area is None or not (user.is_administrator or area_in_scope(user, area)):
            raise Http404
    return Filters(window, min_count, request.GET.get("text") != "0", area)


def _require_hotspot_user(user: User) -> None:
    if not hs.may_use_hotspots(user):
        raise PermissionDenied


def project_url(spot: hs.HotSpot) -> str | None:
    """The projects' "record a need" form, pre-filled with this hot spot; ``None`` when
    the projects app is not installed."""
    try:
        base = reverse("projects:need_new")
    except NoReverseMatch:
        return None
    return (
        base
        + "?"
        + urlencode(
            {
                "cases": ",".join(str(i) for i in spot.case_ids),
                "area": spot.area.pk,
                "category": spot.category.pk,
            }
        )
    )


@staff_required
def hotspot_section(request: HttpRequest) -> HttpResponse:
    """The dashboard's hot-spots section alone, searched now if it must be: the dashboard
    shows its figures first and fetches this (``insight/hotspot-section.js``)."""
    user = request.user
    _require_hotspot_user(user)
    area = _filters(request, user).area
    return render(request, "insight/_hotspots.html", section_context(user, area, search_now=True))


@staff_required
def hotspot_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_hotspot_user(user)
    filters = _filters(request, user)
    # The most unusual only: at region scale there can be hundreds of candidates, and
    # reading every one's cases takes minutes. With the wording split (the default) the
    # page reads the last search's snapshot for these settings, as the dashboard does.
    found_at, stale = None, False
    if filters.by_text:
        section = snapshots.section_for(
            user,
            filters.area,
            window_days=filters.window,
            min_count=filters.min_count,
            size=snapshots.LIST_SHOWN,
        )
        if section is None:  # not a hot-spot user (checked above already)
            raise PermissionDenied
        spots, more = section.spots, section.more
        found_at, stale = section.computed_at, section.stale
    else:
        found = hs.find_hotspots(
            user=user,
            area=filters.area,
            window_days=filters.window,
            min_count=filters.min_count,
            by_text=False,
            limit=snapshots.LIST_SHOWN + 1,
        )
        spots, more = found[: snapshots.LIST_SHOWN], len(found) > snapshots.LIST_SHOWN
    return render(
        request,
        "insight/hotspots.html",
        {
            "nav": "hotspots",
            "spots": spots,
            "more": more,
            "shown": snapshots.LIST_SHOWN,
            "computed_at": found_at,
            "stale": stale,
            "filters": filters,
            "windows": hs.WINDOWS,
            "lookback_days": hs.LOOKBACK_DAYS,
            "baseline_days": hs.BASELINE_DAYS,
            "query": filters.query(),
        },
    )


def _suggested_lead(cases: list[Case]) -> Case:
    """The case furthest along with a unit already working on it, else the first report."""
    running = [c for c in cases if c.status in RUNNING_STATUSES]
    return min(running or cases, key=lambda c: (c.created_at, c.pk))


@staff_required
def hotspot_detail(request: HttpRequest, key: str) -> HttpResponse:
    user = request.user
    _require_hotspot_user(user)
    filters = _filters(request, user)
    spot = hs.get_hotspot(
        user=user,
        key=key,
        window_days=filters.window,
        min_count=filters.min_count,
        by_text=filters.by_text,
    )
    context = {
        "nav": "hotspots",
        "filters": filters,
        "query": filters.query(),
        "spot": spot,
        "baseline_days": hs.BASELINE_DAYS,
    }
    if spot is None:
        return render(request, "insight/hotspot_detail.html", context, status=404)
    lead = _suggested_lead(spot.cases)
    rows = [
        {
            "case": case,
            "mergeable": case.pk == lead.pk or Action.MERGE in permitted_actions(user, case),
        }
        for case in spot.cases
    ]
    context.update(
        {
            "rows": rows,
            "lead": lead,
            "project_url": project_url(spot),
            "refusals_expected": sum(1 for r in rows if not r["mergeable"]),
        }
    )
    return render(request, "insight/hotspot_detail.html", context)


def _pairs(values: list[str]) -> list[tuple[int, int | None]]:
    """``id:version`` strings from the form, in order; malformed ones are ignored."""
    out = []
    for value in values:
        raw_id, _sep, raw_version = value.partition(":")
        if raw_id.isdigit():
            out.append((int(raw_id), int(raw_version) if raw_version.isdigit() else None))
    return out


@require_POST
@staff_required
def hotspot_coordinate(request: HttpRequest, key: str) -> HttpResponse:
    """Merge the hot spot's cases into the lead case the supervisor chose; each merge is
    its own action and event, and every case left unmerged is listed with the reason."""
    user = request.user
    _require_hotspot_user(user)
    filters = _filters(request, user)
    back = reverse("hotspots:detail", args=[key]) + "?" + filters.query()
    raw_lead = request.POST.get("lead", "")
    pairs = _pairs(request.POST.getlist("case"))
    if not raw_lead.isdigit():
        messages.error(request, _("Choose the lead case among the hot spot's cases."))
        return redirect(back)
    try:
        result = hs.coordinate_as_one_case(actor=user, lead=int(raw_lead), cases=pairs)
    except NotFound as exc:
        raise Http404 from exc
    except CaseError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if result.merged:
        messages.success(
            request,
            _("%(n)d cases were merged into %(code)s; their residents now follow it.")
            % {"n": len(result.merged), "code": result.lead.tracking_code},
        )
    for refusal in result.refused:
        messages.error(
            request,
            _("%(code)s was not merged: %(reason)s")
            % {"code": refusal.code, "reason": refusal.reason},
        )
    return redirect("staff:case", pk=result.lead.pk)
