"""W3C date-times (the ISO 8601 profile GeoReport v2 prescribes), read and written."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

# YYYY, YYYY-MM, YYYY-MM-DD, or a date with hh:mm[:ss[.s…]] and a zone (Z or ±hh:mm).
_W3C = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<f>\d+))?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$",
    re.ASCII,
)


def parse_w3c(value: str) -> dt.datetime | None:
    """An aware datetime, or None when ``value`` is not a W3C date-time.

    The note requires a zone on times; one without is read in the server's time zone
    rather than refused, since clients often leave it off.
    """
    match = _W3C.match((value or "").strip())
    if not match:
        return None
    g = match.groupdict()
    try:
        moment = dt.datetime(
            int(g["y"]),
            int(g["m"] or 1),
            int(g["d"] or 1),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
            int((g["f"] or "0")[:6].ljust(6, "0")),
        )
    except ValueError:
        return None
    zone = g["tz"]
    if zone is None:
        return timezone.make_aware(moment)
    if zone == "Z":
        return moment.replace(tzinfo=dt.UTC)
    sign = 1 if zone[0] == "+" else -1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 23 or minutes > 59:
        return None
    return moment.replace(tzinfo=dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes)))


def format_w3c(moment: dt.datetime | None) -> str | None:
    """Local time with its offset, to the second: 2024-05-01T08:30:00+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")
