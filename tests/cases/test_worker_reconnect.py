"""A worker whose database connection is killed waits, reconnects and carries on.

PostgreSQL only: there the server can end a client's connection (a restart, a failover,
pg_terminate_backend); SQLite is a file inside the worker's own process.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from minsheng.cases import actions
from minsheng.cases.models import Case, Status, SweepRecord
from minsheng.cases.tasks import sweep_deadlines_task

REPO = Path(__file__).resolve().parents[2]
APP_NAME = "minsheng-test-worker"


def _worker_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
        return [pid for (pid,) in cursor.fetchall()]


def _wait_for(condition, timeout: float, what: str, process) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}) while waiting for {what}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_worker_survives_pg_terminate_backend_and_runs_the_next_task(committed_county):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL server ends connections; SQLite has none to lose")
    db = connection.settings_dict
    url = "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{k: db.get(k) or "" for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )
    env = dict(os.environ, DATABASE_URL=url, PGAPPNAME=APP_NAME)
    log_path = Path(os.environ.get("MINSHENG_DATA_DIR", "/tmp")) / f"worker-{os.getpid()}.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "minsheng.cli",
            "worker",
            "--interval",
            "0.2",
            "--sweep-interval",
            "1",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: SweepRecord.objects.exists(), 60, "the first sweep", process)
        _wait_for(lambda: bool(_worker_backends()), 30, "the worker's connection", process)

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s",
                [APP_NAME],
            )
        time.sleep(1.5)  # the worker's next look at the queue hits the dead connection
        assert process.poll() is None, "the worker exited when its connection was killed"

        case = actions.submit_case(
            actor=actions.RESIDENT,
            title="村口水管破裂",
            description="柳树村村口的水管破了，已经停水两天。",
            category=committed_county.roads,
            area=committed_county.village,
        )
        case = actions.dispatch_case(
            actor=committed_county.operator, case=case, unit=committed_county.village_unit
        )
        Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
        queued = sweep_deadlines_task.enqueue()

        def done() -> bool:
            return DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.SUCCESSFUL

        _wait_for(done, 60, "the task enqueued after the connection was killed", process)
        case.refresh_from_db()
        assert case.status == Status.ESCALATED
        assert process.poll() is None
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
    output = log_path.read_text()
    log_path.unlink()
    assert output.count("worker: lost the database connection") == 1, output
    assert "worker: the database is reachable again" in output, output
    assert "Traceback" not in output, output
