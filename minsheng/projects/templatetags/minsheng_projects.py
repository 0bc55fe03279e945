"""Template helpers for the project pages and the "part of project" box on a case."""

from __future__ import annotations

from decimal import Decimal

from django import template

from minsheng.directory.models import Area
from minsheng.projects import rules, selectors
from minsheng.projects.models import OnCompletion

register = template.Library()


@register.filter
def yuan(value: object) -> str:
    """1234567.5 → "1,234,567.50": amounts read the same in every language."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (ArithmeticError, ValueError):
        return ""


@register.filter
def indented(area: Area) -> str:
    """An area's name in the reader's language, indented by its depth, for a flat select
    of the tree."""
    return "\u3000" * area.depth + area.label


@register.filter
def withdrawable_by(resource, user) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``user`` may withdraw the offer: the button shows only then."""
    return rules.can_withdraw(user, resource)


@register.inclusion_tag("projects/_case_projects_box.html", takes_context=True)
def case_projects(context, case) -> dict:  # type: ignore[no-untyped-def]
    """The projects a case is part of, as far as the viewer may see them, and the running
    projects they may link it to."""
    request = context.get("request")
    user = getattr(request, "user", None)
    projects = selectors.projects_of_case(user=user, case_id=case.pk) if user else []
    linkable = selectors.linkable_projects(user=user, case=case) if user else []
    return {
        "case": case,
        "projects": projects,
        "linkable": linkable,
        "on_completion": OnCompletion.choices,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("projects/_public_case_projects.html")
def public_case_projects(case) -> dict:  # type: ignore[no-untyped-def]
    """On the resident's case page: the public projects the case is part of."""
    from minsheng.insight import board_projects

    return {"projects": board_projects.projects_of_case(case.pk)}
