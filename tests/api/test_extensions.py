"""The extension endpoints: the holding unit asks, operators list and decide."""

from __future__ import annotations

from minsheng.cases import actions

REASON = "水泵配件要从县里调，施工队周四才能到"


def _accepted(county, submit):  # type: ignore[no-untyped-def]
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    return case


def test_the_api_asks_lists_and_grants(county, submit, api_as):
    accepted = _accepted(county, submit)
    url = f"/api/cases/{accepted.pk}/extension"
    body = api_as(county.handler).post(url, {"reason": REASON, "days": 2})
    assert body.status_code == 200, body.content
    assert body.json()["pending_extension"]["reason"] == REASON
    assert "grant_extension" not in body.json()["allowed_actions"]

    listed = api_as(county.operator).get("/api/extensions").json()
    assert [x["case"]["tracking_code"] for x in listed] == [accepted.tracking_code]

    refused = api_as(county.handler).post(url + "/grant", {})
    assert refused.status_code == 403
    granted = api_as(county.operator).post(url + "/grant", {"note": "同意"})
    assert granted.status_code == 200, granted.content
    assert granted.json()["extension_count"] == 1
    assert granted.json()["pending_extension"] is None
    assert granted.json()["deadline"] != body.json()["deadline"]
