"""Parsing of money, percentages and dates for the project actions: bad input gets an
error naming the field, before anything is written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from minsheng.projects.errors import InvalidInput

MONEY_MAX = Decimal("999999999999.99")


def clean_money(value: object, *, field: str, label: str) -> Decimal:
    """Yuan with at most two decimals, from 0 up to just under a trillion."""
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "") if value is not None else ""
    if text == "":
        raise InvalidInput(_("Please fill in %(label)s.") % {"label": label}, field=field)
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput(
            _("%(label)s must be an amount in yuan, for example 125000.50.") % {"label": label},
            field=field,
        ) from exc
    if not amount.is_finite() or amount < 0 or amount > MONEY_MAX:
        raise InvalidInput(
            _("%(label)s must be an amount in yuan, for example 125000.50.") % {"label": label},
            field=field,
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            _("%(label)s has more than two decimals (fen).") % {"label": label}, field=field
        )
    return amount.quantize(Decimal("0.01"))


def clean_progress(value: object) -> int:
    try:
        progress = int(str(value).strip().rstrip("%"))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            _("Progress must be a whole number from 0 to 100."), field="progress"
        ) from exc
    if not 0 <= progress <= 100:
        raise InvalidInput(_("Progress must be a whole number from 0 to 100."), field="progress")
    return progress


def clean_date(value: object, *, field: str, label: str, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(_("Please fill in %(label)s.") % {"label": label}, field=field)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise InvalidInput(
            _("%(label)s must be a date like 2026-10-31.") % {"label": label}, field=field
        ) from exc
