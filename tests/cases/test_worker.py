"""The task worker runs queued deadline sweeps, and the scheduler never floods the queue."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from minsheng.cases import actions
from minsheng.cases.models import Case, Status
from minsheng.cases.tasks import sweep_deadlines_task
from minsheng.worker import enqueue_sweep_if_idle, uses_database_backend

pytestmark = pytest.mark.skipif(
    not uses_database_backend(), reason="MINSHENG_TASK_BACKEND is not the database backend"
)


def _overdue_case(county) -> Case:  # type: ignore[no-untyped-def]
    case = actions.submit_case(
        actor=actions.RESIDENT,
        title="村口水管破裂",
        description="柳树村村口的水管破了，已经停水两天。",
        category=county.roads,
        area=county.village,
    )
    case = actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    # The village unit let its deadline pass an hour ago.
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    return case


def test_worker_runs_a_queued_sweep_that_escalates_an_overdue_case(committed_county):
    case = _overdue_case(committed_county)
    queued = sweep_deadlines_task.enqueue()

    call_command("worker", "--batch", stdout=io.StringIO())

    result = DBTaskResult.objects.get(pk=queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert "escalated=1" in result.return_value
    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    assert case.current_unit == committed_county.township_unit


def test_scheduler_asks_again_only_after_the_last_sweep_finished_and_the_interval_passed(
    transactional_db,
):
    first = enqueue_sweep_if_idle(interval=300)
    call_command("worker", "--batch", stdout=io.StringIO())
    assert DBTaskResult.objects.get(pk=first).status == TaskResultStatus.SUCCESSFUL

    assert enqueue_sweep_if_idle(interval=300) is None
    later = timezone.now() + dt.timedelta(seconds=301)
    assert enqueue_sweep_if_idle(interval=300, now=later) is not None


def test_scheduler_does_not_enqueue_a_second_sweep_while_one_is_pending(db):
    assert enqueue_sweep_if_idle(interval=300) is not None
    # Even long after the interval, a sweep still waiting in the queue is enough.
    much_later = timezone.now() + dt.timedelta(hours=2)
    assert enqueue_sweep_if_idle(interval=300, now=much_later) is None
    assert DBTaskResult.objects.filter(task_path=sweep_deadlines_task.module_path).count() == 1


def test_sweep_left_running_by_a_dead_worker_does_not_block_sweeps_for_ever(db):
    stuck = DBTaskResult.objects.get(pk=enqueue_sweep_if_idle(interval=300))
    stuck.claim("worker-that-was-killed")
    soon = timezone.now() + dt.timedelta(minutes=10)
    assert enqueue_sweep_if_idle(interval=300, now=soon) is None
    hours_later = timezone.now() + dt.timedelta(hours=3)
    assert enqueue_sweep_if_idle(interval=300, now=hours_later) is not None


def test_a_separately_started_worker_warns_that_texts_carry_no_public_address(
    transactional_db, settings, monkeypatch
):
    monkeypatch.delenv("MINSHENG_WORKER_PARENT_PID", raising=False)
    settings.MINSHENG_PUBLIC_URL = "http://127.0.0.1:8000"
    settings.MINSHENG_PUBLIC_URL_SET = False
    out = io.StringIO()
    call_command("worker", "--batch", stdout=out)
    assert "MINSHENG_PUBLIC_URL is not set" in out.getvalue()
    assert "http://127.0.0.1:8000" in out.getvalue()


def test_a_worker_with_the_public_address_set_names_it_without_a_warning(
    transactional_db, settings, monkeypatch
):
    monkeypatch.delenv("MINSHENG_WORKER_PARENT_PID", raising=False)
    settings.MINSHENG_PUBLIC_URL = "https://12345.example.gov.cn"
    settings.MINSHENG_PUBLIC_URL_SET = True
    out = io.StringIO()
    call_command("worker", "--batch", stdout=out)
    assert "public address: https://12345.example.gov.cn" in out.getvalue()
    assert "not set" not in out.getvalue()


def test_the_worker_logs_a_summary_instead_of_a_line_per_task(transactional_db, caplog):
    import logging

    for _ in range(25):
        sweep_deadlines_task.enqueue()
    saved = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    try:
        with caplog.at_level(logging.INFO):
            call_command("worker", "--batch", stdout=io.StringIO())
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 25
    per_task = [r for r in caplog.records if r.getMessage().startswith("Task id=")]
    assert per_task == []
    summaries = [r.getMessage() for r in caplog.records if "tasks in the last" in r.getMessage()]
    assert len(summaries) == 1
    assert "25 done, 0 failed (sweep_deadlines_task 25)" in summaries[0]
