"""A project's lines on a linked case's timeline are stored as codes and read in each
reader's language; lines written before the codes still read as written."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from minsheng.cases.models import Event, EventKind
from minsheng.projects import actions
from minsheng.projects.models import OnCompletion


def village_project(county):  # type: ignore[no-untyped-def]
    return actions.create_project(
        actor=county.handler,
        area=county.village,
        title="柳树村自来水管网改造",
        lead_unit=county.village_unit,
    )


def track(case, language: str) -> str:  # type: ignore[no-untyped-def]
    # A case's page opens in the language it was reported in unless the visitor chose one.
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()


def test_the_linked_line_reads_in_the_residents_language(county, held_case):
    case = held_case()
    with_clerk_in_chinese = village_project(county)
    actions.link_case(actor=county.handler, project=with_clerk_in_chinese, case=case.pk)
    assert "Part of the project “柳树村自来水管网改造”." in track(case, "en")
    assert "已纳入项目“柳树村自来水管网改造”" in track(case, "zh-hans")
    uyghur = track(case, "ug")
    assert "已纳入项目" not in uyghur and "Part of the project" not in uyghur


def test_completion_lines_read_in_the_residents_language(county, held_case):
    resolved, noted = held_case(), held_case()
    project = village_project(county)
    actions.link_case(actor=county.handler, project=project, case=resolved.pk)
    actions.link_case(
        actor=county.handler, project=project, case=noted.pk, on_completion=OnCompletion.NOTE
    )
    actions.complete_project(actor=county.handler, project=project, outcome="全村通水")
    english = track(resolved, "en")
    assert "Solved by the project “柳树村自来水管网改造”." in english
    assert "已通过项目" not in english
    assert "The project “柳树村自来水管网改造” has been completed: 全村通水" in track(noted, "en")


def test_lines_from_before_the_codes_still_show(county, held_case):
    case = held_case()
    Event.objects.create(
        case=case,
        kind=EventKind.PROJECT,
        actor_kind="staff",
        note="项目“旧项目”已完成：已通水",
        data={"project": 1, "change": "completed"},
    )
    assert "项目“旧项目”已完成：已通水" in track(case, "en")


def test_an_old_linked_line_is_worded_anew_with_its_quoted_name(county, held_case):
    case = held_case()
    Event.objects.create(
        case=case,
        kind=EventKind.PROJECT,
        actor_kind="staff",
        note="已纳入项目“旧项目”。",
        data={"project": 1, "change": "linked", "on_completion": "resolve"},
    )
    assert "Part of the project “旧项目”." in track(case, "en")


def test_staff_read_the_line_in_their_language_too(county, held_case):
    case = held_case()
    actions.link_case(actor=county.handler, project=village_project(county), case=case.pk)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.handler)
    html = client.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "Part of the project “柳树村自来水管网改造”." in html
