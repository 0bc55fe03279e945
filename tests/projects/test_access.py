"""Who may change a project, and what the units running it may read of its linked cases.

A unit covering the area is not enough to change a project: every county bureau covers
the whole county. Lead and participating units read the cases linked to their project,
read only, never the resident's contact details.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.accounts.permissions import can_reveal_contact, can_view_case
from minsheng.contacts.models import Contact
from minsheng.projects import actions
from minsheng.projects.errors import NotPermitted
from minsheng.projects.models import Project
from tests.factories import UnitFactory, UserFactory


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def clinic(county) -> Project:  # type: ignore[no-untyped-def]
    """A county project led by the health bureau (covers the county), with the village
    committee taking part."""
    health = UnitFactory(name="县卫健委", level=county.county_unit.level, areas=[county.county])
    county.health_handler = UserFactory(username="health", units=[health])
    return actions.create_project(
        actor=county.admin,
        area=county.village,
        title="柳树村卫生室",
        lead_unit=health,
        units=[county.village_unit],
        budget="350000",
    )


def test_another_bureau_covering_the_area_cannot_change_the_project(county, clinic):
    # The water bureau covers the whole county, but the clinic is not its project.
    client = login(county.county_handler)
    response = client.post(
        reverse("projects:figures", args=[clinic.pk]),
        {"status": "in_progress", "progress": "5", "budget": "350000", "spent": "10000"},
    )
    assert response.status_code == 403
    assert "lead and participating units" in response.content.decode()
    clinic.refresh_from_db()
    assert (clinic.progress, clinic.spent) == (0, 0)
    for attempt in (
        lambda: actions.complete_project(actor=county.county_handler, project=clinic, outcome="x"),
        lambda: actions.cancel_project(actor=county.county_handler, project=clinic, reason="x"),
        lambda: actions.add_milestone(
            actor=county.county_handler, project=clinic, title="x", due_date="2026-12-01"
        ),
    ):
        with pytest.raises(NotPermitted):
            attempt()


def test_a_village_committee_cannot_complete_a_county_project_it_does_not_take_part_in(county):
    project = actions.create_project(
        actor=county.county_handler,
        area=county.village,
        title="县道改造",
        lead_unit=county.county_unit,
    )
    with pytest.raises(NotPermitted):
        actions.complete_project(actor=county.handler, project=project, outcome="完成")
    project.refresh_from_db()
    assert project.status == "planned"


def test_the_staff_page_offers_no_forms_to_a_unit_outside_the_project(county, clinic):
    html = login(county.county_handler).get(reverse("projects:project", args=[clinic.pk]))
    assert reverse("projects:figures", args=[clinic.pk]) not in html.content.decode()


def test_lead_participating_units_and_supervisor_may_change_it(county, clinic):
    actions.update_project(actor=county.health_handler, project=clinic, progress=10)
    actions.update_project(actor=county.handler, project=clinic, progress=20)  # takes part
    actions.update_project(actor=county.supervisor, project=clinic, progress=30)
    clinic.refresh_from_db()
    assert clinic.progress == 30


def test_a_unit_cannot_start_a_project_for_another_unit(county):
    with pytest.raises(NotPermitted):
        actions.create_project(
            actor=county.county_handler,
            area=county.village,
            title="别人的项目",
            lead_unit=county.village_unit,
        )


# --- reading the linked cases ----------------------------------------------------------------


def test_the_lead_unit_reads_the_linked_cases_on_the_project_and_case_pages(
    county, clinic, held_case
):
    case = held_case(title="村里没有卫生室")
    actions.link_case(actor=county.handler, project=clinic, case=case.pk)
    assert can_view_case(county.health_handler, case)
    client = login(county.health_handler)
    page = client.get(reverse("projects:project", args=[clinic.pk])).content.decode()
    assert reverse("staff:case", args=[case.pk]) in page and "村里没有卫生室" in page
    response = client.get(reverse("staff:case", args=[case.pk]))
    assert response.status_code == 200
    assert "村里没有卫生室" in response.content.decode()


def test_the_lead_unit_reads_but_never_reveals_contact_details(county, clinic, held_case):
    case = held_case(contact_name="王大妈", contact_phone="13800138000")
    assert Contact.objects.filter(case=case).exists()
    actions.link_case(actor=county.handler, project=clinic, case=case.pk)
    assert not can_reveal_contact(county.health_handler, case)
    html = login(county.health_handler).get(reverse("staff:case", args=[case.pk]))
    assert "13800138000" not in html.content.decode()


def test_reading_ends_when_the_case_is_unlinked(county, clinic, held_case):
    case = held_case()
    link = actions.link_case(actor=county.handler, project=clinic, case=case.pk)
    actions.unlink_case(actor=county.handler, link=link, reason="另案处理")
    assert not can_view_case(county.health_handler, case)
    assert (
        login(county.health_handler).get(reverse("staff:case", args=[case.pk])).status_code == 404
    )


def test_a_unit_outside_the_project_does_not_read_its_cases(county, clinic, held_case):
    case = held_case()
    actions.link_case(actor=county.handler, project=clinic, case=case.pk)
    assert not can_view_case(county.county_handler, case)


def test_the_manage_filter_agrees_with_the_rule(county, clinic):
    from minsheng.projects import rules

    other = actions.create_project(
        actor=county.admin,
        area=county.other_village,
        title="石门村道路",
        lead_unit=county.county_unit,
    )
    users = [
        county.handler,
        county.county_handler,
        county.health_handler,
        county.other_handler,
        county.supervisor,
        county.other_supervisor,
        county.operator,
        county.admin,
    ]
    for user in users:
        in_query = set(
            Project.objects.filter(rules.manage_filter(user)).values_list("pk", flat=True)
        )
        by_rule = {p.pk for p in (clinic, other) if rules.can_manage_project(user, p)}
        assert in_query == by_rule, user.username
