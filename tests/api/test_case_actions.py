"""Staff case endpoints: record, read, every action, and how each refuses."""

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case, Event, EventKind

PHONE = "13912345678"


def url(case, action=""):  # type: ignore[no-untyped-def]
    return f"/api/cases/{case.pk}" + (f"/{action}" if action else "")


def ok(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return response.json()


def refused(response, status, code, field=None):  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["field"] == field
    assert body["detail"]
    return body


def unchanged(case):  # type: ignore[no-untyped-def]
    fresh = Case.objects.get(pk=case.pk)
    return fresh.version == case.version and fresh.status == case.status


# --- recording ---------------------------------------------------------------------------


def test_operator_records_a_phone_call_by_area_and_category_codes(county, api_as):
    response = api_as(county.operator).post(
        "/api/cases",
        {
            "description": "石门村的路被冲毁了",
            "area": "V2",
            "category": "roads",
            "contact_name": "李四",
            "contact_phone": PHONE,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["channel"] == "phone"
    assert body["area"]["code"] == "V2" and body["category"]["code"] == "roads"
    assert body["has_contact"] is True
    assert PHONE.encode() not in response.content
    assert Case.objects.get(pk=body["id"]).created_by == county.operator


def test_work_team_records_for_its_own_village_but_not_another(county, api_as):
    api = api_as(county.handler)
    assert api.post("/api/cases", {"description": "路灯坏了", "area": "V1"}).status_code == 201
    refused(api.post("/api/cases", {"description": "路灯坏了", "area": "V2"}), 403, "NotPermitted")


def test_recording_with_a_bad_phone_names_the_field(county, api_as):
    response = api_as(county.operator).post(
        "/api/cases", {"description": "水管破了", "area": "V1", "contact_phone": "call me"}
    )
    refused(response, 400, "InvalidInput", field="contact_phone")
    assert not Case.objects.exists()


def test_recording_in_an_unknown_area_names_the_field(county, api_as):
    response = api_as(county.operator).post("/api/cases", {"description": "x", "area": "NOPE"})
    refused(response, 400, "InvalidInput", field="area")


def test_an_unknown_area_is_reported_with_every_other_problem_and_nothing_is_kept(county, api_as):
    before = Case.objects.count()
    response = api_as(county.operator).post(
        "/api/cases",
        {"description": " ", "area": "NOPE", "category": "nonsense", "contact_phone": "12"},
    )
    body = refused(response, 400, "InvalidInput", field="category")
    fields = {problem["field"] for problem in body["also"]}
    assert {"area", "description", "contact_phone"} <= fields
    # A good area with an unknown category: the case is not recorded as "other" instead.
    response = api_as(county.operator).post(
        "/api/cases", {"description": "路灯坏了", "area": "V1", "category": "nonsense"}
    )
    refused(response, 400, "InvalidInput", field="category")
    assert Case.objects.count() == before


def test_recording_without_description_is_a_validation_error(county, api_as):
    response = api_as(county.operator).post("/api/cases", {"area": "V1"})
    body = refused(response, 422, "InvalidRequest", field="description")
    assert body["errors"][0]["location"] == "body"


def test_schema_problems_are_told_in_the_readers_language(county, api_as):
    response = api_as(county.operator, language="zh-hans").post(
        "/api/cases", {"area": "V1", "channel": "fax"}
    )
    assert response.status_code == 422
    body = response.json()
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert messages["description"] == "此项为必填项。"
    assert messages["channel"].startswith("请从以下选项中选择：")
    assert "'web'" in messages["channel"]


def test_body_that_is_not_json_is_refused_clearly(county, api_as):
    api = api_as(county.operator)
    response = api.client.post(
        "/api/cases", "{not json", content_type="application/json", headers=api.headers
    )
    refused(response, 422, "InvalidRequest")


def test_repeated_submission_key_returns_the_same_case(county, api_as):
    api = api_as(county.operator)
    body = {"description": "水管破了", "area": "V1", "submission_key": "desk3-0001"}
    first = api.post("/api/cases", body).json()
    second = api.post("/api/cases", body).json()
    assert first["tracking_code"] == second["tracking_code"]
    assert Case.objects.count() == 1


# --- reading -----------------------------------------------------------------------------


def test_detail_shows_version_operator_actions_and_routing_proposal(county, api_as, submit):
    case = submit(contact_phone=PHONE)
    response = api_as(county.operator).get(url(case))
    body = ok(response)
    assert body["version"] == case.version
    assert body["allowed_actions"] == ["dispatch", "merge", "decline", "withdraw"]
    assert body["proposed_unit"]["id"] == county.village_unit.pk
    assert PHONE.encode() not in response.content


def test_detail_shows_the_holding_handler_what_they_may_do(county, api_as, dispatched):
    case = dispatched(contact_phone=PHONE)
    response = api_as(county.handler).get(url(case))
    body = ok(response)
    assert body["allowed_actions"] == ["accept", "escalate", "return", "merge", "reveal_contact"]
    assert body["proposed_unit"] is None
    assert PHONE.encode() not in response.content


def test_case_outside_the_users_scope_is_not_found(county, api_as, dispatched):
    case = dispatched()
    refused(api_as(county.other_handler).get(url(case)), 404, "NotFound")
    refused(api_as(county.other_handler).get(url(case, "events")), 404, "NotFound")
    refused(api_as(county.operator).get("/api/cases/999999"), 404, "NotFound")


def test_staff_timeline_includes_internal_notes_and_who_wrote_them(county, api_as, accepted):
    case = accepted()
    actions.add_note(actor=county.handler, case=case, note="内部：等材料", is_public=False)
    events = ok(api_as(county.supervisor).get(url(case, "events")))
    assert [e["kind"] for e in events] == ["submitted", "dispatched", "accepted", "note"]
    assert events[-1]["is_public"] is False
    assert events[-1]["actor"]["username"] == "handler"


# --- actions: happy paths ----------------------------------------------------------------


def test_operator_dispatches_by_unit_code(county, api_as, submit):
    case = submit()
    body = ok(
        api_as(county.operator).post(
            url(case, "dispatch"), {"unit": county.village_unit.code, "expected_version": 1}
        )
    )
    assert body["status"] == "dispatched"
    assert body["current_unit"]["id"] == county.village_unit.pk
    assert body["version"] == case.version + 1
    assert body["deadline"] is not None


def test_operator_corrects_the_category_by_its_code_while_dispatching(county, api_as, submit):
    case = submit(category=None)
    body = ok(
        api_as(county.operator).post(
            url(case, "dispatch"),
            {"unit": county.county_unit.code, "category": "water", "expected_version": 1},
        )
    )
    assert body["category"]["code"] == "water"
    case.refresh_from_db()
    assert case.category == county.water


def test_handler_accepts_with_an_empty_body(county, api_as, dispatched):
    case = dispatched()
    assert ok(api_as(county.handler).post(url(case, "accept")))["status"] == "accepted"


def test_first_note_moves_the_case_in_progress(county, api_as, accepted):
    case = accepted()
    body = ok(api_as(county.handler).post(url(case, "notes"), {"note": "已联系施工队"}))
    assert body["status"] == "in_progress"
    assert Event.objects.filter(case=case, kind=EventKind.NOTE, note="已联系施工队").exists()


def test_handler_returns_a_misrouted_case_and_still_gets_the_result(county, api_as, dispatched):
    case = dispatched()
    body = ok(api_as(county.handler).post(url(case, "return"), {"reason": "不归本村管"}))
    assert body["status"] == "returned"
    assert body["current_unit"] is None
    assert body["allowed_actions"] == []


def test_handler_escalates_to_the_township(county, api_as, dispatched):
    case = dispatched()
    body = ok(api_as(county.handler).post(url(case, "escalate"), {"reason": "需要镇里协调"}))
    assert body["status"] == "escalated"
    assert body["current_unit"]["id"] == county.township_unit.pk


def test_handler_resolves_an_accepted_case(county, api_as, accepted):
    case = accepted()
    body = ok(api_as(county.handler).post(url(case, "resolve"), {"resolution": "已修好"}))
    assert body["status"] == "resolved"
    assert body["resolution"] == "已修好"


@pytest.mark.parametrize(
    ("rating", "solved", "status"), [(5, True, "closed"), (2, True, "reopened")]
)
def test_call_back_rating_closes_or_reopens(county, api_as, accepted, rating, solved, status):
    case = actions.resolve_case(actor=county.handler, case=accepted(), resolution="已修好")
    body = ok(
        api_as(county.operator).post(
            url(case, "rating"), {"rating": rating, "is_solved": solved, "comment": "回访"}
        )
    )
    assert body["status"] == status


def test_operator_merges_a_duplicate_into_a_tracking_code(county, api_as, submit):
    survivor, duplicate = submit(), submit()
    body = ok(
        api_as(county.operator).post(url(duplicate, "merge"), {"into": survivor.tracking_code})
    )
    assert body["status"] == "merged"
    assert body["merged_into"] == {"id": survivor.pk, "tracking_code": survivor.tracking_code}


def test_operator_declines_a_request_about_a_person(county, api_as, submit):
    case = submit()
    body = ok(api_as(county.operator).post(url(case, "decline"), {"reason": "不属于公共服务"}))
    assert body["status"] == "declined"


def test_operator_withdraws_on_the_residents_behalf(county, api_as, submit):
    case = submit()
    body = ok(api_as(county.operator).post(url(case, "withdraw"), {"reason": "居民来电撤回"}))
    assert body["status"] == "withdrawn"


# --- actions: refusals -------------------------------------------------------------------


def test_operator_cannot_accept_for_a_unit(county, api_as, dispatched):
    case = dispatched()
    refused(api_as(county.operator).post(url(case, "accept")), 403, "NotPermitted")
    assert unchanged(case)


def test_handler_cannot_decline(county, api_as, dispatched):
    case = dispatched()
    refused(api_as(county.handler).post(url(case, "decline"), {"reason": "x"}), 403, "NotPermitted")
    assert unchanged(case)


def test_handler_of_another_unit_cannot_find_the_case_to_act(county, api_as, dispatched):
    case = dispatched()
    refused(api_as(county.other_handler).post(url(case, "accept")), 404, "NotFound")
    assert unchanged(case)


def test_stale_version_is_refused_with_409(county, api_as, dispatched):
    case = dispatched()
    response = api_as(county.handler).post(url(case, "accept"), {"expected_version": 1})
    refused(response, 409, "StaleCase")
    assert unchanged(case)


def test_invalid_transition_is_refused_with_409(county, api_as, dispatched):
    case = dispatched()
    response = api_as(county.handler).post(url(case, "resolve"), {"resolution": "已修好"})
    body = refused(response, 409, "InvalidTransition")
    assert "is not possible for a case that is" in body["detail"]
    assert unchanged(case)


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("return", {"reason": "   "}, "reason"),
        ("escalate", {"reason": ""}, "reason"),
        ("notes", {"note": ""}, "note"),
        ("resolve", {"resolution": " "}, "resolution"),
        ("merge", {"into": "MSXXXXXXXX"}, "into"),
    ],
)
def test_bad_input_is_refused_with_the_field(
    county, api_as, dispatched, accepted, action, body, field
):
    case = accepted() if action in ("notes", "resolve") else dispatched()
    response = api_as(county.handler).post(url(case, action), body)
    refused(response, 400, "InvalidInput", field=field)
    assert unchanged(case)


def test_unknown_unit_is_refused_with_the_field(county, api_as, submit):
    case = submit()
    response = api_as(county.operator).post(url(case, "dispatch"), {"unit": "NO-SUCH-UNIT"})
    refused(response, 400, "InvalidInput", field="unit")
    assert unchanged(case)


def test_rating_out_of_range_is_refused_with_the_field(county, api_as, accepted):
    case = actions.resolve_case(actor=county.handler, case=accepted(), resolution="已修好")
    response = api_as(county.operator).post(url(case, "rating"), {"rating": 9, "is_solved": True})
    refused(response, 400, "InvalidInput", field="rating")
    assert unchanged(case)


def test_rating_that_is_not_a_number_is_a_validation_error(county, api_as, accepted):
    case = accepted()
    response = api_as(county.handler).post(url(case, "rating"), {"rating": "good", "is_solved": 1})
    refused(response, 422, "InvalidRequest", field="rating")


# --- contact details ---------------------------------------------------------------------


def test_holding_unit_reveals_contact_uncached_and_audited(county, api_as, dispatched):
    case = dispatched(contact_name="王秀英", contact_phone=PHONE)
    response = api_as(county.handler).post(url(case, "contact/reveal"), {"reason": "回访"})
    assert ok(response) == {"name": "王秀英", "phone": PHONE}
    assert response["Cache-Control"] == "no-store"
    audit = Event.objects.get(case=case, kind=EventKind.CONTACT_REVEALED)
    assert audit.actor == county.handler and audit.is_public is False


def test_operator_may_not_reveal_contact(county, api_as, dispatched):
    case = dispatched(contact_phone=PHONE)
    response = api_as(county.operator).post(url(case, "contact/reveal"), {"reason": "想看"})
    refused(response, 403, "NotPermitted")
    assert PHONE.encode() not in response.content
    assert not Event.objects.filter(case=case, kind=EventKind.CONTACT_REVEALED).exists()


def test_no_reveal_once_the_case_is_withdrawn(county, api_as, dispatched):
    case = dispatched(contact_phone=PHONE)
    actions.withdraw_case(actor=actions.RESIDENT, case=case, reason="不需要了")
    api = api_as(county.handler)
    assert "reveal_contact" not in ok(api.get(url(case)))["allowed_actions"]
    response = api.post(url(case, "contact/reveal"), {"reason": "回访"})
    refused(response, 403, "NotPermitted")
    assert PHONE.encode() not in response.content


def test_other_unit_cannot_reach_the_reveal(county, api_as, dispatched):
    case = dispatched(contact_phone=PHONE)
    refused(api_as(county.other_handler).post(url(case, "contact/reveal"), {}), 404, "NotFound")


def test_no_contact_details_in_any_staff_response_but_the_reveal(county, api_as, accepted):
    case = accepted(contact_name="王秀英", contact_phone=PHONE)
    api = api_as(county.handler)
    responses = [
        api.get("/api/cases"),
        api.get(url(case)),
        api.get(url(case, "events")),
        api.post(url(case, "notes"), {"note": "已处理中"}),
    ]
    api.post(url(case, "contact/reveal"), {"reason": "回访"})
    responses.append(api.get(url(case, "events")))
    for response in responses:
        assert response.status_code == 200
        assert PHONE.encode() not in response.content
        assert "王秀英".encode() not in response.content


def test_true_is_not_an_id_and_changes_nothing(county, api_as, submit):
    case = submit()
    response = api_as(county.operator).post(
        url(case, "dispatch"), {"unit": True, "expected_version": 1}
    )
    assert response.status_code in (400, 422)
    case.refresh_from_db()
    assert case.status == "submitted" and case.current_unit is None
