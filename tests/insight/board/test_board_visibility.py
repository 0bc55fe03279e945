"""A case staff hid from the board is gone from the board and the CSV, and only operators
and supervisors in scope may hide it, with a reason on record."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.cases import actions
from minsheng.cases.models import Case, Event, EventKind


def staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


@pytest.fixture
def held(county, submit) -> Case:  # type: ignore[no-untyped-def]
    """A case held by the village committee, public so far."""
    case = submit(title="路灯不亮", latitude=39.9, longitude=116.4)
    return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)


def test_operator_hides_a_case_with_a_reason_and_it_is_recorded(county, held):
    response = staff_client(county.operator).post(
        f"/staff/cases/{held.pk}/board/",
        {"hidden": "1", "reason": "涉及个人隐私", "expected_version": held.version},
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.hidden_from_board
    event = Event.objects.get(case=held, kind=EventKind.HIDDEN)
    assert (event.actor, event.note, event.is_public) == (county.operator, "涉及个人隐私", False)


def test_the_case_page_shows_the_state_and_the_reason(county, held):
    actions.set_board_visibility(
        actor=county.operator, case=held, hidden=True, reason="涉及个人隐私"
    )
    html = staff_client(county.supervisor).get(f"/staff/cases/{held.pk}/").content.decode()
    assert '<dd id="board-state">hidden</dd>' in html
    assert "涉及个人隐私" in html
    assert "Show on the public board again" in html


def test_supervisor_shows_a_hidden_case_again(county, held):
    actions.set_board_visibility(actor=county.operator, case=held, hidden=True, reason="核实中")
    response = staff_client(county.supervisor).post(
        f"/staff/cases/{held.pk}/board/", {"hidden": "0", "reason": "已核实，可以公开"}
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert not held.hidden_from_board
    assert Event.objects.get(case=held, kind=EventKind.SHOWN).note == "已核实，可以公开"


def test_the_handler_holding_the_case_may_not_hide_it(county, held):
    client = staff_client(county.handler)
    html = client.get(f"/staff/cases/{held.pk}/").content.decode()
    assert '<dd id="board-state">shown</dd>' in html
    assert "Hide from the public board" not in html
    response = client.post(f"/staff/cases/{held.pk}/board/", {"hidden": "1", "reason": "不想公开"})
    assert response.status_code == 403
    held.refresh_from_db()
    assert not held.hidden_from_board
    assert not Event.objects.filter(case=held, kind=EventKind.HIDDEN).exists()


def test_a_supervisor_of_another_township_cannot_reach_the_case(county, held):
    response = staff_client(county.other_supervisor).post(
        f"/staff/cases/{held.pk}/board/", {"hidden": "1", "reason": "不想公开"}
    )
    assert response.status_code == 404
    held.refresh_from_db()
    assert not held.hidden_from_board


def test_hiding_without_a_reason_is_refused(county, held):
    response = staff_client(county.operator).post(
        f"/staff/cases/{held.pk}/board/", {"hidden": "1", "reason": "  "}
    )
    assert response.status_code == 400
    held.refresh_from_db()
    assert not held.hidden_from_board


def test_a_stale_form_changes_nothing(county, held):
    response = staff_client(county.operator).post(
        f"/staff/cases/{held.pk}/board/",
        {"hidden": "1", "reason": "涉及个人隐私", "expected_version": held.version - 1},
    )
    assert response.status_code == 409
    held.refresh_from_db()
    assert not held.hidden_from_board


def test_a_hidden_case_is_absent_from_every_board_page_the_map_and_the_csv(county, held, submit):
    shown = submit(title="桥面裂缝", latitude=39.8, longitude=116.3)
    client = Client(headers={"accept-language": "en"})
    before = client.get(f"/board/{county.village.code}/").content.decode()
    assert f'id="case-{held.pk}"' in before and "路灯不亮" in before

    actions.set_board_visibility(actor=county.operator, case=held, hidden=True, reason="涉及个人")

    for url in ("/board/", f"/board/{county.township.code}/", f"/board/{county.village.code}/"):
        html = client.get(url).content.decode()
        assert f'id="case-{shown.pk}"' in html
        assert f'id="case-{held.pk}"' not in html, url
        assert "路灯不亮" not in html, url  # not in the list, nor in the map's points
    body = b"".join(client.get("/board/cases.csv").streaming_content).decode("utf-8-sig")
    numbers = [line.split(",")[0] for line in body.splitlines()[1:]]
    assert numbers == [str(shown.pk)]
