"""Figures as text, rounded one way everywhere.

Django's ``number_format`` cuts decimals off (21.85 h shows as 21.8), while the workbook's
cells round (21.9): the dashboard, the PDF and the workbook of one month must show the same
numbers, so every figure is rounded half away from zero — as a spreadsheet does — before it
is formatted for the reader's language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def fixed(value: float | int, places: int, *, grouping: bool = False) -> str:
    """The value rounded half away from zero to ``places`` decimals, in the reader's format."""
    exponent = Decimal(1).scaleb(-places)
    rounded = Decimal(repr(float(value))).quantize(exponent, rounding=ROUND_HALF_UP)
    return number_format(rounded, places, force_grouping=grouping)


def percent(share: float) -> str:
    return f"{fixed(share * 100, 0)}%"


def format_value(value: float | int | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "rate":
        return percent(value)
    if unit == "hours":
        return _("%(n)s h") % {"n": fixed(value, 1)}
    if unit == "days":
        return _("%(n)s working days") % {"n": fixed(value, 1)}
    if unit == "rating":
        return fixed(value, 2)
    return fixed(value, 0, grouping=True)


def format_change(change: float | int | None, previous: float | int | None, unit: str) -> str:
    """The change as text: +12 (+8%) for counts, +3.5 pp for rates, -0.4 h for times."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    size = abs(change)
    if unit == "rate":
        return sign + _("%(n)s pp") % {"n": fixed(size * 100, 1)}
    if unit == "hours":
        return sign + _("%(n)s h") % {"n": fixed(size, 1)}
    if unit == "days":
        return sign + _("%(n)s working days") % {"n": fixed(size, 1)}
    if unit == "rating":
        return sign + fixed(size, 2)
    text = sign + fixed(size, 0, grouping=True)
    if previous:
        text += f" ({sign}{percent(size / previous)})"
    return text
