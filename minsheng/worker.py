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

from django.db import InterfaceError, OperationalError, connection, connections, transaction
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
# What a dropped or unreachable database raises (a restarted server, pg_terminate_backend,
# a network cut); a worker waits it out instead of exiting.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
# Back-off between attempts to reach the database again, in seconds.
RECONNECT_FIRST_WAIT = 1.0
RECONNECT_MAX_WAIT = 30.0


class Outage:
    """Says once that the database was lost and once that it is back, however many
    attempts lie between: a restarted database must not bury the log in tracebacks."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.since: float | None = None

    def lost(self, exc: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            logger.warning(
                "%s: lost the database connection (%s); trying again until it is back",
                self.who,
                reason,
            )

    def over(self) -> None:
        if self.since is not None:
            logger.warning(
                "%s: the database is reachable again after %.0f s",
                self.who,
                time.monotonic() - self.since,
            )
            self.since = None


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
    logger.debug("deadline sweep enqueued: %s", result.id)
    return result.id


class SweepScheduler(threading.Thread):
    """Every ``interval`` seconds, enqueue a deadline sweep if none is pending."""

    def __init__(self, *, interval: float) -> None:
        super().__init__(name="minsheng-sweep-scheduler", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        from minsheng.insight.hotspot_snapshots import keep_warm
        from minsheng.triage.tasks import enqueue_retraining_if_due

        outage = Outage("sweep scheduler")
        jobs = (
            (lambda: enqueue_sweep_if_idle(interval=self.interval), "the deadline sweep"),
            (enqueue_retraining_if_due, "the triage retraining"),
            (keep_warm, "hot-spot searches"),
        )
        while not self.stopping.is_set():
            reached = True
            for job, what in jobs:
                try:
                    job()
                except CONNECTION_ERRORS as exc:
                    # A locked or unreachable database must not kill the scheduler, nor
                    # log a traceback every interval while it lasts.
                    reached = False
                    outage.lost(exc)
                    connections.close_all()  # this thread's connections only
                    break
                except Exception:
                    logger.exception("could not ask for %s; will try again", what)
            if reached:
                outage.over()
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


class ResilientWorker(Worker):
    """django-tasks-db's worker, remembering the task whose connection broke mid-way so it
    can be marked failed once the database is back (it would stay "running" for ever)."""

    interrupted: tuple[DBTaskResult, BaseException] | None = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except CONNECTION_ERRORS as exc:
            self.interrupted = (db_task_result, exc)
            raise

    def mark_interrupted_task_failed(self) -> None:
        if self.interrupted is None:
            return
        result, exc = self.interrupted
        self.interrupted = None
        still_running = DBTaskResult.objects.filter(
            pk=result.pk, status=TaskResultStatus.RUNNING
        ).exists()
        if still_running:
            # Not run again: it may have sent a text before the connection broke.
            result.set_failed(exc)
            logger.warning("task %s was interrupted by the lost connection: failed", result.pk)


def _wait_for_database(outage: Outage) -> None:
    """Close the broken connection and try again, waiting longer each time, until the
    database answers. SIGTERM still stops the worker meanwhile (it exits from the sleep)."""
    wait = RECONNECT_FIRST_WAIT
    while True:
        connections.close_all()
        time.sleep(wait)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except CONNECTION_ERRORS as exc:
            outage.lost(exc)
            wait = min(wait * 2, RECONNECT_MAX_WAIT)
            continue
        outage.over()
        return


# How often the worker says how many tasks it ran (instead of a line per task).
SUMMARY_EVERY = dt.timedelta(minutes=10)


class TaskTally:
    """Counts finished tasks and logs one summary line per SUMMARY_EVERY (and at the end)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.counts: dict[tuple[str, str], int] = {}

    def finished(self, sender, task_result, **kwargs) -> None:  # type: ignore[no-untyped-def]
        name = task_result.task.module_path.rsplit(".", 1)[-1]
        key = (name, "failed" if task_result.status == TaskResultStatus.FAILED else "ok")
        self.counts[key] = self.counts.get(key, 0) + 1
        if time.monotonic() - self.started >= SUMMARY_EVERY.total_seconds():
            self.log()

    def log(self) -> None:
        if self.counts:
            ok = sum(n for (_name, outcome), n in self.counts.items() if outcome == "ok")
            failed = sum(self.counts.values()) - ok
            names: dict[str, int] = {}
            for (name, _outcome), n in self.counts.items():
                names[name] = names.get(name, 0) + n
            detail = ", ".join(f"{name} {n}" for name, n in sorted(names.items()))
            logger.info(
                "tasks in the last %.0f min: %d done, %d failed (%s)",
                (time.monotonic() - self.started) / 60,
                ok,
                failed,
                detail,
            )
        self.started = time.monotonic()
        self.counts = {}


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
    worker = ResilientWorker(
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
    from django_tasks_db.compat import task_finished

    tally = TaskTally()
    task_finished.connect(tally.finished, dispatch_uid="minsheng.worker.tally")
    try:
        recover_after_crash()
        if scheduler is not None:
            scheduler.start()
        outage = Outage("worker")
        while True:
            try:
                worker.run()
                break
            except CONNECTION_ERRORS as exc:
                if batch or not worker.running:
                    raise
                outage.lost(exc)
                _wait_for_database(outage)
                worker.mark_interrupted_task_failed()
                worker.startup_delay = False
    finally:
        task_finished.disconnect(dispatch_uid="minsheng.worker.tally")
        tally.log()
        if scheduler is not None:
            scheduler.stop()
        if handle_signals:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
