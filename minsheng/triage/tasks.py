"""Background work of triage: retraining on demand (models page, command) and on the
worker's schedule; dispatching a new case by itself when the installation allows it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from minsheng.triage.models import Trigger

logger = logging.getLogger(__name__)

# A retraining still RUNNING after this long belongs to a worker that died mid-task.
ABANDONED_AFTER = dt.timedelta(hours=3)


@task()
def retrain_task(
    kinds: list[str] | None = None, actor_id: int | None = None, trigger: str = Trigger.SCHEDULE
) -> str:
    """Train the category and unit models; each version is activated only if not worse."""
    from minsheng.accounts.models import User
    from minsheng.triage.training import train_all

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    outcomes = train_all(kinds=kinds, actor=actor, trigger=trigger)
    return "; ".join(
        f"{o.kind}: v{o.model.version} {'activated' if o.activated else 'kept'}"
        if o.model
        else f"{o.kind}: not trained ({o.reason})"
        for o in outcomes
    )


# A training asked for and not taken by any worker in this long: probably none is running.
UNTAKEN_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class PendingTraining:
    running: bool  # False: waiting for a worker
    since: dt.datetime
    untaken: bool  # waiting longer than UNTAKEN_AFTER


def pending_training(now: dt.datetime | None = None) -> PendingTraining | None:
    """The retraining waiting in the queue or running now, if any (database queue only),
    so the models page can say so instead of leaving "training has started" unexplained."""
    from django_tasks_db.models import DBTaskResult

    from minsheng.worker import uses_database_backend

    if not uses_database_backend():
        return None
    now = now or timezone.now()
    row = (
        DBTaskResult.objects.filter(
            task_path=retrain_task.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        .exclude(status=TaskResultStatus.RUNNING, started_at__lt=now - ABANDONED_AFTER)
        .order_by("enqueued_at")
        .first()
    )
    if row is None:
        return None
    if row.status == TaskResultStatus.RUNNING:
        return PendingTraining(running=True, since=row.started_at, untaken=False)
    return PendingTraining(
        running=False, since=row.enqueued_at, untaken=row.enqueued_at < now - UNTAKEN_AFTER
    )


@task()
def auto_dispatch_task(case_id: int) -> str:
    """Dispatch a new case without asking if the switch is on and the models are sure;
    returns what happened (or why the case was left for the operators)."""
    from minsheng.triage.autodispatch import auto_dispatch

    return auto_dispatch(case_id).reason


def enqueue_retraining_if_due(*, now: dt.datetime | None = None) -> str | None:
    """Enqueue one scheduled retraining unless one is waiting or running, or one was
    enqueued within MINSHENG_TRIAGE_RETRAIN_HOURS. Returns the task id, or None."""
    hours = settings.MINSHENG_TRIAGE_RETRAIN_HOURS
    if hours <= 0:
        return None
    from django_tasks_db.models import DBTaskResult

    from minsheng.worker import _serialise_schedulers

    now = now or timezone.now()
    with transaction.atomic():
        _serialise_schedulers()
        runs = DBTaskResult.objects.filter(task_path=retrain_task.module_path)
        busy = runs.filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=now - ABANDONED_AFTER)
            | Q(enqueued_at__gt=now - dt.timedelta(hours=hours))
        )
        if busy.exists():
            return None
        result = retrain_task.enqueue(None, None, Trigger.SCHEDULE)
    logger.info("triage retraining enqueued: %s", result.id)
    return result.id
