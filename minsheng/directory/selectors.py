"""Reads of reference data used by intake, dispatch and escalation."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from minsheng.directory.models import Area, Category, RoutingRule, Unit


def route_case(*, category: Category | None, area: Area) -> Unit | None:
    """The responsible unit for a category in an area, by the most specific routing rule.

    A rule naming the category beats a catch-all, wherever it sits: "water anywhere in
    this township goes to the county water bureau" overrides a village's default. Among
    rules equally specific about the category, the deeper area wins; rules for any area
    come last.
    """
    rules, depth = _rules_for(area)
    return _best_rule(rules, depth, category.pk if category else None)


def routes_by_category(area: Area, category_ids: Iterable[int]) -> dict[int, Unit | None]:
    """``route_case`` for several categories in one area, reading the rules once (the
    dispatch form proposes a unit again when the operator corrects the category)."""
    rules, depth = _rules_for(area)
    return {pk: _best_rule(rules, depth, pk) for pk in category_ids}


def _rules_for(area: Area) -> tuple[list[RoutingRule], dict[int, int]]:
    ancestor_ids = [int(p) for p in area.path.strip("/").split("/") if p]
    rules = list(
        RoutingRule.objects.filter(Q(area_id__in=ancestor_ids) | Q(area__isnull=True))
        .select_related("unit")
        .filter(unit__is_active=True)
    )
    return rules, {area_id: i for i, area_id in enumerate(ancestor_ids)}


def _best_rule(
    rules: list[RoutingRule], depth: dict[int, int], category_id: int | None
) -> Unit | None:
    def score(rule: RoutingRule) -> tuple[int, int]:
        area_score = depth[rule.area_id] if rule.area_id in depth else -1
        cat_score = 1 if rule.category_id is not None else 0
        return (cat_score, area_score)

    candidates = [
        r
        for r in rules
        if (r.category_id is None or (category_id is not None and r.category_id == category_id))
        and (r.area_id is None or r.area_id in depth)
    ]
    if not candidates:
        return None
    return max(candidates, key=score).unit


def reporting_areas() -> list[Area]:
    """Villages and communities a resident picks from, ordered by township then name."""
    return list(
        Area.objects.filter(kind__in=["village", "community"])
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def active_categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True))


def unit_labels(unit_ids: Iterable[int]) -> dict[int, str]:
    """Units' names in the active language (``Unit.label``), by id, in one query."""
    units = Unit.objects.filter(pk__in=list(unit_ids)).only("name", "name_en", "name_ug")
    return {unit.pk: unit.label for unit in units}
