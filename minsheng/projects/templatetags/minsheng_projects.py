"""Template helpers for the project pages and the "part of project" box on a case."""

from __future__ import annotations

from decimal import Decimal

from django import template

from minsheng.directory.models import Area
from minsheng.projects import selectors

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
    """An area's name indented by its depth, for a flat select of the tree."""
    return "\u3000" * area.depth + area.name


@register.inclusion_tag("projects/_case_projects_box.html", takes_context=True)
def case_projects(context, case) -> dict:  # type: ignore[no-untyped-def]
    """The projects a case is part of, as far as the viewer may see them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    projects = selectors.projects_of_case(user=user, case_id=case.pk) if user else []
    return {"projects": projects}
