"""`manage.py worker`: run background tasks and schedule the deadline sweep."""

from __future__ import annotations

import logging
import os
from argparse import ArgumentParser

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django_tasks_db.compat import TASKS_LOGGER

from minsheng import worker
from minsheng.server import public_address_line, require_keys, require_migrated


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Run queued background tasks (deadline sweeps and others) until stopped. Start more "
        "of these processes to share the work; each also enqueues the deadline sweep every "
        "MINSHENG_SWEEP_INTERVAL seconds unless one is already pending."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=positive_float,
            default=1.0,
            help="Seconds to wait before looking again when the queue is empty (default 1).",
        )
        parser.add_argument(
            "--sweep-interval",
            type=positive_float,
            default=None,
            help="Seconds between deadline sweeps (default: MINSHENG_SWEEP_INTERVAL).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks; do not enqueue deadline sweeps from this process.",
        )
        parser.add_argument(
            "--queue",
            default="*",
            help="Comma-separated queue names to take tasks from (default: all queues).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued, then exit (no scheduler).",
        )
        parser.add_argument(
            "--max-tasks", type=positive_int, default=None, help="Exit after this many tasks."
        )
        parser.add_argument("--worker-id", default=None, help="Default: host name and pid.")

    def handle(self, *args: object, **options: object) -> None:
        if not worker.uses_database_backend():
            raise CommandError(
                "The worker needs the database task backend; MINSHENG_TASK_BACKEND is set to "
                f"{settings.TASKS['default']['BACKEND']!r}."
            )
        require_migrated()
        require_keys()
        connections.close_all()
        verbosity = int(options["verbosity"])  # type: ignore[call-overload]
        if verbosity != 1:  # otherwise MINSHENG_LOG_LEVEL decides
            for name in ("django_tasks_db", "django_tasks", "minsheng"):
                logging.getLogger(name).setLevel(
                    logging.WARNING if verbosity == 0 else logging.DEBUG
                )
        elif not logging.getLogger(TASKS_LOGGER).isEnabledFor(logging.DEBUG):
            # A line per task start and end (thousands after the demo loads) would bury the
            # terminal and the journal; failures still come as errors, and the worker logs a
            # summary every few minutes. MINSHENG_LOG_LEVEL=DEBUG or -v 2 shows every task.
            for name in ("django_tasks_db", TASKS_LOGGER):
                logging.getLogger(name).setLevel(logging.WARNING)
        batch = bool(options["batch"])
        sweep_interval = None
        if not batch and not options["no_scheduler"]:
            sweep_interval = options["sweep_interval"] or settings.MINSHENG_SWEEP_INTERVAL
        self.stdout.write(
            "minsheng worker: running tasks"
            + (f", deadline sweep every {sweep_interval:g} s" if sweep_interval else "")
        )
        if not os.environ.get("MINSHENG_WORKER_PARENT_PID"):
            # The texts this worker sends carry the address; `minsheng run` already said it.
            line = public_address_line()
            self.stdout.write(
                line if settings.MINSHENG_PUBLIC_URL_SET else self.style.WARNING(line)
            )
        self.stdout.flush()
        worker.run_worker(
            interval=options["interval"],  # type: ignore[arg-type]
            sweep_interval=sweep_interval,  # type: ignore[arg-type]
            queue=options["queue"],  # type: ignore[arg-type]
            batch=batch,
            max_tasks=options["max_tasks"],  # type: ignore[arg-type]
            worker_id=options["worker_id"],  # type: ignore[arg-type]
        )
