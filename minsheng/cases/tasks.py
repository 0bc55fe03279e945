"""Background work for cases. Tasks only call actions."""

from __future__ import annotations

from django_tasks import task

from minsheng.cases.deadlines import sweep_deadlines


@task()
def sweep_deadlines_task() -> str:
    return str(sweep_deadlines())
