"""Dispatching a new case without asking, when the installation allows it and the models
are sure.

An administrator turns "dispatch automatically when sure" on or off on the models page
(off by default; each change is written to `ModelChange`). While it is on, every new
case, whatever its channel, is looked at by the background worker — never in the
resident's or operator's request — and dispatched by the system only if all of these
hold; otherwise nothing changes and the operators dispatch it as usual:

- the category suggestion comes from a learned model (not the keywords), is confident,
  and its best category is the case's own category — or the case has none of its own
  ("other": the resident was not sure), when the dispatch sets the suggested one;
- the unit suggestion comes from a learned unit model (not the routing rules), is
  confident, and the unit is active and covers the case's area (or the routing rules
  name it there);
- the case still waits for its first dispatch, and no open case nearby reads like it
  (an operator decides on merges).

"Confident" is each model's threshold, chosen on held-out cases so that it was right at
least ``MINSHENG_TRIAGE_TARGET_PRECISION`` of the time. The dispatch itself is
`cases.actions.dispatch_case` with the SYSTEM actor and ``automatic=True``: one
transition, one event whose note says so with both probabilities and model versions, and
a `SuggestionRecord` counted as a followed suggestion. The models page shows how many
cases were dispatched this way and how many their units returned as mis-routed.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts.models import User
from minsheng.cases import actions
from minsheng.cases.errors import InvalidTransition, NotFound, NotPermitted, StaleCase
from minsheng.cases.models import ActorKind, Case, Event, EventKind, Status
from minsheng.directory.models import UNSURE_CATEGORY, Category, Unit
from minsheng.directory.selectors import route_case
from minsheng.triage.duplicates import find_duplicates
from minsheng.triage.models import (
    ChangeAction,
    ModelChange,
    Stage,
    SuggestionRecord,
    TriageSettings,
    Trigger,
)
from minsheng.triage.suggest import LEARNED, TriageSuggestion, save_record, suggest

logger = logging.getLogger(__name__)

# Why a case was left for the operators (the task's result and the worker's log say it).
DISPATCHED = "dispatched"
SWITCHED_OFF = "switched off"
NOT_WAITING = "not waiting for its first dispatch"
KEYWORDS = "no learned category model"
CATEGORY_UNSURE = "category not confident"
CATEGORY_DIFFERS = "suggested category differs from the case's"
UNIT_NOT_LEARNED = "no learned unit model"
UNIT_UNSURE = "unit not confident"
UNIT_ELSEWHERE = "suggested unit does not cover the case's area"
DUPLICATE = "a possible duplicate is open"

ACCOUNT_DAYS = 30  # the models page counts automatic dispatches over this many days


def is_enabled() -> bool:
    return TriageSettings.current().auto_dispatch


@transaction.atomic
def set_enabled(on: bool, *, actor: User, trigger: str = Trigger.PAGE) -> bool:
    """Turn automatic dispatch on or off; returns False if it already was so (nothing written)."""
    row, _created = TriageSettings.objects.get_or_create(pk=TriageSettings.ROW)
    row = TriageSettings.objects.select_for_update().get(pk=row.pk)
    if row.auto_dispatch == on:
        return False
    now = timezone.now()
    row.auto_dispatch, row.changed_at, row.changed_by = on, now, actor
    row.save(update_fields=["auto_dispatch", "changed_at", "changed_by"])
    ModelChange.objects.create(
        kind="",
        action=ChangeAction.AUTO_ON if on else ChangeAction.AUTO_OFF,
        actor=actor,
        trigger=trigger,
        created_at=now,
    )
    logger.info("automatic dispatch turned %s by %s", "on" if on else "off", actor)
    return True


def may_handle(unit: Unit, case: Case, category: Category | None = None) -> bool:
    """The unit covers the case's area (or one above it), or the routing rules send this
    category there from that area."""
    covered = unit.areas.values_list("path", flat=True)
    if any(case.area_path.startswith(path) for path in covered):
        return True
    return route_case(category=category or case.category, area=case.area) == unit


def unsure_reason(case: Case, result: TriageSuggestion) -> str | None:
    """Why the suggestion is not good enough to dispatch by itself, or None if it is."""
    if result.mode != LEARNED:
        return KEYWORDS
    if not (result.confident and result.categories):
        return CATEGORY_UNSURE
    if result.categories[0].code != case.category.code and case.category.code != UNSURE_CATEGORY:
        return CATEGORY_DIFFERS
    if result.unit_source != "model":
        return UNIT_NOT_LEARNED
    if not (result.unit_confident and result.units):
        return UNIT_UNSURE
    unit = result.units[0].obj
    category = result.categories[0].obj
    if not unit.is_active or not may_handle(unit, case, category):  # type: ignore[arg-type]
        return UNIT_ELSEWHERE
    return None


@dataclass(frozen=True)
class Outcome:
    reason: str
    unit_id: int | None = None

    @property
    def dispatched(self) -> bool:
        return self.reason == DISPATCHED


def auto_dispatch(case_id: int) -> Outcome:
    """Dispatch one new case by itself if the switch is on and everything is sure."""
    if not is_enabled():
        return Outcome(SWITCHED_OFF)
    case = Case.objects.select_related("category", "area").filter(pk=case_id).first()
    if case is None or case.status != Status.SUBMITTED:
        return Outcome(NOT_WAITING)
    result = suggest(title=case.title, description=case.description, area=case.area)
    reason = unsure_reason(case, result)
    if reason is None and find_duplicates(case):
        reason = DUPLICATE
    if reason is not None:
        return Outcome(reason)
    unit: Unit = result.units[0].obj  # type: ignore[assignment]
    category: Category = result.categories[0].obj  # type: ignore[assignment]
    try:
        with transaction.atomic():
            locked = actions.lock_case(case.pk)
            # An operator may have dispatched (or merged, declined…) it meanwhile.
            if locked.status != Status.SUBMITTED or locked.category_id != case.category_id:
                return Outcome(NOT_WAITING)
            if not is_enabled():
                return Outcome(SWITCHED_OFF)
            dispatched = actions.dispatch_case(
                actor=actions.SYSTEM,
                case=locked.pk,
                unit=unit,
                note=_note(locked, result),
                expected_version=locked.version,
                automatic=True,
                category=category if locked.category.code == UNSURE_CATEGORY else None,
            )
            _record(dispatched, result, unit)
    except (StaleCase, InvalidTransition, NotPermitted, NotFound):
        return Outcome(NOT_WAITING)
    logger.info("case %s dispatched automatically to unit %s", case.pk, unit.pk)
    return Outcome(DISPATCHED, unit.pk)


def _note(case: Case, result: TriageSuggestion) -> str:
    category, unit = result.categories[0], result.units[0]
    return _(
        "Dispatched automatically: the category model (version %(category_version)s) "
        "is %(category_p)s sure of “%(category)s”, the unit model (version "
        "%(unit_version)s) is %(unit_p)s sure of “%(unit)s”."
    ) % {
        "category_version": result.category_version,
        "category_p": _percent(category.probability),
        "category": category.obj.label,  # type: ignore[union-attr]
        "unit_version": result.unit_version,
        "unit_p": _percent(unit.probability),
        "unit": unit.obj.label,  # type: ignore[union-attr]
    }


def _percent(probability: float) -> str:
    return f"{probability * 100:.1f}%"


def _record(case: Case, result: TriageSuggestion, unit: Unit) -> SuggestionRecord:
    """The dispatch-stage record, as the operators' choices are recorded: followed."""
    return save_record(case, result, stage=Stage.DISPATCH, unit_id=unit.pk, followed=True)


@dataclass(frozen=True)
class Account:
    """Automatic dispatches over the last ``days`` days, and how many came back."""

    days: int
    dispatched: int
    returned: int

    @property
    def returned_share(self) -> float | None:
        return self.returned / self.dispatched if self.dispatched else None


def account(*, days: int = ACCOUNT_DAYS, now: dt.datetime | None = None) -> Account:
    """How many cases the system dispatched in the last ``days`` days, and how many of
    those the unit it chose later returned as mis-routed."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    automatic = Event.objects.filter(
        kind=EventKind.DISPATCHED, actor_kind=ActorKind.SYSTEM, created_at__gte=since
    )
    returned = Event.objects.filter(
        case_id=OuterRef("case_id"),
        kind=EventKind.RETURNED,
        unit_id=OuterRef("unit_id"),
        created_at__gte=OuterRef("created_at"),
    )
    counts = automatic.annotate(was_returned=Exists(returned)).aggregate(
        dispatched=Count("pk"), returned=Count("pk", filter=Q(was_returned=True))
    )
    return Account(days=days, dispatched=counts["dispatched"], returned=counts["returned"])
