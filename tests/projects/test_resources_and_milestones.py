"""The resources page, in-kind offers, area names in the filters, the case's project box,
marking milestones done (and undoing it), and linking from the staff case page."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases.models import EventKind
from minsheng.projects import actions
from minsheng.projects.models import CaseLink, Milestone, ProjectEventKind, Resource


def login(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def village_project(county, **kw):  # type: ignore[no-untyped-def]
    return actions.create_project(
        actor=county.handler,
        area=county.village,
        title="柳树村自来水管网改造",
        lead_unit=county.village_unit,
        **kw,
    )


# --- resources -------------------------------------------------------------------------------


def test_withdraw_shows_only_to_the_offering_unit(county):
    resource = actions.record_resource(
        actor=county.county_handler,
        sponsor_unit=county.county_unit,
        area=county.county,
        title="水泥200吨",
    )
    url = reverse("projects:resource_withdraw", args=[resource.pk])
    assert url in login(county.county_handler).get(reverse("projects:resources")).content.decode()
    assert url not in login(county.handler).get(reverse("projects:resources")).content.decode()


def test_another_unit_withdrawing_is_told_the_offer_is_not_theirs(county):
    resource = actions.record_resource(
        actor=county.county_handler,
        sponsor_unit=county.county_unit,
        area=county.county,
        title="水泥200吨",
    )
    response = login(county.handler).post(
        reverse("projects:resource_withdraw", args=[resource.pk]), {"reason": "x"}, follow=True
    )
    html = response.content.decode()
    assert "Only the offering unit (县水利局) may withdraw this offer." in html
    assert "in this area" not in html
    resource.refresh_from_db()
    assert resource.status == "available"


def test_an_in_kind_resource_gives_no_money_budget_and_no_over_budget(county):
    need = actions.record_need(actor=county.supervisor, area=county.village, title="村道破损")
    resource = actions.record_resource(
        actor=county.supervisor,
        sponsor_unit=county.county_unit,
        area=county.township,
        title="水泥200吨",
        amount="0",
    )
    client = login(county.supervisor)
    page = client.get(reverse("projects:need", args=[need.pk])).content.decode()
    assert "¥0.00" not in page and "水泥200吨 (in kind" in page
    project = actions.match_need_and_resource(actor=county.supervisor, need=need, resource=resource)
    actions.update_project(actor=county.supervisor, project=project, spent="5000")
    html = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert "over budget" not in html
    assert "none in money" in html and "水泥200吨 (in kind)" in html
    assert Resource.objects.get().amount == 0


# --- area names ------------------------------------------------------------------------------


def test_area_filter_names_areas_in_the_readers_language(county):
    county.village.name_en = "Liushu Village"
    county.village.save()
    html = login(county.supervisor).get(reverse("projects:list")).content.decode()
    assert "Liushu Village" in html


# --- the case's project box ------------------------------------------------------------------


def test_the_case_box_says_completed_once(county, held_case):
    case = held_case()
    project = village_project(county)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    actions.complete_project(actor=county.handler, project=project, outcome="通水")
    html = login(county.handler, "zh-hans").get(reverse("staff:case", args=[case.pk]))
    assert "已完成 · 已完成" not in html.content.decode()
    assert html.content.decode().count("已完成") >= 1


def test_the_case_box_shows_progress_of_a_running_project(county, held_case):
    case = held_case()
    project = village_project(county)
    actions.update_project(actor=county.handler, project=project, progress=80)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    html = login(county.handler).get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "progress 80%" in html


# --- milestones ------------------------------------------------------------------------------


def test_marking_done_asks_for_the_date_with_today_filled_in(county):
    project = village_project(county)
    milestone = actions.add_milestone(
        actor=county.handler, project=project, title="通水", due_date="2026-12-01"
    )
    html = (
        login(county.handler).get(reverse("projects:project", args=[project.pk])).content.decode()
    )
    today = timezone.localdate().isoformat()
    assert f'name="done_date" value="{today}"' in html
    assert "Mark done…" in html
    response = login(county.handler).post(
        reverse("projects:milestone_done", args=[milestone.pk]), {"done_date": ""}
    )
    assert response.status_code == 400
    milestone.refresh_from_db()
    assert milestone.done_date is None  # an empty date is refused, not taken as today


def test_a_past_date_is_kept(county):
    project = village_project(county)
    milestone = actions.add_milestone(
        actor=county.handler, project=project, title="通水", due_date="2026-12-01"
    )
    last_week = timezone.localdate() - dt.timedelta(days=7)
    login(county.handler).post(
        reverse("projects:milestone_done", args=[milestone.pk]), {"done_date": last_week}
    )
    milestone.refresh_from_db()
    assert milestone.done_date == last_week


def test_a_milestone_marked_done_by_mistake_is_reopened_as_an_event(county):
    project = village_project(county)
    milestone = actions.add_milestone(
        actor=county.handler, project=project, title="通水", due_date="2026-12-01"
    )
    actions.complete_milestone(
        actor=county.handler, milestone=milestone, done_date=timezone.localdate()
    )
    client = login(county.handler)
    page = client.get(reverse("projects:project", args=[project.pk])).content.decode()
    assert reverse("projects:milestone_reopen", args=[milestone.pk]) in page
    response = client.post(
        reverse("projects:milestone_reopen", args=[milestone.pk]), {"reason": "点错了"}
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_date is None
    kinds = list(project.events.values_list("kind", flat=True))
    assert kinds[-2:] == [ProjectEventKind.MILESTONE_DONE, ProjectEventKind.MILESTONE_REOPENED]
    assert project.events.last().note == "点错了"
    assert Milestone.objects.count() == 1


# --- linking from the case page ---------------------------------------------------------------


def test_a_case_is_linked_from_the_staff_case_page(county, held_case):
    case = held_case()
    project = village_project(county)
    client = login(county.handler)
    html = client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert reverse("projects:link_from_case", args=[case.pk]) in html
    assert "柳树村自来水管网改造" in html
    response = client.post(
        reverse("projects:link_from_case", args=[case.pk]),
        {"project": project.pk, "on_completion": "resolve"},
    )
    assert response.status_code == 302 and response.url == reverse("staff:case", args=[case.pk])
    assert CaseLink.objects.get().project == project
    assert case.events.filter(kind=EventKind.PROJECT).exists()


def test_no_link_form_for_those_who_may_not_change_any_project(county, held_case):
    case = held_case()
    village_project(county)
    html = login(county.operator).get(reverse("staff:case", args=[case.pk])).content.decode()
    assert reverse("projects:link_from_case", args=[case.pk]) not in html


def test_linking_from_the_case_page_to_someone_elses_project_is_refused(county, held_case):
    case = held_case()
    project = actions.create_project(
        actor=county.county_handler,
        area=county.village,
        title="县道改造",
        lead_unit=county.county_unit,
    )
    response = login(county.handler).post(
        reverse("projects:link_from_case", args=[case.pk]),
        {"project": project.pk, "on_completion": "resolve"},
    )
    assert response.status_code in (302, 404)
    assert not CaseLink.objects.exists()
