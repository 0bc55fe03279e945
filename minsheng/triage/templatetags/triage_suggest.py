"""`{% triage_intake_suggestions form %}` and `{% triage_case_suggestions case %}`.

One line in the intake and case templates; the panels render the same partial as the
JSON endpoint the intake page asks while the operator types.
"""

from __future__ import annotations

from django import template

from minsheng.directory.models import Area
from minsheng.triage.dispatching import for_dispatch
from minsheng.triage.suggest import suggest

register = template.Library()


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
    """Suggestions beside the dispatch form, for those who may dispatch this case. What
    they filled into the form was decided with the form (`dispatching.for_dispatch`); once
    the operator has sent the form back, it shows their choices, not the suggestion's."""
    request = context.get("request")
    if request is None:
        return {"s": None}
    proposal = for_dispatch(request, case)
    if proposal.result is None:
        return {"s": None}
    sent_back = bool(context.get("dispatch_sent_back"))
    return {
        "s": proposal.result,
        "stage": "dispatch",
        "fill_category": None if sent_back else proposal.category,
        "unit_chosen": not sent_back and proposal.unit is not None,
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
