"""Record what was suggested and what the operator chose, from the cases' own events.

Listening to `case_event_committed` keeps the actions free of triage code: a case recorded
at staff intake gets an intake record, every dispatch a dispatch record. The suggestion is
recomputed from the same text with the same active model the page used, so it is what the
operator saw. A failure here is logged and never reaches the operator's request: the case
change is already committed.

While automatic dispatch is on, every new case is also handed to the worker
(`tasks.auto_dispatch_task`), which decides and dispatches outside the request; its
dispatches record their own suggestion, so they are not recorded again here.
"""

from __future__ import annotations

import logging

from django.dispatch import receiver

from minsheng.cases.forms import OPERATOR_CHANNELS
from minsheng.cases.models import ActorKind, EventKind
from minsheng.cases.signals import case_event_committed
from minsheng.triage.autodispatch import is_enabled
from minsheng.triage.models import Stage, SuggestionRecord
from minsheng.triage.suggest import save_record, suggest
from minsheng.triage.tasks import auto_dispatch_task

logger = logging.getLogger(__name__)


@receiver(case_event_committed, dispatch_uid="triage-record-suggestion")
def record_suggestion(sender, event, **kwargs) -> None:  # type: ignore[no-untyped-def]
    try:
        if event.kind == EventKind.SUBMITTED and (
            event.actor_kind == ActorKind.STAFF
            and event.data.get("channel") in {c.value for c in OPERATOR_CHANNELS}
        ):
            _record(event, Stage.INTAKE)
        elif event.kind == EventKind.DISPATCHED and event.actor_kind != ActorKind.SYSTEM:
            _record(event, Stage.DISPATCH)
    except Exception:
        logger.exception("could not record the triage suggestion for case %s", event.case_id)


@receiver(case_event_committed, dispatch_uid="triage-auto-dispatch")
def queue_auto_dispatch(sender, event, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """A new case, from any channel, goes to the worker while the switch is on."""
    if event.kind != EventKind.SUBMITTED:
        return
    try:
        if is_enabled():
            auto_dispatch_task.enqueue(event.case_id)
    except Exception:
        logger.exception("could not queue the automatic dispatch of case %s", event.case_id)


def _record(event, stage: str) -> SuggestionRecord:  # type: ignore[no-untyped-def]
    case = event.case
    result = suggest(title=case.title, description=case.description, area=case.area)
    top_category = result.categories[0].code if result.categories else None
    top_unit = result.units[0].obj.pk if result.units else None
    if stage == Stage.INTAKE:
        followed = None if top_category is None else top_category == case.category.code
    else:
        followed = None if top_unit is None else top_unit == event.unit_id
    return save_record(
        case,
        result,
        stage=stage,
        unit_id=event.unit_id if stage == Stage.DISPATCH else None,
        followed=followed,
        created_at=event.created_at,
    )
