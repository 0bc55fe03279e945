"""The deadline sweep: escalate what ran out of time, close unrated cases, purge contacts,
and forget what is kept only for a while (counted failed attempts, the SMS outbox file)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import RUNNING_STATUSES, Case, Extension, ExtensionStatus, Status
from minsheng.contacts.actions import purge_expired_contacts
from minsheng.intake.sms_backends import prune_outbox
from minsheng.throttle.actions import forget_old_failures

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    escalated: int = 0
    flagged_at_top: int = 0
    auto_closed: int = 0
    contacts_purged: int = 0
    failures_forgotten: int = 0
    outbox_lines_pruned: int = 0

    def __str__(self) -> str:
        return (
            f"escalated={self.escalated} flagged_at_top={self.flagged_at_top} "
            f"auto_closed={self.auto_closed} contacts_purged={self.contacts_purged} "
            f"failures_forgotten={self.failures_forgotten} "
            f"outbox_lines_pruned={self.outbox_lines_pruned}"
        )


def sweep_deadlines(*, now: dt.datetime | None = None) -> SweepResult:
    """One pass over overdue cases. Safe to run concurrently: each case is locked and
    re-checked, and a case another worker already moved is skipped."""
    now = now or timezone.now()
    result = SweepResult()
    # A unit that asked for more time before its deadline waits for the decision: it did
    # what it should, and the operators' answer (grant, or refuse and let the case climb at
    # the next sweep) decides. Asked after the deadline had passed, the case climbs.
    asked_in_time = Extension.objects.filter(
        case=OuterRef("pk"),
        status=ExtensionStatus.PENDING,
        unit=OuterRef("current_unit"),
        old_deadline=OuterRef("deadline"),
        requested_at__lt=F("old_deadline"),
    )
    overdue = (
        Case.objects.filter(status__in=RUNNING_STATUSES, deadline__lt=now, overdue_at_top=False)
        .exclude(Exists(asked_in_time))
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
    result.failures_forgotten = forget_old_failures(now=now)
    result.outbox_lines_pruned = prune_outbox(now=now)
    logger.info("deadline sweep: %s", result)
    return result
