"""`{% triage_intake_suggestions form %}` and `{% triage_case_suggestions case %}`.

One line in the intake and case templates; the panels render the same partial as the
JSON endpoint the intake page asks while the operator types.
"""

from __future__ import annotations

from django import template

from minsheng.accounts.permissions import can_triage
from minsheng.cases.models import Status
from minsheng.directory.models import UNSURE_CATEGORY, Area
from minsheng.triage.suggest import suggest

register = template.Library()

# Statuses in which a case waits for (re-)dispatch.
DISPATCHABLE = (Status.SUBMITTED, Status.RETURNED, Status.ESCALATED)


@register.inclusion_tag("triage/_intake_panel.html")
def triage_intake_suggestions(form) -> dict:  # type: ignore[no-untyped-def]
    """The intake panel. Without JavaScript, a re-shown form gets its suggestions here."""
    result = None
    if form.is_bound:
        data = form.data
        area = Area.objects.filter(pk=_int(data.get("area"))).first()
        title, description = data.get("title") or "", data.get("description") or ""
        if (title + description).strip():
            result = suggest(title=title, description=description, area=area)
    return {"s": result, "stage": "intake"}


@register.inclusion_tag("triage/_case_panel.html", takes_context=True)
def triage_case_suggestions(context, case) -> dict:  # type: ignore[no-untyped-def]
    """Suggestions beside the dispatch form, for those who may dispatch this case."""
    user = context.get("user")
    if case.status not in DISPATCHABLE or user is None or not can_triage(user, case):
        return {"s": None}
    result = suggest(title=case.title, description=case.description, area=case.area)
    sure = result.preselect_category
    unsure_case = case.category.code == UNSURE_CATEGORY
    return {
        "s": result,
        "stage": "dispatch",
        # A confident category fills the dispatch form in only where the case has none of
        # its own (the resident or operator was not sure: "other").
        "fill_category": sure
        if sure is not None and unsure_case and sure != case.category
        else None,
    }


def _int(value) -> int | None:  # type: ignore[no-untyped-def]
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@register.filter
def share(value) -> str:  # type: ignore[no-untyped-def]
    """A share (0–1) as a percentage with one decimal, or a dash when unknown."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
