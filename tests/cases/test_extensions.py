"""Extensions (延期): the holding unit asks for more time, an operator or supervisor in
scope grants or refuses, and a grant moves the deadline in working time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.deadlines import sweep_deadlines
from minsheng.cases.errors import InvalidInput, InvalidTransition, NotPermitted
from minsheng.cases.models import Case, Event, EventKind, Extension, ExtensionStatus, Status
from minsheng.cases.selectors import QueueBucket, queue_for
from minsheng.directory.calendar import WorkingCalendar
from tests.insight.kpi_support import TZ, at, moment  # noqa: F401 - the fixture

REASON = "水泵配件要从县里调，施工队周四才能到"


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def accepted(county, submit):  # type: ignore[no-untyped-def]
    """A case the village committee has just accepted."""
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    case.refresh_from_db()
    return case


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- asking -------------------------------------------------------------------------------


def test_the_holding_unit_asks_for_working_days_and_the_deadline_waits(county, accepted):
    before = accepted.deadline
    extension = actions.request_extension(
        actor=county.handler, case=accepted, reason=REASON, days=3
    )
    assert extension.status == ExtensionStatus.PENDING
    assert extension.requested_deadline == WorkingCalendar.load().add_working_days(before, 3)
    case = fresh(accepted)
    assert case.deadline == before
    event = case.events.order_by("-id").first()
    assert event.kind == EventKind.EXTENSION_REQUESTED
    assert not event.is_public
    assert event.holder_note == ""  # the reason stays among staff


def test_a_second_request_waits_for_the_first_decision(county, accepted):
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=2)
    with pytest.raises(InvalidTransition):
        actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=1)
    assert Extension.objects.filter(case=accepted).count() == 1


def test_a_case_not_yet_accepted_cannot_ask_for_more_time(county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    with pytest.raises(InvalidTransition):
        actions.request_extension(actor=county.handler, case=case, reason=REASON, days=2)


def test_only_the_holding_unit_asks(county, accepted):
    for user in (county.other_handler, county.operator, county.township_handler):
        with pytest.raises(NotPermitted):
            actions.request_extension(actor=user, case=accepted, reason=REASON, days=2)
    assert not Extension.objects.exists()


def test_a_new_deadline_on_a_rest_day_is_refused(county, accepted):
    calendar = WorkingCalendar.load()
    day = timezone.localtime(accepted.deadline).date() + dt.timedelta(days=1)
    while calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    with pytest.raises(InvalidInput) as caught:
        actions.request_extension(actor=county.handler, case=accepted, reason=REASON, until=day)
    assert caught.value.field == "until"


def test_one_extension_adds_at_most_the_configured_working_days(county, accepted, settings):
    settings.MINSHENG_EXTENSION_MAX_DAYS = 5
    with pytest.raises(InvalidInput):
        actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=6)
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=5)


# --- deciding ------------------------------------------------------------------------------


def test_the_unit_cannot_grant_its_own_request_nor_an_operator_out_of_scope(county, accepted):
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=2)
    for user in (county.handler, county.other_supervisor):
        with pytest.raises(NotPermitted):
            actions.grant_extension(actor=user, case=accepted)
    assert fresh(accepted).extension_count == 0


def test_a_grant_moves_the_deadline_and_the_case_is_no_longer_overdue(county, accepted, at):  # noqa: F811
    old = accepted.deadline
    with at(old - dt.timedelta(hours=2)):
        asked = actions.request_extension(
            actor=county.handler, case=accepted, reason=REASON, days=3
        )
    with at(old + dt.timedelta(hours=1)):
        assert fresh(accepted).is_overdue
        events_before = Event.objects.filter(case=accepted).count()
        actions.grant_extension(actor=county.operator, case=accepted, note="同意")
        case = fresh(accepted)
        assert case.deadline == asked.requested_deadline
        assert not case.is_overdue
        assert case.extension_count == 1
        assert not queue_for(user=county.handler, bucket=QueueBucket.OVERDUE).exists()
    granted = Event.objects.filter(case=accepted).order_by("-id")
    assert granted.count() == events_before + 1  # one event
    event = granted.first()
    assert event.kind == EventKind.EXTENSION_GRANTED
    assert event.is_public
    assert event.holder_note == ""
    assert dt.datetime.fromisoformat(event.data["to"]) == asked.requested_deadline
    assert Extension.objects.get(pk=asked.pk).status == ExtensionStatus.GRANTED


def test_a_grant_may_shorten_the_time_but_not_lengthen_it(county, accepted):
    asked = actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=5)
    with pytest.raises(InvalidInput):
        actions.grant_extension(actor=county.supervisor, case=accepted, days=6)
    actions.grant_extension(actor=county.supervisor, case=accepted, days=2)
    case = fresh(accepted)
    assert case.deadline == WorkingCalendar.load().add_working_days(asked.old_deadline, 2)
    assert case.deadline < asked.requested_deadline


def test_a_refusal_keeps_the_deadline_and_stays_internal(county, accepted):
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=2)
    with pytest.raises(InvalidInput):
        actions.refuse_extension(actor=county.operator, case=accepted, reason=" ")
    actions.refuse_extension(actor=county.operator, case=accepted, reason="配件乡里有库存")
    case = fresh(accepted)
    assert case.deadline == accepted.deadline
    event = case.events.order_by("-id").first()
    assert (event.kind, event.is_public) == (EventKind.EXTENSION_REFUSED, False)
    # Decided: the unit may ask again (with a better reason).
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=1)


def test_a_case_gets_at_most_the_configured_number_of_extensions(county, accepted, settings):
    settings.MINSHENG_EXTENSIONS_PER_CASE = 2
    for _round in range(2):
        actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=1)
        actions.grant_extension(actor=county.operator, case=accepted)
    with pytest.raises(InvalidTransition):
        actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=1)
    assert fresh(accepted).extension_count == 2


def test_a_request_lapses_when_the_case_moves_on(county, accepted):
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=2)
    actions.escalate_case(actor=county.handler, case=accepted, reason="需要镇里协调")
    with pytest.raises(InvalidTransition):
        actions.grant_extension(actor=county.operator, case=accepted)
    assert fresh(accepted).status == Status.ESCALATED


# --- the sweep ------------------------------------------------------------------------------


def test_the_sweep_waits_for_a_decision_asked_for_in_time_then_escalates(county, accepted):
    deadline = accepted.deadline
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=2)
    result = sweep_deadlines(now=deadline + dt.timedelta(hours=1))
    assert result.escalated == 0
    assert fresh(accepted).current_unit_id == county.village_unit.pk
    actions.refuse_extension(actor=county.operator, case=accepted, reason="不同意")
    result = sweep_deadlines(now=deadline + dt.timedelta(hours=2))
    assert result.escalated == 1
    assert fresh(accepted).current_unit_id == county.township_unit.pk


def test_a_granted_extension_keeps_the_case_from_the_sweep_until_the_new_deadline(county, accepted):
    deadline = accepted.deadline
    asked = actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=2)
    actions.grant_extension(actor=county.operator, case=accepted)
    assert sweep_deadlines(now=deadline + dt.timedelta(hours=1)).escalated == 0
    assert sweep_deadlines(now=asked.requested_deadline + dt.timedelta(minutes=1)).escalated == 1


# --- through the pages ----------------------------------------------------------------------


def test_request_on_the_case_page_then_grant_from_the_operators_list(county, accepted):
    handler = login(county.handler)
    page = handler.get(reverse("staff:case", args=[accepted.pk])).content.decode()
    assert reverse("staff:act", args=[accepted.pk, "extend"]) in page
    response = handler.post(
        reverse("staff:act", args=[accepted.pk, "extend"]),
        {"reason": REASON, "days": "3", "expected_version": fresh(accepted).version},
    )
    assert response.status_code == 302
    asked = Extension.objects.get(case=accepted)

    operator = login(county.operator)
    triage = operator.get(reverse("staff:triage")).content.decode()
    assert "extension-requests" in triage
    assert accepted.tracking_code in triage
    assert REASON in triage
    supervisor = login(county.supervisor).get(reverse("staff:supervise")).content.decode()
    assert accepted.tracking_code in supervisor

    page = operator.get(reverse("staff:case", args=[accepted.pk])).content.decode()
    assert reverse("staff:act", args=[accepted.pk, "grant_extension"]) in page
    response = operator.post(
        reverse("staff:act", args=[accepted.pk, "grant_extension"]),
        {"expected_version": fresh(accepted).version},
    )
    assert response.status_code == 302
    assert fresh(accepted).deadline == asked.requested_deadline
    assert "extension-requests" not in operator.get(reverse("staff:triage")).content.decode()


def test_the_handler_cannot_grant_through_the_page(county, accepted):
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=3)
    response = login(county.handler).post(
        reverse("staff:act", args=[accepted.pk, "grant_extension"]), {}
    )
    assert response.status_code == 403
    assert fresh(accepted).deadline == accepted.deadline


def test_the_resident_sees_the_new_deadline_but_not_the_reasons(county, accepted, client):
    actions.request_extension(actor=county.handler, case=accepted, reason=REASON, days=3)
    actions.grant_extension(actor=county.operator, case=accepted, note="局长同意了")
    case = fresh(accepted)
    resident = Client(HTTP_ACCEPT_LANGUAGE="en")
    resident.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chose English on the page
    page = resident.get(reverse("intake:case", args=[case.tracking_code]))
    html = page.content.decode()
    assert "deadline extended" in html
    local = timezone.localtime(case.deadline, TZ)
    assert f"{local.date() - dt.timedelta(days=1):%Y-%m-%d}" in html or f"{local:%Y-%m-%d}" in html
    assert REASON not in html
    assert "局长同意了" not in html
    assert "more time requested" not in html
