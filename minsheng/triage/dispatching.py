"""What the suggestions put into a case's dispatch form, decided once per page on the
server, so that the form, the panel beside it and a browser without JavaScript agree.

A sure category fills the form in only where the case has none of its own (a resident who
was not sure leaves "other"); a sure unit is chosen in the form. The operator changes
either before sending; nothing is dispatched here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from minsheng.accounts.permissions import can_triage
from minsheng.cases.models import Case, Status
from minsheng.directory.models import UNSURE_CATEGORY, Category, Unit
from minsheng.triage.suggest import TriageSuggestion, suggest

# Statuses in which a case waits for (re-)dispatch.
DISPATCHABLE = (Status.SUBMITTED, Status.RETURNED, Status.ESCALATED)


@dataclass(frozen=True)
class DispatchSuggestion:
    result: TriageSuggestion | None = None
    category: Category | None = None  # to fill in: the case had none of its own
    unit: Unit | None = None  # to choose in the form


def for_dispatch(request: HttpRequest, case: Case) -> DispatchSuggestion:
    """The suggestion for this case's dispatch form, computed once per request."""
    cache: dict[int, DispatchSuggestion] = request.__dict__.setdefault("_dispatch_suggestions", {})
    if case.pk not in cache:
        cache[case.pk] = _suggestion(request, case)
    return cache[case.pk]


def _suggestion(request: HttpRequest, case: Case) -> DispatchSuggestion:
    user = getattr(request, "user", None)
    if case.status not in DISPATCHABLE or user is None or not can_triage(user, case):
        return DispatchSuggestion()
    result = suggest(title=case.title, description=case.description, area=case.area)
    sure = result.preselect_category
    category = (
        sure
        if sure is not None and case.category.code == UNSURE_CATEGORY and sure != case.category
        else None
    )
    unit = result.preselect_unit
    return DispatchSuggestion(
        result, category, unit if unit is not None and unit.is_active else None
    )
