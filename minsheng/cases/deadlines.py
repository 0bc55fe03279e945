"""The deadline sweep: escalate what ran out of time, close unrated cases, purge contacts,
and forget what is kept only for a while (counted failed attempts, the SMS outbox file);
and deadlines counted again when the working-day calendar changes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import (
    RUNNING_STATUSES,
    Case,
    Extension,
    ExtensionStatus,
    Status,
    SweepRecord,
)
from minsheng.contacts.actions import purge_expired_contacts
from minsheng.directory.calendar import WorkingCalendar
from minsheng.directory.calendar_notice import NoticeDay, save_notice_days
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
    # Staff pages and /healthz read this to notice that sweeps (and so workers) stopped.
    SweepRecord.objects.update_or_create(
        pk=SweepRecord.ONLY, defaults={"finished_at": timezone.now(), "summary": str(result)}
    )
    # Every few minutes: a line only when it did something, or the log is all sweeps.
    did_something = result.escalated or result.flagged_at_top or result.auto_closed
    logger.log(
        logging.INFO if did_something or result.contacts_purged else logging.DEBUG,
        "deadline sweep: %s",
        result,
    )
    return result


@dataclass
class CalendarChange:
    days: int  # calendar adjustments written or changed
    cases_moved: int  # running cases whose deadline moved


def recalculate_deadlines(*, days: Iterable[dt.date]) -> int:
    """After the working-day calendar changed on ``days``, count again the deadline of
    every running case whose deadline window holds one of them (one event per case that
    moved, through ``actions.recalculate_deadline``). Returns how many moved."""
    days = sorted(set(days))
    if not days:
        return 0
    calendar = WorkingCalendar.load()
    first = dt.datetime.combine(days[0], dt.time(0, 0), tzinfo=timezone.get_current_timezone())
    candidates = Case.objects.filter(status__in=RUNNING_STATUSES, deadline__gte=first)
    moved = 0
    for case_id in candidates.values_list("pk", flat=True).iterator():
        try:
            if actions.recalculate_deadline(case=case_id, touching=days, calendar=calendar):
                moved += 1
        except CaseError as exc:
            logger.info("could not recalculate the deadline of case %s: %s", case_id, exc)
    logger.info("calendar changed on %d day(s): %d deadline(s) moved", len(days), moved)
    return moved


def enter_calendar_days(*, days: list[NoticeDay]) -> CalendarChange:
    """Write an administrator's calendar adjustments (all or none), then move the deadlines
    they change. Entering the same notice again writes nothing and moves nothing."""
    written = save_notice_days(days)
    return CalendarChange(
        days=written, cases_moved=recalculate_deadlines(days=[day.date for day in days])
    )
