"""A case staff hid from the public board is absent from Open311 too: searches, id lists,
single requests and servicerequestupdates."""

from __future__ import annotations

import pytest

from minsheng.cases import actions


@pytest.fixture
def hidden_and_shown(county, dispatched):  # type: ignore[no-untyped-def]
    hidden = dispatched(title="涉及个人的请求")
    shown = dispatched(title="村口路灯不亮")
    actions.accept_case(actor=county.handler, case=hidden)
    actions.set_board_visibility(actor=county.operator, case=hidden, hidden=True, reason="涉及个人")
    return hidden, shown


def test_a_hidden_case_is_not_in_request_searches(o311, hidden_and_shown):
    hidden, shown = hidden_and_shown
    xml, js = o311.both("requests")
    assert [r["service_request_id"] for r in js] == [str(shown.pk)]
    assert [r["service_request_id"] for r in xml] == [str(shown.pk)]


def test_a_hidden_case_is_not_found_by_id(o311, hidden_and_shown):
    hidden, shown = hidden_and_shown
    assert o311.get(f"requests/{hidden.pk}").status_code == 404
    assert o311.get(f"requests/{hidden.pk}", "xml").status_code == 404
    listed = o311.get("requests", service_request_id=f"{hidden.pk},{shown.pk}").json()
    assert [r["service_request_id"] for r in listed] == [str(shown.pk)]


def test_a_hidden_case_has_no_updates(o311, hidden_and_shown):
    hidden, shown = hidden_and_shown
    updates = o311.get("servicerequestupdates").json()
    assert {u["service_request_id"] for u in updates} == {str(shown.pk)}


def test_showing_it_again_brings_it_back(o311, county, hidden_and_shown):
    hidden, shown = hidden_and_shown
    actions.set_board_visibility(actor=county.operator, case=hidden, hidden=False, reason="已核实")
    assert o311.get(f"requests/{hidden.pk}").status_code == 200
    assert str(hidden.pk) in {
        u["service_request_id"] for u in o311.get("servicerequestupdates").json()
    }
