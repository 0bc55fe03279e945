"""Completing a project: only cases still running are resolved or reported; cases that
had already ended are left alone and counted apart; open milestones need confirming."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from minsheng.cases import actions as case_actions
from minsheng.cases.models import EventKind, Status
from minsheng.projects import actions
from minsheng.projects.errors import InvalidInput
from minsheng.projects.models import CaseLink, Project, ProjectEventKind, ProjectStatus


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def village_project(county) -> Project:  # type: ignore[no-untyped-def]
    return actions.create_project(
        actor=county.handler,
        area=county.village,
        title="柳树村道路硬化",
        lead_unit=county.village_unit,
    )


def closed_case(county, held_case):  # type: ignore[no-untyped-def]
    case = held_case(title="路面坑洼")
    case_actions.resolve_case(actor=county.handler, case=case, resolution="已修补")
    case_actions.rate_case(actor=case_actions.RESIDENT, case=case, rating=5, is_solved=True)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    return case


def test_ended_cases_are_left_alone_and_not_reported_as_failures(county, held_case):
    project = village_project(county)
    closed = closed_case(county, held_case)
    withdrawn = held_case(title="路灯不亮")
    case_actions.withdraw_case(actor=case_actions.RESIDENT, case=withdrawn, reason="已自行解决")
    running = held_case(title="村道塌陷")
    for case in (closed, withdrawn, running):
        actions.link_case(actor=county.handler, project=project, case=case.pk)
    before = {c.pk: c.events.count() for c in (closed, withdrawn)}

    response = login(county.handler).post(
        reverse("projects:complete", args=[project.pk]), {"outcome": "道路全部硬化"}, follow=True
    )

    html = response.content.decode()
    assert "Cases resolved: 1;" in html
    assert "already resolved or ended before, left as they were: 2;" in html
    assert "could not be resolved (see their timelines): 0." in html
    for case in (closed, withdrawn):
        assert case.events.count() == before[case.pk]  # no note, nothing written
        assert "resolve it by hand" not in "".join(case.events.values_list("note", flat=True))
    running.refresh_from_db()
    assert running.status == Status.RESOLVED
    done = project.events.get(kind=ProjectEventKind.COMPLETED)
    assert sorted(done.data["cases"]["left"]) == sorted([closed.pk, withdrawn.pk])
    assert done.data["cases"]["not_resolved"] == []
    assert "left as it was" in CaseLink.objects.get(case=closed).outcome_text


def test_a_running_case_it_may_not_resolve_is_still_reported(county, held_case):
    project = actions.create_project(
        actor=county.supervisor,
        area=county.village,
        title="柳树村道路硬化",
        lead_unit=county.village_unit,
    )
    case = held_case()
    actions.link_case(actor=county.supervisor, project=project, case=case.pk)
    actions.complete_project(actor=county.supervisor, project=project, outcome="完成")
    done = project.events.get(kind=ProjectEventKind.COMPLETED)
    assert done.data["cases"]["not_resolved"] == [case.pk]
    note = case.events.filter(kind=EventKind.PROJECT).last()
    with translation.override("en"):
        assert not note.is_public and "resolve it by hand" in note.text


def test_open_milestones_must_be_confirmed(county):
    project = village_project(county)
    actions.add_milestone(
        actor=county.handler, project=project, title="竣工验收", due_date="2026-12-01"
    )
    client = login(county.handler)
    response = client.post(reverse("projects:complete", args=[project.pk]), {"outcome": "完成"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 milestone is not marked done" in html and "竣工验收" in html
    project.refresh_from_db()
    assert project.status != ProjectStatus.COMPLETED

    response = client.post(
        reverse("projects:complete", args=[project.pk]),
        {"outcome": "完成", "open_milestones_ok": "on"},
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    assert project.events.get(kind=ProjectEventKind.COMPLETED).data["open_milestones"] == [
        project.milestones.get().pk
    ]


def test_the_completion_form_warns_of_open_milestones(county):
    project = village_project(county)
    actions.add_milestone(
        actor=county.handler, project=project, title="竣工验收", due_date="2026-12-01"
    )
    html = (
        login(county.handler).get(reverse("projects:project", args=[project.pk])).content.decode()
    )
    assert 'id="open-milestones-warning"' in html
    assert "Complete the project although 1 milestone is not marked done" in html


def test_without_open_milestones_no_confirmation_is_asked(county):
    project = village_project(county)
    m = actions.add_milestone(
        actor=county.handler, project=project, title="验收", due_date="2026-01-01"
    )
    actions.complete_milestone(actor=county.handler, milestone=m, done_date=timezone.localdate())
    actions.complete_project(actor=county.handler, project=project, outcome="完成")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED


def test_the_action_refuses_open_milestones_without_confirmation(county):
    project = village_project(county)
    actions.add_milestone(
        actor=county.handler, project=project, title="验收", due_date="2026-01-01"
    )
    with pytest.raises(InvalidInput) as err:
        actions.complete_project(actor=county.handler, project=project, outcome="完成")
    assert err.value.field == "open_milestones_ok"
