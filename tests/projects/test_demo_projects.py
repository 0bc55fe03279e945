"""The demo county comes with projects, needs and resources made by the real actions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from minsheng.cases.models import Case, Event, EventKind
from minsheng.demo.generator import build_demo
from minsheng.projects.models import Need, Project, ProjectEvent, ProjectStatus, Resource
from minsheng.projects.selectors import projects_for_report

pytestmark = pytest.mark.django_db


def test_demo_has_running_finished_and_planned_projects_with_consistent_timelines():
    build_demo(cases=60, seed=7)
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses == {ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED, ProjectStatus.PLANNED}
    assert Need.objects.filter(status="open").exists()
    assert Resource.objects.filter(status="available").exists()
    now = timezone.now()
    assert not ProjectEvent.objects.filter(created_at__gt=now).exists()
    assert not Event.objects.filter(created_at__gt=now).exists()
    # Linking and completing wrote on case timelines without breaking their time order.
    # (A demo this small may link no case; a full-size one links a dozen.)
    for case in Case.objects.filter(events__kind=EventKind.PROJECT).distinct():
        times = list(case.events.order_by("id").values_list("created_at", flat=True))
        assert times == sorted(times), case.tracking_code
    today = timezone.localdate()
    rows = projects_for_report(None, today.replace(day=1), today)
    assert {r.status_label for r in rows} >= {str(ProjectStatus.IN_PROGRESS.label)}
    water = next(r for r in rows if "自来水" in r.name)
    assert water.progress == 70 and water.milestones_done == 2 and water.milestones_total == 4
