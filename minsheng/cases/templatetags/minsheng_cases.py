from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone, translation
from django.utils.translation import ngettext, pgettext

from minsheng.cases.redaction import redact as redact_text

register = template.Library()

_MINUTE = 60
_UNITS = (  # seconds, and how one amount of the unit is said
    (365 * 86400, lambda n: ngettext("%(n)d year", "%(n)d years", n) % {"n": n}),
    (30 * 86400, lambda n: ngettext("%(n)d month", "%(n)d months", n) % {"n": n}),
    (7 * 86400, lambda n: ngettext("%(n)d week", "%(n)d weeks", n) % {"n": n}),
    (86400, lambda n: ngettext("%(n)d day", "%(n)d days", n) % {"n": n}),
    (3600, lambda n: ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}),
    (_MINUTE, lambda n: ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}),
)


def span(seconds: float) -> str:
    """A length of time in its two largest units, in the active language: "4个月1周",
    "4 months, 1 week". Django's timesince said "4 月，1 周" in Chinese — "April"."""
    left = max(int(seconds), _MINUTE)
    parts = []
    for size, say in _UNITS:
        if left >= size:
            parts.append(say(left // size))
            left %= size
        elif parts:
            break  # "2 days" rather than "2 days, 0 hours"; the next unit is too small
        if len(parts) == 2:
            break
    return pgettext("duration separator", ", ").join(parts)


@register.filter
def time_since(moment: dt.datetime | None) -> str:
    return span((timezone.now() - moment).total_seconds()) if moment else ""


@register.filter
def time_until(moment: dt.datetime | None) -> str:
    return span((moment - timezone.now()).total_seconds()) if moment else ""


@register.filter
def redact(value: str) -> str:
    return redact_text(value or "")


@register.simple_tag(takes_context=True)
def deadline_state(context, case) -> str:  # type: ignore[no-untyped-def]
    """'overdue', 'due_soon', 'ok' or '' for a case's deadline chip."""
    from minsheng.cases.selectors import due_soon_before

    if not case.deadline or not case.is_open or case.status == "resolved":
        return ""
    now = timezone.now()
    if case.deadline < now:
        return "overdue"
    # One working day ahead, worked out once per page (a list shows many chips).
    request = context.get("request")
    soon = getattr(request, "_minsheng_due_soon", None)
    if soon is None or soon[0] > now or (now - soon[0]).total_seconds() > 60:
        soon = (now, due_soon_before(now))
        if request is not None:
            request._minsheng_due_soon = soon
    if case.deadline < soon[1]:
        return "due_soon"
    return "ok"


@register.filter
def category_label(code: str) -> str:
    """A category's name in the reader's language, from the code an event recorded."""
    from minsheng.directory.models import Category

    category = Category.objects.filter(code=code).first()
    return category.label if category is not None else code


@register.filter
def deadline_text(moment: dt.datetime | None) -> str:
    """A deadline as people read it: the end of a day is "24:00" of that day, not "00:00"
    of the next (a case due by the end of Monday read as due on Tuesday)."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (0, 0):
        return ltr(f"{local.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00")
    return ltr(f"{local:%Y-%m-%d %H:%M}")


@register.filter
def ltr(text: object) -> str:
    """A date, a time or a figure kept left to right inside right-to-left text: in Uyghur
    "2026-11-30 10:23" showed as "10:23 2026-11-30". Unicode isolates, not markup, so it
    also works inside an attribute; left-to-right languages get the text unchanged."""
    text = str(text)
    if not text or not translation.get_language_bidi():
        return text
    return f"\u2066{text}\u2069"


@register.filter
def iso_deadline_text(value: str) -> str:
    """``deadline_text`` of a deadline an event recorded as an ISO string."""
    try:
        return deadline_text(dt.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return ""
