from __future__ import annotations

from django import template
from django.utils import timezone

from minsheng.cases.redaction import redact as redact_text

register = template.Library()


@register.filter
def redact(value: str) -> str:
    return redact_text(value or "")


@register.simple_tag
def deadline_state(case) -> str:  # type: ignore[no-untyped-def]
    """'overdue', 'due_soon', 'ok' or '' for a case's deadline chip."""
    from minsheng.cases.selectors import DUE_SOON

    if not case.deadline or not case.is_open or case.status == "resolved":
        return ""
    now = timezone.now()
    if case.deadline < now:
        return "overdue"
    if case.deadline < now + DUE_SOON:
        return "due_soon"
    return "ok"
