"""The deadline sweep: escalate what ran out of time, close unrated cases, purge contacts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import RUNNING_STATUSES, Case, Status, SweepRecord
from minsheng.contacts.actions import purge_expired_contacts

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    escalated: int = 0
    flagged_at_top: int = 0
    auto_closed: int = 0
    contacts_purged: int = 0

    def __str__(self) -> str:
        return (
            f"escalated={self.escalated} flagged_at_top={self.flagged_at_top} "
            f"auto_closed={self.auto_closed} contacts_purged={self.contacts_purged}"
        )


def sweep_deadlines(*, now: dt.datetime | None = None) -> SweepResult:
    """One pass over overdue cases. Safe to run concurrently: each case is locked and
    re-checked, and a case another worker already moved is skipped."""
    now = now or timezone.now()
    result = SweepResult()
    overdue = (
        Case.objects.filter(status__in=RUNNING_STATUSES, deadline__lt=now, overdue_at_top=False)
        .order_by("deadline")
        .values_list("pk", "deadline", "current_unit__parent_id", "version")
    )
    for case_id, deadline, parent_id, version in overdue.iterator():
        try:
            if parent_id is None:
                if actions.flag_overdue_at_top(case=case_id, now=now):
                    result.flagged_at_top += 1
            else:
                actions.escalate_case(
                    actor=actions.SYSTEM,
                    case=case_id,
                    reason=_(
                        "Deadline %(deadline)s passed without resolution; escalated automatically."
                    )
                    % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
                    expected_version=version,
                )
                result.escalated += 1
        except CaseError as exc:
            logger.info("sweep skipped case %s: %s", case_id, exc)
    cutoff = now - dt.timedelta(days=settings.MINSHENG_AUTO_CLOSE_DAYS)
    for case_id in Case.objects.filter(status=Status.RESOLVED, resolved_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        try:
            actions.close_unrated_case(case=case_id)
            result.auto_closed += 1
        except CaseError as exc:
            logger.info("sweep could not close case %s: %s", case_id, exc)
    result.contacts_purged = purge_expired_contacts(now=now)
    # Staff pages and /healthz read this to notice that sweeps (and so workers) stopped.
    SweepRecord.objects.update_or_create(
        pk=SweepRecord.ONLY, defaults={"finished_at": timezone.now(), "summary": str(result)}
    )
    logger.info("deadline sweep: %s", result)
    return result
