"""Automatic dispatch of the cases the learned models are sure of: the administrator's
switch, the worker's checks, the system's one narrow right to dispatch, and the account
of what it did on the models page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from minsheng.cases import actions
from minsheng.cases.errors import NotPermitted
from minsheng.cases.models import ActorKind, Case, Channel, Event, EventKind, Status
from minsheng.triage import autodispatch
from minsheng.triage.models import (
    ChangeAction,
    ModelChange,
    ModelKind,
    Stage,
    SuggestionRecord,
    TriageSettings,
    Trigger,
)
from minsheng.triage.training import train_kind
from tests.browser.conftest import browser, new_page, release_live_server_connections  # noqa: F401
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


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    # The worker writes the note in the active language; the tests read English.
    with translation.override("en"):
        yield


@pytest.fixture
def trained(county):  # type: ignore[no-untyped-def]
    """Both models learned from last season's cases (long closed to the duplicate finder)."""
    history(county)
    Case.objects.update(created_at=timezone.now() - dt.timedelta(days=90))
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    train_kind(ModelKind.UNIT, trigger=Trigger.COMMAND)
    return county


@pytest.fixture
def switched_on(trained):  # type: ignore[no-untyped-def]
    autodispatch.set_enabled(True, actor=trained.admin)
    return trained


@pytest.fixture
def raise_case(county, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A resident's web request in the test village, with what runs after its commit
    (the immediate task backend runs the worker's task right there)."""

    def _raise(description: str = WATER_TEXT * 2, **overrides) -> Case:  # type: ignore[no-untyped-def]
        fields = {
            "actor": actions.RESIDENT,
            "title": "",
            "description": description,
            "category": county.water,
            "area": county.village,
            "channel": Channel.WEB,
        }
        fields.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            case = actions.submit_case(**fields)
        case.refresh_from_db()
        return case

    return _raise


def dispatches(case: Case) -> list[Event]:
    return list(case.events.filter(kind=EventKind.DISPATCHED))


# --- the switch ------------------------------------------------------------------------


def test_switch_is_off_by_default_and_a_sure_case_waits_for_the_operator(
    trained, raise_case
) -> None:  # type: ignore[no-untyped-def]
    assert autodispatch.is_enabled() is False

    case = raise_case()

    assert case.status == Status.SUBMITTED and dispatches(case) == []
    # The models were sure: only the switch held it back.
    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.SWITCHED_OFF


def test_administrator_turns_it_on_and_off_from_the_page_and_each_change_is_logged(
    county,
) -> None:
    admin = login(county.admin)

    assert admin.post(reverse("triage_models:auto_dispatch"), {"auto_dispatch": "on"}).status_code
    assert TriageSettings.current().auto_dispatch is True
    html = admin.get(reverse("triage_models:index")).content.decode()
    assert "Turn automatic dispatch off" in html
    assert "Turned on" in html and "by admin" in html
    assert "automatic dispatch turned on · admin" in html  # the history line

    admin.post(reverse("triage_models:auto_dispatch"), {})  # says neither: no change
    assert TriageSettings.current().auto_dispatch is True
    admin.post(reverse("triage_models:auto_dispatch"), {"auto_dispatch": "off"})
    admin.post(reverse("triage_models:auto_dispatch"), {"auto_dispatch": "off"})  # no change

    assert TriageSettings.current().auto_dispatch is False
    changes = list(
        ModelChange.objects.filter(action__in=[ChangeAction.AUTO_ON, ChangeAction.AUTO_OFF])
        .order_by("created_at", "id")
        .values_list("action", "actor", "trigger", "kind")
    )
    assert changes == [
        (ChangeAction.AUTO_ON, county.admin.pk, Trigger.PAGE, ""),
        (ChangeAction.AUTO_OFF, county.admin.pk, Trigger.PAGE, ""),
    ]


def test_others_cannot_flip_the_switch(county) -> None:
    url = reverse("triage_models:auto_dispatch")
    for user in (county.supervisor, county.operator, county.handler):
        assert login(user).post(url, {"auto_dispatch": "on"}).status_code == 403
    assert Client().post(url, {"auto_dispatch": "on"}).status_code == 302  # to the login

    assert TriageSettings.current().auto_dispatch is False
    assert not ModelChange.objects.filter(action=ChangeAction.AUTO_ON).exists()
    supervisor_page = login(county.supervisor).get(reverse("triage_models:index")).content
    assert b"Automatic dispatch" in supervisor_page and b"Turn automatic" not in supervisor_page


# --- dispatching by itself ---------------------------------------------------------------


def test_sure_case_is_dispatched_by_the_system_with_a_note_and_a_deadline(
    switched_on, raise_case
) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    case = raise_case()

    assert case.status == Status.DISPATCHED
    assert case.current_unit == county.county_unit and case.deadline is not None
    assert case.dispatched_at is not None
    [event] = dispatches(case)
    assert event.actor_kind == ActorKind.SYSTEM and event.actor is None
    assert event.unit == county.county_unit and event.data == {"automatic": True}
    assert event.note.startswith("Dispatched automatically: the category model (version 1) is ")
    assert "sure of “Water supply”" in event.note and "the unit model (version 1)" in event.note
    assert "%" in event.note
    # Counted as a followed suggestion, once.
    [record] = SuggestionRecord.objects.filter(case=case, stage=Stage.DISPATCH)
    assert record.followed is True and record.chosen_unit == county.county_unit
    assert record.mode == "learned" and record.confident and record.unit_confident
    assert record.unit_model_id is not None

    page = login(county.operator).get(reverse("staff:case", args=[case.pk])).content.decode()
    assert "Dispatched automatically" in page and "System" in page


def test_sure_case_from_an_operators_call_is_dispatched_too(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    case = raise_case(
        ROADS_TEXT * 2, category=county.roads, actor=county.operator, channel=Channel.PHONE
    )

    assert case.status == Status.DISPATCHED and case.current_unit == county.village_unit
    assert SuggestionRecord.objects.filter(case=case, stage=Stage.INTAKE).count() == 1


def test_unsure_case_waits(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    # Words of no category. ("隔壁邻居" was not: which history cases are held out goes by
    # their ids, which on PostgreSQL depend on the tests run before, and with some of them
    # the small model was sure of a category for it.)
    case = raise_case("请帮忙看看")

    assert case.status == Status.SUBMITTED and dispatches(case) == []
    assert autodispatch.auto_dispatch(case.pk).reason in (
        autodispatch.CATEGORY_UNSURE,
        autodispatch.UNIT_UNSURE,
    )


def test_case_whose_category_differs_from_the_suggestion_waits(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    case = raise_case(WATER_TEXT * 2, category=county.roads)

    assert case.status == Status.SUBMITTED
    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.CATEGORY_DIFFERS


def test_sure_case_the_resident_could_not_place_is_dispatched_with_the_suggested_category(
    switched_on, raise_case
) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    case = raise_case(category=None)  # "not sure" on the form: the category "other"

    assert case.status == Status.DISPATCHED and case.category == county.water
    assert case.current_unit == county.county_unit
    [event] = dispatches(case)
    assert event.data == {"automatic": True, "category": {"from": "other", "to": "water"}}
    assert "sure of “Water supply”" in event.note
    [record] = SuggestionRecord.objects.filter(case=case, stage=Stage.DISPATCH)
    assert record.chosen_category == county.water and record.followed is True


def test_keyword_mode_never_dispatches(county, raise_case) -> None:  # type: ignore[no-untyped-def]
    autodispatch.set_enabled(True, actor=county.admin)

    case = raise_case("村里停水三天了，自来水水管爆裂")

    assert case.status == Status.SUBMITTED
    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.KEYWORDS


def test_routing_rules_alone_never_dispatch(county, raise_case) -> None:  # type: ignore[no-untyped-def]
    history(county)
    Case.objects.update(created_at=timezone.now() - dt.timedelta(days=90))
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)  # no unit model
    autodispatch.set_enabled(True, actor=county.admin)

    case = raise_case()

    assert case.status == Status.SUBMITTED
    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.UNIT_NOT_LEARNED


def test_unit_that_does_not_cover_the_area_is_not_sent_the_case(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    # The unit model learned road cases only from 柳树村; in 石门村 it still names 柳树村委会.
    county = switched_on
    case = raise_case(ROADS_TEXT * 2, category=county.roads, area=county.other_village)

    assert case.status == Status.SUBMITTED
    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.UNIT_ELSEWHERE


def test_possible_duplicate_waits_for_the_operator(trained, raise_case) -> None:  # type: ignore[no-untyped-def]
    first = raise_case()  # switch still off: waits
    autodispatch.set_enabled(True, actor=trained.admin)

    second = raise_case()

    assert first.status == second.status == Status.SUBMITTED
    assert autodispatch.auto_dispatch(second.pk).reason == autodispatch.DUPLICATE


def test_case_an_operator_dispatched_first_is_skipped(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    autodispatch.set_enabled(False, actor=county.admin)
    case = raise_case()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.township_unit)
    autodispatch.set_enabled(True, actor=county.admin)

    outcome = autodispatch.auto_dispatch(case.pk)

    assert outcome.reason == autodispatch.NOT_WAITING and not outcome.dispatched
    [event] = dispatches(case)
    assert event.actor == county.operator


def test_operator_dispatching_while_the_worker_decides_wins_without_error(
    switched_on, raise_case, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    autodispatch.set_enabled(False, actor=county.admin)
    case = raise_case()
    autodispatch.set_enabled(True, actor=county.admin)

    def operator_meanwhile(found_case, **kwargs):  # type: ignore[no-untyped-def]
        actions.dispatch_case(actor=county.operator, case=found_case.pk, unit=county.village_unit)
        return []

    monkeypatch.setattr(autodispatch, "find_duplicates", operator_meanwhile)

    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.NOT_WAITING
    case.refresh_from_db()
    assert case.current_unit == county.village_unit
    assert [e.actor_kind for e in dispatches(case)] == [ActorKind.STAFF]


def test_returned_case_is_never_dispatched_again_by_the_system(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    case = raise_case()
    actions.return_case(actor=county.county_handler, case=case, reason="不归我们管")

    assert autodispatch.auto_dispatch(case.pk).reason == autodispatch.NOT_WAITING
    case.refresh_from_db()
    assert case.status == Status.RETURNED


# --- the system's narrow right ------------------------------------------------------------


def test_the_system_may_dispatch_only_as_the_auto_dispatcher(county, submit) -> None:  # type: ignore[no-untyped-def]
    case = submit()

    with pytest.raises(NotPermitted):
        actions.dispatch_case(actor=actions.SYSTEM, case=case, unit=county.village_unit)
    with pytest.raises(NotPermitted):  # a person cannot borrow the flag
        actions.dispatch_case(
            actor=county.operator, case=case, unit=county.village_unit, automatic=True
        )
    with pytest.raises(NotPermitted):
        actions.dispatch_case(
            actor=actions.RESIDENT, case=case, unit=county.village_unit, automatic=True
        )
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.return_case(actor=county.handler, case=case, reason="不是我们的")
    with pytest.raises(NotPermitted):  # returned cases stay with the operators
        actions.dispatch_case(
            actor=actions.SYSTEM, case=case, unit=county.county_unit, automatic=True
        )


def test_a_unit_handles_only_the_areas_it_covers_or_is_routed(county, submit) -> None:  # type: ignore[no-untyped-def]
    case = submit()

    assert autodispatch.may_handle(county.county_unit, case)
    assert autodispatch.may_handle(county.village_unit, case)
    assert not autodispatch.may_handle(county.other_village_unit, case)


# --- accountability ----------------------------------------------------------------------


def test_page_counts_automatic_dispatches_and_the_units_returns(switched_on, raise_case) -> None:  # type: ignore[no-untyped-def]
    county = switched_on
    water = raise_case()
    roads = raise_case(ROADS_TEXT * 2, category=county.roads)
    assert water.status == roads.status == Status.DISPATCHED
    actions.return_case(actor=county.county_handler, case=water, reason="应由村委会处理")
    # An operator's dispatch is not counted.
    manual = raise_case("隔壁邻居")
    actions.dispatch_case(actor=county.operator, case=manual, unit=county.village_unit)

    assert autodispatch.account() == autodispatch.Account(days=30, dispatched=2, returned=1)
    later = timezone.now() + dt.timedelta(days=31)
    assert autodispatch.account(now=later).dispatched == 0
    html = login(county.admin).get(reverse("triage_models:index")).content.decode()
    assert (
        "In the last 30 days 2 cases were dispatched automatically; "
        "their units returned 1 of them as mis-routed (50.0%)."
    ) in html


# --- in Chromium -------------------------------------------------------------------------


@pytest.mark.browser
def test_administrator_turns_it_on_in_the_browser_and_sees_the_account(  # noqa: F811
    new_page,  # noqa: F811
    county,
    tmp_path,
) -> None:  # type: ignore[no-untyped-def]
    history(county)
    Case.objects.update(created_at=timezone.now() - dt.timedelta(days=90))
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    train_kind(ModelKind.UNIT, trigger=Trigger.COMMAND)
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto("/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    page.goto(reverse("triage_models:index"))
    assert page.locator("#auto-dispatch .badge").inner_text() == "Off"
    assert "No case was dispatched automatically in the last 30 days." in page.content()

    page.get_by_role("button", name="Turn automatic dispatch on").click()

    assert page.locator("#auto-dispatch .badge").inner_text() == "On"
    # Cases raised now are decided by the worker (immediate in tests), outside the page.
    water = actions.submit_case(
        actor=actions.RESIDENT,
        title="",
        description=WATER_TEXT * 2,
        category=county.water,
        area=county.village,
    )
    water.refresh_from_db()
    assert water.status == Status.DISPATCHED
    actions.return_case(actor=county.county_handler, case=water, reason="应由村委会处理")
    page.reload()
    assert page.locator(".tm-auto-account").inner_text() == (
        "In the last 30 days 1 case was dispatched automatically; "
        "its unit returned 1 as mis-routed (100.0%)."
    )
    assert "automatic dispatch turned on · admin" in page.locator(".tm-history").inner_text()
    page.screenshot(path=tmp_path / "triage-models.png", full_page=True)
    page.goto(reverse("staff:case", args=[water.pk]))
    dispatched = page.locator(".tl-dispatched")
    assert "System" in dispatched.inner_text()
    assert "Dispatched automatically" in dispatched.inner_text()
    page.screenshot(path=tmp_path / "case.png", full_page=True)
    phone = new_page()
    phone.context.add_cookies(page.context.cookies())
    phone.goto(reverse("triage_models:index"))
    phone.screenshot(path=tmp_path / "triage-models-phone.png", full_page=True)
