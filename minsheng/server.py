"""`minsheng run`: the embedded server — migrate (SQLite), serve with waitress, keep a worker alive.

One command is the whole installation on one machine: the web application (static files
through WhiteNoise) in this process and the task worker in a child process, restarted if
it dies and stopped with the server.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from minsheng.datadir import tighten_permissions

logger = logging.getLogger(__name__)

# Arbitrary constant for pg_advisory_lock: "one process migrates at a time".
_MIGRATION_LOCK_KEY = 0x6D73_6D67
# How long a stopping worker may take to finish the task in hand before it is killed.
WORKER_STOP_TIMEOUT = 30


def pending_migrations() -> list:
    """Migrations not yet applied to the default database."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def require_keys() -> None:
    """Stop a worker or sweep started with keys that cannot read the installation's data."""
    from minsheng.contacts.keycheck import KeyMismatch, verify_keys

    try:
        verify_keys()
    except KeyMismatch as exc:
        raise CommandError(str(exc)) from exc


NOT_MIGRATED = "The database is not up to date; run `minsheng migrate` first."


def require_migrated() -> None:
    if pending_migrations():
        raise CommandError(NOT_MIGRATED)


@contextmanager
def _one_migrator_at_a_time() -> Iterator[None]:
    # Several web processes restarted together after an upgrade must not all migrate.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_MIGRATION_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_MIGRATION_LOCK_KEY])


def migrate_if_needed() -> bool:
    """Apply unapplied migrations (creating the SQLite database on first run)."""
    if not pending_migrations():
        return False
    with _one_migrator_at_a_time():
        pending = pending_migrations()
        if pending:
            print(f"Applying {len(pending)} database migration(s)…", flush=True)
            call_command("migrate", interactive=False, verbosity=0)
    connections.close_all()
    return bool(pending)


def describe_database() -> str:
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    host = db.get("HOST") or "local socket"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']} on {host}{port}"


def public_address_line() -> str:
    """The address texts and posters carry, and a warning while it is only a guess."""
    line = f"  public address: {settings.MINSHENG_PUBLIC_URL}"
    if not settings.MINSHENG_PUBLIC_URL_SET:
        line += (
            " (MINSHENG_PUBLIC_URL is not set: posters and text messages would send residents here)"
        )
    return line


class WorkerSupervisor(threading.Thread):
    """Start `minsheng worker` as a child process and restart it whenever it exits."""

    def __init__(self) -> None:
        super().__init__(name="minsheng-worker-supervisor", daemon=True)
        self.stopping = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, MINSHENG_WORKER_PARENT_PID=str(os.getpid()))
        return subprocess.Popen(
            [sys.executable, "-m", "minsheng.cli", "worker"],
            env=env,
            # Its own session: Ctrl-C reaches only the server, which then stops the worker
            # exactly once, letting the task in hand finish.
            start_new_session=True,
        )

    def run(self) -> None:
        delay = 1.0
        while not self.stopping.is_set():
            with self.lock:
                if self.stopping.is_set():
                    return
                self.process = self._spawn()
            print(f"minsheng: worker started (pid {self.process.pid})", flush=True)
            started = time.monotonic()
            code = self.process.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - started > 60:
                delay = 1.0
            print(
                f"minsheng: the worker exited with status {code}; restarting in {delay:g} s",
                file=sys.stderr,
                flush=True,
            )
            if self.stopping.wait(delay):
                return
            delay = min(delay * 2, 60.0)

    def stop(self) -> None:
        with self.lock:
            self.stopping.set()
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _raise_system_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


def serve(*, host: str, port: int, threads: int, with_worker: bool) -> int:
    """Serve until Ctrl-C or SIGTERM. Returns the process exit status."""
    from waitress import create_server

    # WhiteNoise warns about a missing STATIC_ROOT; the embedded setup serves from the
    # app directories, but an empty one keeps the log quiet and collectstatic possible.
    for directory in (settings.DATA_DIR, settings.STATIC_ROOT):
        Path(directory).mkdir(mode=0o700, parents=True, exist_ok=True)
    tightened = tighten_permissions(Path(settings.DATA_DIR))
    if tightened:
        logger.warning(
            "made the data directory readable by its owner only (0700, files 0600): %s",
            ", ".join(tightened),
        )
    from minsheng.wsgi import application

    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        migrate_if_needed()  # the one-machine setup: nobody else to run it
    elif pending_migrations():
        # Several web processes start together after an upgrade; `minsheng migrate` is run
        # once, by the administrator, before them (docs/deployment.md).
        print(f"minsheng: {NOT_MIGRATED}", file=sys.stderr, flush=True)
        return 1
    try:
        require_keys()
    except CommandError as exc:
        print(f"minsheng: {exc}", file=sys.stderr)
        return 2
    try:
        server = create_server(application, host=host, port=port, threads=threads)
    except OSError as exc:
        print(f"minsheng: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if hasattr(server, "effective_port"):
        listening = [(server.effective_host, server.effective_port)]
    else:
        listening = list(server.effective_listen)
    urls = []
    for bound_host, bound_port in listening:
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "::") else bound_host
        shown = f"[{shown}]" if ":" in shown else shown
        urls.append(f"http://{shown}:{bound_port}/")

    supervisor = WorkerSupervisor() if with_worker else None
    signal.signal(signal.SIGTERM, _raise_system_exit)
    print("minsheng is running at " + "  ".join(urls), flush=True)
    print(f"  data directory: {settings.DATA_DIR}", flush=True)
    print(f"  database:       {describe_database()}", flush=True)
    print(
        "  worker:         "
        + ("started (deadline sweeps, background tasks)" if supervisor else "not started"),
        flush=True,
    )
    print(public_address_line(), flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        if supervisor is not None:
            supervisor.start()
        server.run()  # returns on KeyboardInterrupt / SystemExit
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if supervisor is not None:
            print("minsheng: stopping the worker…", flush=True)
            supervisor.stop()
        server.close()
    print("minsheng: stopped.", flush=True)
    return 0
