"""``{% hotspot_section %}``: the hot spots of the dashboard's area, for any page that
has ``request`` and (optionally) ``area`` in its context. A tag rather than view code so
the dashboard view needs no change to show them."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from minsheng.accounts.models import User
from minsheng.directory.models import Area
from minsheng.insight import hotspot_snapshots as snapshots
from minsheng.insight import hotspots as hs

register = template.Library()


def section_context(user: User, area: Area | None, *, search_now: bool) -> dict:
    """What ``insight/_hotspots.html`` needs: the section from the last search's snapshot
    (searching the open cases on every view would take seconds at region scale, see
    insight.hotspot_snapshots), or, when a search must run first and ``search_now`` is
    false, the address that runs it, for the page to fetch once it is shown."""
    section = snapshots.section_for(user, area, search_now=search_now)
    if section is None:
        return {"hidden": True}
    query = {"window": hs.DEFAULT_WINDOW, "min": hs.DEFAULT_MIN_COUNT}
    if area is not None:
        query["area"] = area.pk
    context = {
        "pending": section.pending,
        "spots": section.spots,
        "more": section.more,
        "computed_at": section.computed_at,
        "stale": section.stale,
        "query": urlencode(query),
        "window": hs.DEFAULT_WINDOW,
        "min_count": hs.DEFAULT_MIN_COUNT,
        "lookback_days": hs.LOOKBACK_DAYS,
        "baseline_days": hs.BASELINE_DAYS,
    }
    if section.pending:
        url = reverse("hotspots:section")
        context["section_url"] = url + (f"?area={area.pk}" if area is not None else "")
    return context


@register.inclusion_tag("insight/_hotspots.html", takes_context=True)
def hotspot_section(context: template.Context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    # The dashboard's figures take a tenth of a second; it does not wait for a search.
    return section_context(user, context.get("area"), search_now=False)
