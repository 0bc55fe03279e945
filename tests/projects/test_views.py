"""The project pages through the Django test client: what staff see, what posting does."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases.models import EventKind, Status
from minsheng.projects import actions
from minsheng.projects.models import Milestone, Need, Project, ProjectEvent, Resource


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def village_project(county, **kw) -> Project:  # type: ignore[no-untyped-def]
    return actions.create_project(
        actor=county.handler,
        area=county.village,
        title=kw.pop("title", "柳树村自来水管网改造"),
        lead_unit=county.village_unit,
        budget="480000",
        **kw,
    )


def test_need_form_prefills_from_clustered_cases(county, held_case):
    cases = [held_case(title=f"三组停水{i}", category=county.water) for i in range(3)]
    ids = ",".join(str(c.pk) for c in cases)
    response = login(county.supervisor).get(reverse("projects:need_new") + f"?cases={ids}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["area"] == county.village.pk
    assert form.initial["category"] == county.water.pk
    assert form.initial["cases"] == ", ".join(str(c.pk) for c in cases)
    html = response.content.decode()
    for case in cases:
        assert case.tracking_code in html


def test_need_form_does_not_show_cases_out_of_sight(county, held_case):
    case = held_case()
    response = login(county.other_supervisor).get(
        reverse("projects:need_new") + f"?cases={case.pk}"
    )
    assert case.tracking_code not in response.content.decode()


def test_posting_the_need_form_records_the_need(county, held_case):
    case = held_case()
    response = login(county.handler).post(
        reverse("projects:need_new"),
        {
            "area": county.village.pk,
            "category": county.water.pk,
            "title": "供水",
            "cases": f"{case.pk}",
        },
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == reverse("projects:need", args=[need.pk])
    assert list(need.cases.all()) == [case]


def test_refused_need_shows_the_error_and_stores_nothing(county, submit):
    outside = submit(area=county.other_village)
    response = login(county.admin).post(
        reverse("projects:need_new"),
        {"area": county.village.pk, "title": "供水", "cases": f"{outside.pk}"},
    )
    assert response.status_code == 400
    assert "lies outside" in response.content.decode()
    assert not Need.objects.exists()


def test_lists_filter_by_area_and_status(county):
    village_project(county, title="柳树村道路")
    other = actions.create_project(
        actor=county.admin,
        area=county.other_village,
        title="石门村道路",
        lead_unit=county.county_unit,
    )
    actions.cancel_project(actor=county.admin, project=other, reason="合并到县里项目")
    client = login(county.admin)
    html = client.get(reverse("projects:list") + f"?area={county.township.pk}").content.decode()
    assert "柳树村道路" in html and "石门村道路" not in html
    html = client.get(reverse("projects:list") + "?status=cancelled").content.decode()
    assert "石门村道路" in html and "柳树村道路" not in html


def test_handler_sees_only_projects_of_their_units_areas(county):
    village_project(county, title="柳树村道路")
    html = login(county.other_handler).get(reverse("projects:list")).content.decode()
    assert "柳树村道路" not in html
    project = Project.objects.get()
    assert (
        login(county.other_handler).get(reverse("projects:project", args=[project.pk])).status_code
        == 404
    )


def test_project_page_shows_figures_milestones_cases_and_log(county, held_case):
    project = village_project(county)
    actions.update_project(actor=county.handler, project=project, spent="600000", progress=70)
    actions.add_milestone(
        actor=county.handler, project=project, title="主管铺设", due_date="2026-12-01"
    )
    case = held_case()
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    response = login(county.handler).get(reverse("projects:project", args=[project.pk]))
    html = response.content.decode()
    assert "Progress 70%" in html
    assert "480,000.00" in html and "600,000.00" in html and "over budget" in html
    # 600,000 of 480,000: the share says how far over, only the bar stops at full.
    assert "(125%)" in html and "125% of the budget spent" in html
    assert 'style="inline-size: 100%"' in html
    assert "主管铺设" in html and case.tracking_code in html
    assert "progress (%): 0 → 70" in html


def test_bad_figures_are_shown_and_change_nothing(county):
    project = village_project(county)
    response = login(county.handler).post(
        reverse("projects:figures", args=[project.pk]),
        {"status": "in_progress", "progress": "150", "budget": "480000", "spent": "0"},
    )
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.progress == 0
    assert ProjectEvent.objects.filter(project=project).count() == 1


def test_only_staff_working_in_the_area_may_update_figures(county):
    project = village_project(county)
    response = login(county.supervisor).post(
        reverse("projects:figures", args=[project.pk]),
        {"status": "in_progress", "progress": "10", "budget": "1", "spent": "0"},
    )
    assert response.status_code == 302  # the supervisor of the township may
    response = login(county.other_supervisor).post(
        reverse("projects:figures", args=[project.pk]),
        {"status": "in_progress", "progress": "99", "budget": "1", "spent": "0"},
    )
    assert response.status_code == 404
    # Operators see the project in their scope but do not run it.
    response = login(county.operator).post(
        reverse("projects:figures", args=[project.pk]),
        {"status": "in_progress", "progress": "99", "budget": "1", "spent": "0"},
    )
    assert response.status_code == 403
    assert "lead and participating units" in response.content.decode()
    project.refresh_from_db()
    assert project.progress == 10


def test_match_form_turns_need_and_resource_into_project(county, held_case):
    case = held_case()
    need = actions.record_need(
        actor=county.supervisor, area=county.village, title="自来水入户", cases=[case.pk]
    )
    resource = actions.record_resource(
        actor=county.supervisor,
        sponsor_unit=county.county_unit,
        area=county.township,
        title="专项资金",
        amount="300000",
    )
    client = login(county.supervisor)
    page = client.get(reverse("projects:need", args=[need.pk])).content.decode()
    assert "专项资金" in page
    response = client.post(
        reverse("projects:match", args=[need.pk]),
        {"resource": resource.pk, "title": "柳树村自来水入户工程", "budget": ""},
    )
    project = Project.objects.get()
    assert response.url == reverse("projects:project", args=[project.pk])
    assert project.budget == Decimal("300000.00")
    assert project.case_links.get().case == case


def test_milestone_and_completion_through_the_pages(county, held_case):
    project = village_project(county)
    case = held_case()
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    client = login(county.handler)
    client.post(
        reverse("projects:milestone_add", args=[project.pk]),
        {"title": "通水", "due_date": "2026-11-30"},
    )
    milestone = Milestone.objects.get()
    today = timezone.localdate().isoformat()
    client.post(reverse("projects:milestone_done", args=[milestone.pk]), {"done_date": today})
    milestone.refresh_from_db()
    assert milestone.done_date is not None
    response = client.post(
        reverse("projects:complete", args=[project.pk]), {"outcome": "全村通水"}, follow=True
    )
    assert "Cases resolved: 1" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    # The resident's tracking page shows the resolution, as after any resolve.
    track = Client().get(reverse("intake:case", args=[case.tracking_code]))
    assert "全村通水" in track.content.decode()


def test_case_page_says_which_project_it_is_part_of(county, held_case):
    case = held_case()
    project = village_project(county)
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    html = login(county.handler).get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "Part of a project" in html
    assert reverse("projects:project", args=[project.pk]) in html
    assert case.events.filter(kind=EventKind.PROJECT).exists()


def test_resource_form_records_an_offer(county):
    response = login(county.county_handler).post(
        reverse("projects:resource_new"),
        {
            "sponsor_unit": county.county_unit.pk,
            "area": county.county.pk,
            "title": "水泥200吨",
            "amount": "0",
        },
    )
    assert response.status_code == 302
    assert Resource.objects.get().title == "水泥200吨"


def test_pages_need_a_login(client):
    response = client.get(reverse("projects:list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_county_wide_offer_shows_in_a_township_and_matches_its_needs(county):
    resource = actions.record_resource(
        actor=county.county_handler,
        sponsor_unit=county.county_unit,
        area=county.county,
        title="全县道路资金",
    )
    need = actions.record_need(actor=county.supervisor, area=county.village, title="村道破损")
    client = login(county.supervisor)
    assert "全县道路资金" in client.get(reverse("projects:resources")).content.decode()
    response = client.post(
        reverse("projects:match", args=[need.pk]), {"resource": resource.pk, "title": "村道修复"}
    )
    assert response.status_code == 302
    assert Project.objects.get().resource == resource


def test_figures_form_changes_the_units_involved_and_logs_it(county):
    project = village_project(county)
    login(county.handler).post(
        reverse("projects:figures", args=[project.pk]),
        {
            "status": "planned",
            "progress": "0",
            "budget": "480000",
            "spent": "0",
            "units": [county.township_unit.pk, county.county_unit.pk],
        },
    )
    assert set(project.units.all()) == {
        county.village_unit,
        county.township_unit,
        county.county_unit,
    }
    html = (
        login(county.handler).get(reverse("projects:project", args=[project.pk])).content.decode()
    )
    assert "units involved: 柳树村委会 → " in html
