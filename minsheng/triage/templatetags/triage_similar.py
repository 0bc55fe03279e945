"""`{% duplicate_cases case %}` and `{% similar_past_cases case %}` for the staff case page.

Each is one line in the template; the partials never show contact details, and a case
appears in them only if the user may see it.
"""

from __future__ import annotations

from django import template

from minsheng.cases.models import TRIAGE_STATUSES
from minsheng.cases.rules import permitted_actions
from minsheng.cases.transitions import Action
from minsheng.triage.duplicates import find_duplicates, window_days
from minsheng.triage.similar import similar_past_cases

register = template.Library()


@register.inclusion_tag("triage/_duplicates.html", takes_context=True)
def duplicate_cases(context, case) -> dict:  # type: ignore[no-untyped-def]
    """Open cases nearby that read alike, each with a "merge into this case" form.

    Shown to whoever may merge the case. A case waiting for dispatch always shows the
    panel (an empty result is worth knowing before dispatching); others only on a match.
    """
    user = context.get("user")
    if user is None or Action.MERGE not in permitted_actions(user, case):
        return {"show": False}
    matches = find_duplicates(case, user=user)
    return {
        "show": bool(matches) or case.status in TRIAGE_STATUSES,
        "case": case,
        "matches": matches,
        "days": window_days(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("triage/_similar.html", takes_context=True)
def similar_past_cases_panel(context, case) -> dict:  # type: ignore[no-untyped-def]
    """Resolved cases like this one, with how and how fast they were solved."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"past": []}
    return {"past": similar_past_cases(case, user=user)}
