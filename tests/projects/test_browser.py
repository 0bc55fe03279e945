"""A township supervisor on a phone: a need from clustered cases, an offered resource, the
two turned into a project, a milestone added and done, the project completed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.cases.models import EventKind
from minsheng.projects.models import Milestone, Need, Project, ProjectStatus, Resource

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password
PHONE = {"width": 390, "height": 844}


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fits_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_need_resource_project_milestone_and_completion(new_page, county, held_case, tmp_path):
    cases = [held_case(title=f"三组停水{i}", category=county.water) for i in range(3)]
    page = new_page(viewport=PHONE)
    log_in(page, "supervisor")

    # The hot-spot link: a need pre-filled from three cases.
    ids = ",".join(str(c.pk) for c in cases)
    page.goto(f"/staff/projects/needs/new/?cases={ids}")
    assert page.locator("#id_area").input_value() == str(county.village.pk)
    assert page.locator("#id_category").input_value() == str(county.water.pk)
    assert page.locator("#id_cases").input_value() == ", ".join(str(c.pk) for c in cases)
    assert page.locator(".case-card").count() == 3
    assert fits_phone(page)
    page.fill("#id_title", "柳树村供水管网老化")
    page.get_by_role("button", name="Save the need").click()
    need = Need.objects.get()
    assert page.url.endswith(f"/staff/projects/needs/{need.pk}/")
    assert "No resource is offered" in page.content()

    # The county water bureau's offer, recorded by the supervisor.
    page.get_by_role("link", name="Record a resource").click()
    page.select_option("#id_sponsor_unit", str(county.county_unit.pk))
    page.select_option("#id_area", str(county.township.pk))
    page.fill("#id_title", "农村供水专项资金")
    page.fill("#id_amount", "480000")
    page.get_by_role("button", name="Save the resource").click()
    assert page.get_by_role("heading", name="农村供水专项资金").is_visible()
    assert Resource.objects.get().amount == 480000

    # Need + resource → project.
    page.goto(f"/staff/projects/needs/{need.pk}/")
    page.fill("#id_match_title", "柳树村自来水管网改造工程")
    page.get_by_role("button", name="Create the project").click()
    project = Project.objects.get()
    assert page.url.endswith(f"/staff/projects/{project.pk}/")
    assert page.get_by_role("heading", name="柳树村自来水管网改造工程").is_visible()
    assert "480,000.00" in page.locator(".pj-figure").nth(1).inner_text()
    assert page.locator(".pj-links li").count() == 3
    assert fits_phone(page)

    # A milestone, then done.
    page.locator("summary", has_text="Add a milestone").click()
    page.fill("#id_ms_title", "主管网铺设")
    page.fill("#id_ms_due_date", (timezone.localdate() + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Add milestone").click()
    assert page.locator(".pj-milestones li", has_text="主管网铺设").is_visible()
    page.locator(".pj-milestones summary", has_text="Mark done…").click()
    # The day is asked for, with today filled in.
    assert page.locator("input[name=done_date]").input_value() == timezone.localdate().isoformat()
    page.get_by_role("button", name="Mark “主管网铺设” done").click()
    assert page.locator(".pj-milestones li.is-done", has_text="主管网铺设").is_visible()
    assert Milestone.objects.get().done_date == timezone.localdate()

    # Completed: the supervisor does not hold the cases, so each gets a note saying why.
    page.locator("summary", has_text="Complete the project").click()
    page.fill("#id_done_outcome", "新管网通水，三组恢复正常供水。")
    page.get_by_role("button", name="Complete project").click()
    assert page.locator("#project-status").inner_text() == "completed"
    assert (
        "could not be resolved (see their timelines): 3" in page.locator(".messages").inner_text()
    )
    assert "Progress 100%" in page.locator("#project-progress").inner_text()
    page.screenshot(path=tmp_path / "project-completed.png", full_page=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    for case in cases:
        note = case.events.filter(kind=EventKind.PROJECT).last()
        assert "could not be resolved" in note.note
