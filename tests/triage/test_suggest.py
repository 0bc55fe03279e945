"""Suggestions at intake and at dispatch, through HTTP, and the record of what operators
chose."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel
from minsheng.triage.models import ModelKind, Stage, SuggestionRecord, Trigger
from minsheng.triage.training import train_kind
from tests.triage.test_training_support import (  # noqa: F401
    ROADS_TEXT,
    WATER_TEXT,
    history,
    small_thresholds,
)

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def trained(county):  # type: ignore[no-untyped-def]
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    train_kind(ModelKind.UNIT, trigger=Trigger.COMMAND)
    return county


def ask(county, description: str, area=None) -> dict:  # type: ignore[no-untyped-def]
    response = login(county.operator).get(
        reverse("triage_models:suggest"),
        {"title": "", "description": description, "area": area.pk if area else ""},
    )
    assert response.status_code == 200
    return response.json()


def test_intake_page_has_the_suggestion_panel(county) -> None:
    html = login(county.operator).get(reverse("staff:intake")).content.decode()

    assert "data-triage-intake" in html and reverse("triage_models:suggest") in html


def test_typed_text_gets_confident_categories_units_and_words(trained) -> None:
    answer = ask(trained, WATER_TEXT * 2, area=trained.village)

    assert answer["mode"] == "learned" and answer["confident"] is True
    assert answer["category"] == trained.water.pk
    assert [code for code, _p in answer["categories"]][:1] == ["water"]
    assert answer["units"][0][0] == trained.county_unit.code
    assert "Confident: Water supply." in answer["html"]
    assert "<mark>" in answer["html"]  # the words that decided it


def test_unsure_text_preselects_nothing_and_says_so(trained) -> None:
    answer = ask(trained, "隔壁", area=trained.village)

    assert answer["category"] is None and answer["confident"] is False
    assert "Not sure" in answer["html"] or "No suggestion" in answer["html"]


def test_keyword_mode_before_any_training_is_never_confident(county) -> None:
    answer = ask(county, "村里停水三天了", area=county.village)

    assert answer["mode"] == "keywords" and answer["category"] is None
    assert answer["categories"][0][0] == "water"
    assert "Keyword matches only" in answer["html"] and "<mark>停水</mark>" in answer["html"]


def test_suggestions_only_for_logged_in_staff(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("triage_models:suggest"), {"description": "停水"})

    assert response.status_code == 302


def test_dispatch_form_shows_unit_suggestion_for_a_waiting_case(trained, submit) -> None:
    case = submit(title="", description=ROADS_TEXT * 2, category=trained.roads)

    html = login(trained.operator).get(reverse("staff:case", args=[case.pk])).content.decode()

    assert "data-triage-case" in html
    assert f'<option value="{trained.village_unit.pk}" selected>' in html
    assert "It has been chosen in the dispatch form" in html
    assert "Responsible unit" in html


def test_a_sure_category_fills_the_dispatch_form_only_for_a_case_without_one(
    trained, submit
) -> None:
    # Filled in by the server, so the form, the panel and a browser without JavaScript agree.
    unsure = submit(title="", description=WATER_TEXT * 2, category=None)
    html = login(trained.operator).get(reverse("staff:case", args=[unsure.pk])).content.decode()
    category = html.split('id="id_dispatch_category"')[1].split("</select>")[0]
    assert f'<option value="{trained.water.pk}" selected>' in category
    assert "It has been filled in" in html
    # The unit select proposes what the rules say for water: the county bureau.
    unit = html.split('id="id_dispatch_unit"')[1].split("</select>")[0]
    assert f'<option value="{trained.county_unit.pk}" selected>' in unit
    # A category someone chose stays theirs: the suggestion never overrides it.
    chosen = submit(title="", description=WATER_TEXT * 2, category=trained.roads)
    html = login(trained.operator).get(reverse("staff:case", args=[chosen.pk])).content.decode()
    category = html.split('id="id_dispatch_category"')[1].split("</select>")[0]
    assert f'<option value="{trained.roads.pk}" selected>' in category
    assert "It has been filled in" not in html


def test_after_a_refused_dispatch_the_form_keeps_the_operators_choices(trained, submit) -> None:
    case = submit(title="", description=WATER_TEXT * 2, category=None)
    response = login(trained.operator).post(
        reverse("staff:act", args=[case.pk, "dispatch"]),
        {"expected_version": case.version, "category": trained.roads.pk, "unit": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    category = html.split('id="id_dispatch_category"')[1].split("</select>")[0]
    assert f'<option value="{trained.roads.pk}" selected>' in category
    assert "It has been filled in" not in html


def test_an_unsure_unit_at_dispatch_says_whose_proposal_the_form_shows(trained, submit) -> None:
    case = submit(title="", description="隔壁", category=trained.roads)

    html = login(trained.operator).get(reverse("staff:case", args=[case.pk])).content.decode()

    assert 'data-unit-verdict="unsure"' in html
    assert "is the routing rules' proposal, not the suggestion's" in html


def test_handler_sees_no_suggestions(trained, submit) -> None:
    case = submit()
    actions.dispatch_case(actor=trained.operator, case=case, unit=trained.village_unit)

    html = login(trained.handler).get(reverse("staff:case", args=[case.pk])).content.decode()

    assert "data-triage-case" not in html


def test_operator_choice_is_recorded_at_intake_and_dispatch(
    trained, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    operator = login(trained.operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = operator.post(
            reverse("staff:intake"),
            {
                "channel": Channel.PHONE,
                "area": trained.village.pk,
                "category": trained.water.pk,
                "title": "",
                "description": WATER_TEXT * 2,
                "priority": "normal",
                "submission_key": "suggest-1",
            },
        )
    assert response.status_code == 302
    case = Case.objects.get(submission_key="suggest-1")
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            reverse("staff:act", args=[case.pk, "dispatch"]),
            {"unit": trained.village_unit.pk, "expected_version": case.version},
        )

    intake = SuggestionRecord.objects.get(case=case, stage=Stage.INTAKE)
    assert intake.followed is True and intake.confident is True
    assert intake.chosen_category == trained.water and intake.categories[0][0] == "water"
    assert intake.category_model.version == 1 and intake.mode == "learned"
    dispatch = SuggestionRecord.objects.get(case=case, stage=Stage.DISPATCH)
    # The unit model says the water bureau; the operator sent it to the village.
    assert dispatch.units[0][0] == trained.county_unit.code
    assert dispatch.chosen_unit == trained.village_unit and dispatch.followed is False
    assert dispatch.unit_model.version == 1


def test_resident_reports_get_no_intake_record(
    county, submit, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        submit()

    assert not SuggestionRecord.objects.exists()


def test_no_unit_suggestions_for_an_area_outside_the_users_reach(county) -> None:
    outsider = login(county.other_supervisor)  # scope: the other township

    answer = outsider.get(
        reverse("triage_models:suggest"), {"description": "村里停水", "area": county.village.pk}
    ).json()
    own = outsider.get(
        reverse("triage_models:suggest"),
        {"description": "村里停水", "area": county.other_village.pk},
    ).json()

    assert answer["units"] == [] and own["units"][0][0] == county.county_unit.code


def test_without_javascript_a_reshown_intake_form_carries_the_suggestions(trained) -> None:
    response = login(trained.operator).post(
        reverse("staff:intake"),
        {
            "channel": Channel.PHONE,
            "area": "",  # forgotten: the form comes back
            "title": "",
            "description": WATER_TEXT * 2,
            "priority": "normal",
            "submission_key": "suggest-nojs",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-verdict="confident"' in html and "Water supply" in html
    assert not Case.objects.filter(submission_key="suggest-nojs").exists()
