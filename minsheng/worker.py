"""The background worker: runs queued tasks and asks for a deadline sweep every few minutes
(and, as due, the triage retraining and the searches that keep dashboards' hot spots warm).

Tasks live in the database (django-tasks-db), so any number of worker processes can
share one queue. Every worker also runs a small scheduler thread that enqueues the
deadline sweep; it never adds one while another is waiting or running, or when one was
enqueued less than an interval ago, so several workers do not flood the queue.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time

from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from minsheng.cases.tasks import sweep_deadlines_task

logger = logging.getLogger(__name__)

# A sweep still marked RUNNING after this long belongs to a worker that died mid-task
# (killed, machine lost power); it must not block sweeps forever.
ABANDONED_AFTER = dt.timedelta(hours=1)
# Arbitrary constant for pg_advisory_xact_lock: "one scheduler decides at a time".
_SCHEDULER_LOCK_KEY = 0x6D73_7377


def uses_database_backend() -> bool:
    return isinstance(sweep_deadlines_task.get_backend(), DatabaseBackend)


def _serialise_schedulers() -> None:
    # SQLite: settings open every transaction IMMEDIATE, so the write lock is already held.
    # PostgreSQL: an empty SELECT … FOR UPDATE locks nothing, so take an advisory lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SCHEDULER_LOCK_KEY])


def enqueue_sweep_if_idle(*, interval: float, now: dt.datetime | None = None) -> str | None:
    """Enqueue one deadline sweep unless one is waiting, running, or was enqueued less
    than ``interval`` seconds ago. Returns the new task's id, or None if none was added."""
    now = now or timezone.now()
    with transaction.atomic():
        _serialise_schedulers()
        sweeps = DBTaskResult.objects.filter(task_path=sweep_deadlines_task.module_path)
        busy = sweeps.filter(
            Q(status=TaskResultStatus.READY)
            | Q(status=TaskResultStatus.RUNNING, started_at__gte=now - ABANDONED_AFTER)
            | Q(enqueued_at__gt=now - dt.timedelta(seconds=interval))
        )
        if busy.exists():
            return None
        result = sweep_deadlines_task.enqueue()
    logger.info("deadline sweep enqueued: %s", result.id)
    return result.id


class SweepScheduler(threading.Thread):
    """Every ``interval`` seconds, enqueue a deadline sweep if none is pending."""

    def __init__(self, *, interval: float) -> None:
        super().__init__(name="minsheng-sweep-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                enqueue_sweep_if_idle(interval=self.interval)
            except Exception:
                # A locked or briefly unreachable database must not kill the scheduler.
                logger.exception("could not enqueue the deadline sweep; will try again")
            try:
                from minsheng.triage.tasks import enqueue_retraining_if_due

                enqueue_retraining_if_due()
            except Exception:
                logger.exception("could not enqueue the triage retraining; will try again")
            try:
                from minsheng.insight.hotspot_snapshots import keep_warm

                keep_warm()
            except Exception:
                logger.exception("could not ask for hot-spot searches; will try again")
            finally:
                connections.close_all()  # this thread's connections only
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


class ParentWatch(threading.Thread):
    """Stop this worker if the `minsheng run` process that started it disappears, so a
    killed server never leaves an orphaned worker behind."""

    def __init__(self, parent_pid: int) -> None:
        super().__init__(name="minsheng-parent-watch", daemon=True)
        self.parent_pid = parent_pid

    def run(self) -> None:
        while os.getppid() == self.parent_pid:
            time.sleep(2)
        logger.warning("the server process %s is gone; stopping this worker", self.parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)


def recover_after_crash() -> None:
    """Finish what a stopped worker left half-done before taking new tasks."""
    from minsheng.intake.notify import recover_interrupted_deliveries

    try:
        recover_interrupted_deliveries()
    except Exception:
        # Recovery is a courtesy; a worker that cannot do it must still run the queue.
        logger.exception("could not recover interrupted SMS deliveries")


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"[:64]


def run_worker(
    *,
    interval: float = 1.0,
    sweep_interval: float | None = None,
    queue: str = "*",
    batch: bool = False,
    max_tasks: int | None = None,
    worker_id: str | None = None,
    handle_signals: bool = True,
) -> None:
    """Run queued tasks until stopped (or, with ``batch``, until the queue is empty).

    With ``sweep_interval`` set, a scheduler thread enqueues the deadline sweep that often.
    SIGINT/SIGTERM let the current task finish before the worker exits; a second signal
    aborts it.
    """
    worker = Worker(
        queue_names=queue.split(","),
        interval=interval,
        batch=batch,
        backend_name=sweep_deadlines_task.backend,
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id or default_worker_id(),
        excluded_queue_names=[],
    )
    scheduler = SweepScheduler(interval=sweep_interval) if sweep_interval else None
    parent = os.environ.get("MINSHENG_WORKER_PARENT_PID")
    if parent and parent.isdigit():
        ParentWatch(int(parent)).start()
    caught = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    previous = {signum: signal.getsignal(signum) for signum in caught}
    if handle_signals:
        worker.configure_signals()
    try:
        recover_after_crash()
        if scheduler is not None:
            scheduler.start()
        worker.run()
    finally:
        if scheduler is not None:
            scheduler.stop()
        if handle_signals:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
