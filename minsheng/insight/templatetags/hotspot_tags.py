"""``{% hotspot_section %}``: the hot spots of the dashboard's area, for any page that
has ``request`` and (optionally) ``area`` in its context. A tag rather than view code so
the dashboard view needs no change to show them."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template

from minsheng.insight import hotspots as hs

register = template.Library()

SHOWN = 5


@register.inclusion_tag("insight/_hotspots.html", takes_context=True)
def hotspot_section(context: template.Context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    area = context.get("area")
    if user is None or not hs.may_use_hotspots(user):
        return {"hidden": True}
    # One more than shown tells whether to link to the full list, without the cost of
    # examining every candidate on each dashboard view.
    spots = hs.find_hotspots(user=user, area=area, limit=SHOWN + 1)
    query = {"window": hs.DEFAULT_WINDOW, "min": hs.DEFAULT_MIN_COUNT}
    if area is not None:
        query["area"] = area.pk
    return {
        "spots": spots[:SHOWN],
        "more": len(spots) > SHOWN,
        "query": urlencode(query),
        "window": hs.DEFAULT_WINDOW,
        "min_count": hs.DEFAULT_MIN_COUNT,
        "lookback_days": hs.LOOKBACK_DAYS,
        "baseline_days": hs.BASELINE_DAYS,
    }
