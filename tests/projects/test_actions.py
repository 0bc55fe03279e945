"""Project actions: who may act, bad input leaves everything untouched, every change is
logged, and completion resolves or annotates linked cases through the case actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from minsheng.cases.errors import CaseError
from minsheng.cases.models import Case, Event, EventKind, Status
from minsheng.projects import actions
from minsheng.projects.errors import InvalidInput, InvalidState, NotPermitted
from minsheng.projects.models import (
    CaseLink,
    Milestone,
    Need,
    NeedStatus,
    OnCompletion,
    Project,
    ProjectEvent,
    ProjectEventKind,
    ProjectStatus,
    Resource,
    ResourceStatus,
)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    """The messages and notes below are read in English, whatever an earlier test left
    active (outside a request the default language is Chinese)."""
    with translation.override("en"):
        yield


def make_project(county, actor=None, **overrides) -> Project:  # type: ignore[no-untyped-def]
    fields = {
        "actor": actor or county.handler,
        "area": county.village,
        "title": "柳树村自来水管网改造",
        "lead_unit": county.village_unit,
        "budget": "480000",
    }
    fields.update(overrides)
    return actions.create_project(**fields)


def snapshot() -> tuple:
    """Everything the project actions write, to show that a refusal changed nothing."""
    return (
        list(Project.objects.values().order_by("id")),
        list(Need.objects.values().order_by("id")),
        list(Resource.objects.values().order_by("id")),
        list(Milestone.objects.values().order_by("id")),
        list(CaseLink.objects.values().order_by("id")),
        ProjectEvent.objects.count(),
        list(Case.objects.values("id", "status", "version").order_by("id")),
        Event.objects.count(),
    )


# --- needs ---------------------------------------------------------------------------------


def test_need_from_clustered_cases_links_them_and_is_logged(county, held_case):
    cases = [held_case(title=f"停水{i}") for i in range(3)]
    need = actions.record_need(
        actor=county.handler,
        area=county.village,
        title="柳树村供水不稳定",
        category=county.water,
        cases=[c.pk for c in cases],
    )
    assert need.status == NeedStatus.OPEN
    assert set(need.cases.values_list("id", flat=True)) == {c.pk for c in cases}
    event = need.events.get()
    assert event.kind == ProjectEventKind.NEED_RECORDED
    assert event.actor == county.handler
    assert event.data["cases"] == [c.pk for c in cases]


def test_need_with_a_case_from_another_area_is_refused_and_nothing_stored(county, submit):
    inside = submit()
    outside = submit(area=county.other_village)
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        actions.record_need(
            actor=county.admin,
            area=county.village,
            title="停水",
            cases=[inside.pk, outside.pk],
        )
    assert err.value.field == "cases"
    assert snapshot() == before


def test_need_with_a_case_out_of_sight_reads_like_a_missing_case(county, submit):
    held_elsewhere = submit(area=county.other_village)
    with pytest.raises(InvalidInput) as err:
        actions.record_need(
            actor=county.supervisor, area=county.township, title="停水", cases=[held_elsewhere.pk]
        )
    assert "not visible" in str(err.value.message)
    assert not Need.objects.exists()


@pytest.mark.parametrize("who", ["other_handler", "other_supervisor", "operator"])
def test_staff_outside_the_area_or_operators_cannot_record_needs(county, who):
    with pytest.raises(NotPermitted):
        actions.record_need(actor=getattr(county, who), area=county.village, title="停水")
    assert not Need.objects.exists()
    assert not ProjectEvent.objects.exists()


def test_blank_title_is_refused(county):
    with pytest.raises(CaseError) as err:
        actions.record_need(actor=county.handler, area=county.village, title="   ")
    assert err.value.field == "title"
    assert not Need.objects.exists()


def test_closing_a_need_keeps_it_with_the_reason(county):
    need = actions.record_need(actor=county.handler, area=county.village, title="缺少路灯")
    actions.close_need(actor=county.handler, need=need, reason="县里已统一安装")
    need.refresh_from_db()
    assert need.status == NeedStatus.CLOSED
    assert need.events.filter(kind=ProjectEventKind.NEED_CLOSED, note="县里已统一安装").exists()
    with pytest.raises(InvalidState):
        actions.close_need(actor=county.handler, need=need, reason="again")


# --- resources -----------------------------------------------------------------------------


def test_member_of_sponsor_unit_offers_a_resource(county):
    resource = actions.record_resource(
        actor=county.county_handler,
        sponsor_unit=county.county_unit,
        area=county.township,
        title="农村供水保障专项资金",
        amount="1,200,000.50",
    )
    assert resource.amount == Decimal("1200000.50")
    assert resource.status == ResourceStatus.AVAILABLE
    assert resource.events.get().kind == ProjectEventKind.RESOURCE_RECORDED


def test_nobody_offers_in_another_units_name(county):
    with pytest.raises(NotPermitted):
        actions.record_resource(
            actor=county.handler,
            sponsor_unit=county.county_unit,
            area=county.village,
            title="资金",
            amount="100",
        )
    assert not Resource.objects.exists()


@pytest.mark.parametrize("amount", ["-1", "abc", "1.234", "", "1e40", "NaN"])
def test_bad_amount_is_refused_and_nothing_stored(county, amount):
    with pytest.raises(InvalidInput) as err:
        actions.record_resource(
            actor=county.supervisor,
            sponsor_unit=county.county_unit,
            area=county.township,
            title="资金",
            amount=amount,
        )
    assert err.value.field == "amount"
    assert not Resource.objects.exists()
    assert not ProjectEvent.objects.exists()


def test_withdrawn_resource_stays_listed(county):
    resource = actions.record_resource(
        actor=county.supervisor, sponsor_unit=county.county_unit, area=county.township, title="钢管"
    )
    actions.withdraw_resource(actor=county.supervisor, resource=resource, reason="预算调整")
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.WITHDRAWN
    assert resource.events.count() == 2


# --- projects ------------------------------------------------------------------------------


def test_create_project_records_lead_unit_among_units_and_logs(county):
    project = make_project(county, units=[county.township_unit])
    assert project.status == ProjectStatus.PLANNED
    assert set(project.units.all()) == {county.village_unit, county.township_unit}
    created = project.events.get()
    assert created.kind == ProjectEventKind.CREATED
    assert created.data["budget"] == "480000.00"


def test_planned_end_before_start_is_refused(county):
    with pytest.raises(InvalidInput) as err:
        make_project(county, start_date="2026-10-01", end_date="2026-09-01")
    assert err.value.field == "end_date"
    assert not Project.objects.exists()


def test_update_logs_old_and_new_values_of_each_changed_figure(county):
    project = make_project(county)
    actions.update_project(
        actor=county.handler,
        project=project,
        progress=40,
        spent="125000.5",
        budget="480000",
        status=ProjectStatus.IN_PROGRESS,
        note="管材到场",
    )
    project.refresh_from_db()
    assert (project.progress, project.spent, project.status) == (
        40,
        Decimal("125000.50"),
        ProjectStatus.IN_PROGRESS,
    )
    event = project.events.filter(kind=ProjectEventKind.UPDATED).get()
    assert event.data["changes"] == {
        "spent": ["0.00", "125000.50"],
        "progress": [0, 40],
        "status": ["planned", "in_progress"],
    }
    assert event.note == "管材到场"
    assert event.actor == county.handler


@pytest.mark.parametrize(
    ("field", "value"),
    [("progress", 101), ("progress", "-3"), ("progress", "half"), ("spent", "-1"),
     ("budget", "1.001"), ("status", "completed"), ("end_date", "31/12/2026")],
)  # fmt: skip
def test_bad_figures_leave_the_project_untouched(county, field, value):
    project = make_project(county)
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        actions.update_project(
            actor=county.handler, project=project, **{"title": "新标题", field: value}
        )
    assert err.value.field == field
    assert snapshot() == before


def test_staff_of_another_village_cannot_update(county):
    project = make_project(county)
    before = snapshot()
    with pytest.raises(NotPermitted):
        actions.update_project(actor=county.other_handler, project=project, progress=90)
    with pytest.raises(NotPermitted):
        actions.update_project(actor=county.other_supervisor, project=project, progress=90)
    assert snapshot() == before


def test_supervisor_participating_unit_and_admin_may_update(county):
    project = make_project(county, units=[county.county_unit])
    actions.update_project(actor=county.supervisor, project=project, progress=10)
    actions.update_project(actor=county.county_handler, project=project, progress=20)
    actions.update_project(actor=county.admin, project=project, progress=30)
    assert [e.actor for e in project.events.filter(kind=ProjectEventKind.UPDATED)] == [
        county.supervisor,
        county.county_handler,
        county.admin,
    ]


def test_milestones_are_added_and_done_but_not_in_the_future(county):
    project = make_project(county)
    milestone = actions.add_milestone(
        actor=county.handler, project=project, title="管网铺设完成", due_date="2026-12-01"
    )
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(InvalidInput):
        actions.complete_milestone(actor=county.handler, milestone=milestone, done_date=tomorrow)
    actions.complete_milestone(
        actor=county.handler, milestone=milestone, done_date=timezone.localdate()
    )
    milestone.refresh_from_db()
    assert milestone.done_date == timezone.localdate()
    with pytest.raises(InvalidState):
        actions.complete_milestone(
            actor=county.handler, milestone=milestone, done_date=timezone.localdate()
        )
    kinds = list(project.events.values_list("kind", flat=True))
    assert kinds == ["created", "milestone_added", "milestone_done"]


def test_linking_a_case_writes_on_its_timeline_and_cannot_repeat(county, held_case):
    case = held_case()
    project = make_project(county)
    link = actions.link_case(actor=county.handler, project=project, case=case.tracking_code)
    assert link.on_completion == OnCompletion.RESOLVE
    event = case.events.get(kind=EventKind.PROJECT)
    assert event.is_public and project.title in event.note
    assert event.data == {
        "project": project.pk,
        "title": project.title,
        "change": "linked",
        "note": "linked",
        "on_completion": "resolve",
    }
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    with pytest.raises(InvalidState):
        actions.link_case(actor=county.handler, project=project, case=case.pk)
    assert CaseLink.objects.count() == 1


def test_a_case_out_of_sight_cannot_be_linked(county, submit):
    case = submit(area=county.village)  # not dispatched: the village committee cannot see it
    project = make_project(county)
    before = snapshot()
    with pytest.raises(InvalidInput):
        actions.link_case(actor=county.handler, project=project, case=case.pk)
    assert snapshot() == before


def test_unlinking_keeps_the_link_on_record(county, held_case):
    case = held_case()
    project = make_project(county)
    link = actions.link_case(actor=county.handler, project=project, case=case.pk)
    actions.unlink_case(actor=county.handler, link=link, reason="不属于本工程范围")
    link.refresh_from_db()
    assert link.unlinked_at is not None and link.unlinked_by == county.handler
    assert case.events.filter(kind=EventKind.PROJECT).count() == 2
    # It may be linked again afterwards: the old row stays, a new one starts.
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    assert CaseLink.objects.filter(case=case).count() == 2


# --- matching ------------------------------------------------------------------------------


def test_matching_need_and_resource_makes_a_project_with_the_needs_cases(county, held_case):
    cases = [held_case(title=f"停水{i}") for i in range(2)]
    need = actions.record_need(
        actor=county.supervisor,
        area=county.village,
        title="柳树村自来水入户",
        description="三组、四组经常停水",
        category=county.water,
        cases=[c.pk for c in cases],
    )
    resource = actions.record_resource(
        actor=county.county_handler,
        sponsor_unit=county.county_unit,
        area=county.township,
        title="农村供水专项资金",
        amount="480000",
    )
    project = actions.match_need_and_resource(
        actor=county.supervisor, need=need, resource=resource, start_date="2026-11-01"
    )
    need.refresh_from_db()
    resource.refresh_from_db()
    assert (need.status, resource.status) == (NeedStatus.MATCHED, ResourceStatus.MATCHED)
    assert project.title == need.title
    assert project.budget == Decimal("480000.00")
    assert project.lead_unit == county.county_unit
    assert project.category == county.water
    assert project.need == need and project.resource == resource
    assert set(project.case_links.values_list("case_id", flat=True)) == {c.pk for c in cases}
    for case in cases:
        assert case.events.filter(kind=EventKind.PROJECT).count() == 1
    assert need.events.filter(kind=ProjectEventKind.MATCHED).exists()
    assert resource.events.filter(kind=ProjectEventKind.MATCHED).exists()


def test_resource_for_another_township_does_not_match(county):
    need = actions.record_need(actor=county.admin, area=county.village, title="修路")
    resource = actions.record_resource(
        actor=county.admin,
        sponsor_unit=county.county_unit,
        area=county.other_township,
        title="道路资金",
        amount="1000",
    )
    before = snapshot()
    with pytest.raises(InvalidInput) as err:
        actions.match_need_and_resource(actor=county.admin, need=need, resource=resource)
    assert err.value.field == "resource"
    assert snapshot() == before


def test_a_matched_resource_cannot_be_used_twice(county):
    needs = [
        actions.record_need(actor=county.admin, area=county.village, title=f"修路{i}")
        for i in range(2)
    ]
    resource = actions.record_resource(
        actor=county.admin, sponsor_unit=county.county_unit, area=county.county, title="资金"
    )
    actions.match_need_and_resource(actor=county.admin, need=needs[0], resource=resource)
    with pytest.raises(InvalidState):
        actions.match_need_and_resource(actor=county.admin, need=needs[1], resource=resource)
    assert Project.objects.count() == 1


# --- completion ----------------------------------------------------------------------------


def test_completion_resolves_cases_through_the_resolve_action(county, held_case):
    case = held_case()
    project = make_project(county)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    actions.complete_project(actor=county.handler, project=project, outcome="新管网已通水")
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    resolved = case.events.get(kind=EventKind.RESOLVED)
    assert resolved.actor == county.handler
    assert case.resolution == "新管网已通水"
    # Which project solved it is a line of its own, in each reader's language.
    line = case.events.filter(kind=EventKind.PROJECT).last()
    assert line.is_public and line.text == f"Solved by the project “{project.title}”."
    project.refresh_from_db()
    assert (project.status, project.progress) == (ProjectStatus.COMPLETED, 100)
    assert project.finished_at is not None
    done = project.events.get(kind=ProjectEventKind.COMPLETED)
    assert done.data["cases"] == {
        "resolved": [case.pk],
        "noted": [],
        "not_resolved": [],
        "left": [],
    }
    assert done.data["changes"]["progress"] == [0, 100]


def test_completion_notes_cases_it_may_not_resolve_and_says_why(county, held_case):
    not_accepted = held_case(accepted=False)
    accepted = held_case()
    project = make_project(county, actor=county.supervisor)
    actions.link_case(actor=county.supervisor, project=project, case=not_accepted.pk)
    actions.link_case(actor=county.supervisor, project=project, case=accepted.pk)
    # The supervisor does not hold the cases: the lifecycle rules do not let them resolve.
    actions.complete_project(actor=county.supervisor, project=project, outcome="已通水")
    for case, why in ((not_accepted, "cannot be resolved"), (accepted, "holding unit")):
        case.refresh_from_db()
        assert case.status != Status.RESOLVED
        note = case.events.filter(kind=EventKind.PROJECT).last()
        assert not note.is_public
        assert "could not be resolved" in note.note and why in note.note
    link = CaseLink.objects.get(case=accepted)
    assert "holding unit" in link.outcome_text
    # Stored as a code, so each reader gets it in their own language.
    with translation.override("zh-hans"):
        assert link.outcome_text == "只有当前承办单位才能办结。"
        assert "无法办结" in CaseLink.objects.get(case=not_accepted).outcome_text


def test_note_only_links_get_a_public_note(county, held_case):
    case = held_case()
    project = make_project(county)
    actions.link_case(
        actor=county.handler, project=project, case=case.pk, on_completion=OnCompletion.NOTE
    )
    actions.complete_project(actor=county.handler, project=project, outcome="道路硬化完成")
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    note = case.events.filter(kind=EventKind.PROJECT).last()
    assert note.is_public and "道路硬化完成" in note.note


def test_a_finished_project_cannot_change(county):
    project = make_project(county)
    actions.complete_project(actor=county.handler, project=project, outcome="完成")
    before = snapshot()
    with pytest.raises(InvalidState):
        actions.update_project(actor=county.handler, project=project, spent="10")
    with pytest.raises(InvalidState):
        actions.add_milestone(
            actor=county.handler, project=project, title="x", due_date="2026-01-01"
        )
    with pytest.raises(InvalidState):
        actions.cancel_project(actor=county.handler, project=project, reason="x")
    assert snapshot() == before


def test_cancelling_tells_linked_cases(county, held_case):
    case = held_case()
    project = make_project(county)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    actions.cancel_project(actor=county.handler, project=project, reason="资金未到位")
    project.refresh_from_db()
    assert project.status == ProjectStatus.CANCELLED
    assert "cancelled" in case.events.filter(kind=EventKind.PROJECT).last().note
    assert project.events.get(kind=ProjectEventKind.CANCELLED).note == "资金未到位"


def test_log_entries_cannot_be_edited_or_deleted(county):
    project = make_project(county)
    event = project.events.get()
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


# --- linked cases follow the project's planned end ----------------------------------------


def test_a_linked_case_follows_the_projects_planned_end_and_is_not_escalated(county, held_case):
    from minsheng.cases.deadlines import sweep_deadlines

    case = held_case()
    end = timezone.localdate() + dt.timedelta(days=120)
    project = make_project(county, end_date=end)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    linked = Case.objects.get(pk=case.pk)
    local_end = timezone.localtime(linked.deadline)
    assert (local_end.date(), local_end.hour, local_end.minute) == (
        end + dt.timedelta(days=1),
        0,
        0,
    )
    event = linked.events.order_by("-id").first()
    assert event.kind == EventKind.PROJECT
    assert event.data["deadline"]["from"] == case.deadline.isoformat()
    # Weeks past the case's own deadline the sweep leaves it with the unit.
    assert sweep_deadlines(now=case.deadline + dt.timedelta(days=30)).escalated == 0
    assert Case.objects.get(pk=case.pk).current_unit_id == county.village_unit.pk


def test_unlinking_gives_the_case_a_normal_deadline_from_that_moment(county, held_case):
    case = held_case()
    project = make_project(county, end_date=timezone.localdate() + dt.timedelta(days=120))
    link = actions.link_case(actor=county.handler, project=project, case=case.pk)
    before = timezone.now()
    actions.unlink_case(actor=county.handler, link=link, reason="不属于本工程")
    after = Case.objects.get(pk=case.pk)
    limit = after.category.limit_for(after.level)
    from minsheng.directory.calendar import WorkingCalendar

    calendar = WorkingCalendar.load()
    assert calendar.add_working_days(before, limit) <= after.deadline
    assert after.deadline <= calendar.add_working_days(timezone.now(), limit)
    assert after.deadline < timezone.now() + dt.timedelta(days=60)


def test_a_cancelled_project_gives_its_cases_a_normal_deadline(county, held_case):
    case = held_case()
    project = make_project(county, end_date=timezone.localdate() + dt.timedelta(days=120))
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    actions.cancel_project(actor=county.handler, project=project, reason="资金未到位")
    after = Case.objects.get(pk=case.pk)
    assert after.deadline < timezone.now() + dt.timedelta(days=60)
    assert after.events.order_by("-id").first().data["deadline"]["to"]


def test_a_project_without_a_planned_end_leaves_the_deadline(county, held_case):
    case = held_case()
    project = make_project(county)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    assert Case.objects.get(pk=case.pk).deadline == case.deadline
