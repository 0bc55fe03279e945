"""``{% hotspot_section %}``: the hot spots of the dashboard's area, for any page that
has ``request`` and (optionally) ``area`` in its context. A tag rather than view code so
the dashboard view needs no change to show them."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template

from minsheng.insight import hotspot_snapshots as snapshots
from minsheng.insight import hotspots as hs

register = template.Library()


@register.inclusion_tag("insight/_hotspots.html", takes_context=True)
def hotspot_section(context: template.Context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    area = context.get("area")
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    # From the last search's snapshot: searching the open cases on every view would take
    # seconds at region scale (see insight.hotspot_snapshots).
    section = snapshots.section_for(user, area)
    if section is None:
        return {"hidden": True}
    query = {"window": hs.DEFAULT_WINDOW, "min": hs.DEFAULT_MIN_COUNT}
    if area is not None:
        query["area"] = area.pk
    return {
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
