"""The public project pages on the board: an area's projects, one project's page, and the
project on the resident's case page. Nothing internal is published."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions as case_actions
from minsheng.projects import actions
from minsheng.projects.errors import NotPermitted
from minsheng.projects.models import Project


@pytest.fixture
def held_case(county, submit):  # type: ignore[no-untyped-def]
    """A resident's case in the village, accepted by the village committee."""

    def _make(title: str = "柳树村三组停水"):  # type: ignore[no-untyped-def]
        case = submit(title=title)
        case_actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        case_actions.accept_case(actor=county.handler, case=case)
        case.refresh_from_db()
        return case

    return _make


@pytest.fixture
def project(county) -> Project:  # type: ignore[no-untyped-def]
    project = actions.create_project(
        actor=county.handler,
        area=county.village,
        title="柳树村自来水管网改造",
        description="铺设主管网4.6公里，186户入户。",
        lead_unit=county.village_unit,
        budget="480000",
        start_date="2026-03-01",
        end_date="2026-12-31",
    )
    actions.update_project(
        actor=county.handler,
        project=project,
        status="in_progress",
        progress=60,
        spent="200000",
        note="施工队张师傅反映管材到货晚",
    )
    done = actions.add_milestone(
        actor=county.handler, project=project, title="设计批复", due_date="2026-04-01"
    )
    actions.add_milestone(
        actor=county.handler, project=project, title="通水", due_date="2026-12-01"
    )
    actions.complete_milestone(actor=county.handler, milestone=done, done_date=timezone.localdate())
    return project


def test_an_area_lists_its_projects_with_figures(county, project, client_en):
    response = client_en.get(f"/board/{county.township.code}/projects/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "柳树村自来水管网改造" in html
    assert reverse("board:project", args=[project.pk]) in html
    assert "progress 60%" in html
    assert "¥480,000.00" in html and "¥200,000.00" in html
    assert "1 of 2 done" in html
    assert "2026-03-01" in html and "2026-12-31" in html
    assert county.village_unit.name in html


def test_the_area_board_links_to_its_projects(county, project, client_en):
    html = client_en.get(f"/board/{county.township.code}/").content.decode()
    assert reverse("board:projects", args=[county.township.code]) in html
    # Another township has none: no link there.
    html = client_en.get(f"/board/{county.other_township.code}/").content.decode()
    assert reverse("board:projects", args=[county.other_township.code]) not in html


def test_the_project_page_shows_milestones_history_and_published_cases(
    county, project, held_case, client_en
):
    shown = held_case(title="三组停水")
    hidden = held_case(title="不公开的诉求")
    for case in (shown, hidden):
        actions.link_case(actor=county.handler, project=project, case=case.pk)
    case_actions.set_board_visibility(
        actor=county.supervisor, case=hidden, hidden=True, reason="涉及个人"
    )
    # The project was recorded a month ago (at 0 %), progress reported today.
    project.events.filter(kind="created").update(created_at=timezone.now() - dt.timedelta(days=30))
    response = client_en.get(reverse("board:project", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert [p.progress for p in response.context["project"].history] == [0, 60]
    assert "铺设主管网4.6公里" in html
    assert "设计批复" in html and "通水" in html
    assert "Progress over time" in html and "60%" in html
    assert "三组停水" in html
    assert "不公开的诉求" not in html
    assert "1 request this project answers" in html


def test_the_project_page_publishes_nothing_internal(county, project, held_case, client_en):
    case = held_case()
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    html = client_en.get(reverse("board:project", args=[project.pk])).content.decode()
    assert "张师傅" not in html  # the log's note
    assert county.handler.username not in html  # who entered what
    assert case.tracking_code not in html


def test_a_project_kept_off_the_board_is_not_found(county, project, client_en):
    with pytest.raises(NotPermitted):
        actions.set_project_public(
            actor=county.handler, project=project, is_public=False, reason="x"
        )
    actions.set_project_public(
        actor=county.supervisor, project=project, is_public=False, reason="尚未公布"
    )
    assert client_en.get(reverse("board:project", args=[project.pk])).status_code == 404
    html = client_en.get(f"/board/{county.township.code}/projects/").content.decode()
    assert "柳树村自来水管网改造" not in html


def test_the_residents_case_page_shows_its_project(county, project, held_case, client_en):
    case = held_case()
    actions.link_case(actor=county.handler, project=project, case=case.pk)
    html = client_en.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "Part of a project" in html
    assert reverse("board:project", args=[project.pk]) in html
    assert "progress 60%" in html


@pytest.mark.parametrize("language", ["zh-hans", "ug"])
def test_the_pages_read_in_chinese_and_uyghur(county, project, language):
    client = Client(headers={"accept-language": language})
    html = client.get(reverse("board:project", args=[project.pk])).content.decode()
    if language == "ug":
        assert 'dir="rtl"' in html
        assert "Milestones" not in html and "Progress over time" not in html
    else:
        assert "里程碑" in html
    html = client.get(f"/board/{county.township.code}/projects/").content.decode()
    assert "Lead unit" not in html
