"""projects_for_report: the rows the monthly report prints, with figures as of the period end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from minsheng.projects import actions
from minsheng.projects.models import Project, ProjectEvent, ProjectStatus
from minsheng.projects.selectors import projects_for_report


def _at(project: Project, day: dt.date) -> None:
    """Move a project's recording time (and its log) back to ``day``, as if recorded then."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    Project.objects.filter(pk=project.pk).update(created_at=moment)
    ProjectEvent.objects.filter(project=project).update(created_at=moment)
    project.milestones.update(created_at=moment)
    project.case_links.update(linked_at=moment)


def test_report_rows_carry_the_figures_the_report_prints(county, held_case):
    project = actions.create_project(
        actor=county.handler,
        area=county.village,
        title="柳树村自来水管网改造",
        lead_unit=county.village_unit,
        budget="480000",
    )
    actions.update_project(
        actor=county.handler, project=project, progress=45, spent="120000", status="in_progress"
    )
    first = actions.add_milestone(
        actor=county.handler, project=project, title="设计批复", due_date="2026-09-01"
    )
    actions.add_milestone(
        actor=county.handler, project=project, title="主管铺设", due_date="2026-11-15"
    )
    actions.add_milestone(
        actor=county.handler, project=project, title="入户通水", due_date="2026-12-20"
    )
    actions.complete_milestone(
        actor=county.handler, milestone=first, done_date=timezone.localdate()
    )
    actions.link_case(actor=county.handler, project=project, case=held_case().pk)
    today = timezone.localdate()

    [row] = projects_for_report(county.township, today - dt.timedelta(days=30), today)

    assert row.name == "柳树村自来水管网改造"
    assert row.status_label == str(ProjectStatus.IN_PROGRESS.label)
    assert row.progress == 45
    assert (row.budget, row.spent) == (Decimal("480000.00"), Decimal("120000.00"))
    assert (row.milestones_done, row.milestones_total) == (1, 3)
    assert (row.next_milestone, row.next_milestone_due) == ("主管铺设", dt.date(2026, 11, 15))
    assert row.linked_cases == 1


def test_report_keeps_to_the_area_subtree(county):
    for area, unit in ((county.village, county.village_unit), (county.other_village, None)):
        actions.create_project(
            actor=county.admin,
            area=area,
            title=f"{area.name}道路",
            lead_unit=unit or county.county_unit,
        )
    today = timezone.localdate()
    assert [r.name for r in projects_for_report(county.township, today, today)] == ["柳树村道路"]
    assert len(projects_for_report(county.county, today, today)) == 2
    assert len(projects_for_report(None, today, today)) == 2


def test_report_lists_projects_running_during_the_period_only(county):
    def project(title: str) -> Project:
        return actions.create_project(
            actor=county.admin, area=county.village, title=title, lead_unit=county.village_unit
        )

    finished_before = project("九月完工")
    actions.complete_project(actor=county.admin, project=finished_before, outcome="完成")
    Project.objects.filter(pk=finished_before.pk).update(
        finished_at=timezone.make_aware(dt.datetime(2026, 9, 20, 12))
    )
    _at(finished_before, dt.date(2026, 8, 1))
    finished_during = project("十月完工")
    actions.complete_project(actor=county.admin, project=finished_during, outcome="完成")
    Project.objects.filter(pk=finished_during.pk).update(
        finished_at=timezone.make_aware(dt.datetime(2026, 10, 10, 12))
    )
    _at(finished_during, dt.date(2026, 9, 1))
    running = project("进行中")
    _at(running, dt.date(2026, 10, 31))
    later = project("十一月立项")
    _at(later, dt.date(2026, 11, 1))

    rows = projects_for_report(county.county, dt.date(2026, 10, 1), dt.date(2026, 10, 31))

    assert sorted(r.name for r in rows) == sorted(["十月完工", "进行中"])


def test_a_past_month_shows_the_figures_of_that_month(county):
    project = actions.create_project(
        actor=county.admin,
        area=county.village,
        title="道路硬化",
        lead_unit=county.village_unit,
        budget="100000",
    )
    actions.update_project(actor=county.admin, project=project, progress=30, spent="20000")
    _at(project, dt.date(2026, 10, 5))
    # Changed after October: the October report still prints 30 % and 20 000 yuan.
    actions.update_project(actor=county.admin, project=project, progress=80, spent="70000")
    actions.add_milestone(actor=county.admin, project=project, title="验收", due_date="2027-01-10")

    [row] = projects_for_report(county.county, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (row.progress, row.spent, row.budget) == (30, Decimal("20000.00"), Decimal("100000.00"))
    assert row.milestones_total == 0 and row.next_milestone == ""
    assert row.next_milestone_due is None

    [now] = projects_for_report(county.county, timezone.localdate(), timezone.localdate())
    assert (now.progress, now.spent, now.milestones_total) == (80, Decimal("70000.00"), 1)
