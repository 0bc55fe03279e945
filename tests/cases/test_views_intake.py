"""Operator intake of phone calls, visits and meetings, and the full walk through HTTP."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from minsheng.cases.models import Case, Channel, EventKind, Status
from minsheng.contacts.models import Contact


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def intake_data(county, **overrides) -> dict:  # type: ignore[no-untyped-def]
    data = {
        "channel": Channel.PHONE,
        "area": county.village.pk,
        "category": county.roads.pk,
        "title": "柳树村三组道路塌陷",
        "description": "村民来电：柳树村三组的村道从昨天起塌了一个大坑。",
        "contact_name": "李大爷",
        "contact_phone": "13900001111",
        "priority": "normal",
        "submission_key": "test-key-1",
    }
    data.update(overrides)
    return data


def test_intake_form_defaults_to_phone_and_groups_villages_by_township(county):
    html = login(county.operator).get(reverse("staff:intake")).content.decode()
    assert re.search(r'<input type="radio" name="channel" value="phone"[^>]* checked>', html)
    assert not re.search(r'<input type="radio" name="channel" value="visit"[^>]* checked>', html)
    assert '<optgroup label="东湖镇">' in html
    assert '<optgroup label="西山乡">' in html
    assert 'name="submission_key"' in html


def test_operator_records_a_call_and_lands_on_the_case_with_dispatch_form(county):
    response = login(county.operator).post(reverse("staff:intake"), intake_data(county))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:case", args=[case.pk])
    assert case.channel == Channel.PHONE
    assert case.created_by == county.operator
    assert case.status == Status.SUBMITTED
    assert Contact.objects.get(case=case).has_details
    page = login(county.operator).get(response["Location"]).content.decode()
    assert f'<option value="{county.village_unit.pk}" selected>' in page


def test_double_submit_makes_one_case(county):
    client = login(county.operator)
    first = client.post(reverse("staff:intake"), intake_data(county))
    second = client.post(reverse("staff:intake"), intake_data(county))
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_supervisor_cannot_record_outside_their_township(county):
    client = login(county.supervisor)
    html = client.get(reverse("staff:intake")).content.decode()
    assert "柳树村" in html and "石门村" not in html
    response = client.post(
        reverse("staff:intake"), intake_data(county, area=county.other_village.pk)
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_invalid_phone_is_shown_on_the_form_and_nothing_is_saved(county):
    response = login(county.operator).post(
        reverse("staff:intake"), intake_data(county, contact_phone="call me")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The phone number is not valid." in html
    assert not Case.objects.exists()
    # what was typed stays on the form
    assert "村民来电" in html


def test_description_is_required(county):
    response = login(county.operator).post(
        reverse("staff:intake"), intake_data(county, description="")
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_work_team_member_records_for_own_village(county):
    response = login(county.handler).post(
        reverse("staff:intake"), intake_data(county, channel=Channel.VISIT)
    )
    case = Case.objects.get()
    assert case.channel == Channel.VISIT
    # the new case waits for dispatch, so it is not yet in the handler's sight
    assert response["Location"] == reverse("staff:intake")


def test_full_walk_from_phone_call_to_rated_close(county):
    operator, handler = login(county.operator), login(county.handler)

    response = operator.post(reverse("staff:intake"), intake_data(county))
    case = Case.objects.get()
    case_url = response["Location"]

    def post(client: Client, action: str, **data) -> None:  # type: ignore[no-untyped-def]
        case.refresh_from_db()
        response = client.post(
            reverse("staff:act", args=[case.pk, action]),
            {"expected_version": case.version, **data},
        )
        assert response.status_code == 302, response.content.decode()[-2000:]

    post(operator, "dispatch", unit=county.village_unit.pk)
    assert case.tracking_code in handler.get(reverse("staff:queue")).content.decode()
    post(handler, "accept")
    post(handler, "note", note="已通知水厂检修", is_public="on")
    revealed = handler.post(reverse("staff:reveal_contact", args=[case.pk])).content.decode()
    assert "13900001111" in revealed
    post(handler, "resolve", resolution="水管已更换，恢复供水")
    post(operator, "rate", rating="5", is_solved="yes", comment="很满意")

    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert list(case.events.values_list("kind", flat=True)) == [
        EventKind.SUBMITTED,
        EventKind.DISPATCHED,
        EventKind.ACCEPTED,
        EventKind.NOTE,
        EventKind.CONTACT_REVEALED,
        EventKind.RESOLVED,
        EventKind.RATED,
        EventKind.CLOSED,
    ]
    page = operator.get(case_url).content.decode()
    assert "水管已更换" in page and "Rating: 5 / 5" in page
