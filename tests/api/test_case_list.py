"""GET /api/cases: scope per role, filters, keyset pages, and no contact details."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case

PHONE = "13912345678"


def codes(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return {item["tracking_code"] for item in response.json()["items"]}


def test_handler_sees_only_cases_held_by_their_unit(county, api_as, dispatched, submit):
    mine = dispatched()
    waiting = submit()
    elsewhere = actions.dispatch_case(
        actor=county.operator,
        case=submit(area=county.other_village),
        unit=county.other_village_unit,
    )
    listed = codes(api_as(county.handler).get("/api/cases"))
    assert mine.tracking_code in listed
    assert waiting.tracking_code not in listed
    assert elsewhere.tracking_code not in listed


def test_supervisor_sees_their_township_only(county, api_as, submit):
    here = submit()
    there = submit(area=county.other_village)
    assert codes(api_as(county.supervisor).get("/api/cases")) == {here.tracking_code}
    assert codes(api_as(county.other_supervisor).get("/api/cases")) == {there.tracking_code}


def test_operator_sees_the_whole_county(county, api_as, submit):
    cases = {submit().tracking_code, submit(area=county.other_village).tracking_code}
    assert codes(api_as(county.operator).get("/api/cases")) == cases


def test_filter_by_repeated_status(county, api_as, dispatched, submit):
    new = submit()
    sent = dispatched()
    api = api_as(county.operator)
    assert codes(api.get("/api/cases", {"status": ["dispatched"]})) == {sent.tracking_code}
    both = codes(api.get("/api/cases", {"status": ["dispatched", "submitted"]}))
    assert both == {new.tracking_code, sent.tracking_code}


def test_unknown_status_is_a_validation_error_naming_the_field(county, api_as):
    response = api_as(county.operator).get("/api/cases", {"status": "lost"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    assert response.json()["code"] == "InvalidRequest"


def test_overdue_bucket_lists_only_cases_past_their_deadline(county, api_as, dispatched):
    late = dispatched()
    Case.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    on_time = dispatched()
    api = api_as(county.handler)
    assert codes(api.get("/api/cases", {"bucket": "overdue"})) == {late.tracking_code}
    assert codes(api.get("/api/cases", {"bucket": "new"})) == {
        late.tracking_code,
        on_time.tracking_code,
    }


def test_filter_by_area_subtree_category_and_unit(county, api_as, submit, dispatched):
    in_township = submit(category=county.water)
    other = submit(area=county.other_village)
    sent = dispatched()
    api = api_as(county.operator)
    by_area = codes(api.get("/api/cases", {"area": county.township.pk}))
    assert by_area == {in_township.tracking_code, sent.tracking_code}
    assert other.tracking_code not in by_area
    assert codes(api.get("/api/cases", {"category": "water"})) == {in_township.tracking_code}
    assert codes(api.get("/api/cases", {"category": county.water.pk})) == {
        in_township.tracking_code
    }
    assert codes(api.get("/api/cases", {"unit": county.village_unit.pk})) == {sent.tracking_code}


def test_unknown_category_filter_is_bad_input(county, api_as):
    response = api_as(county.operator).get("/api/cases", {"category": "nonsense"})
    assert response.status_code == 400
    assert response.json()["field"] == "category"


def test_search_by_tracking_code_or_title_words(county, api_as, submit):
    lamp = submit(title="路灯不亮", description="村东头路灯坏了")
    pipe = submit(title="水管漏水", description="水管漏水")
    api = api_as(county.operator)
    assert codes(api.get("/api/cases", {"q": "路灯"})) == {lamp.tracking_code}
    assert codes(api.get("/api/cases", {"q": pipe.tracking_code.lower()})) == {pipe.tracking_code}


def test_search_by_the_start_of_a_code_typed_on_a_chinese_keyboard(county, api_as, submit):
    pipe = submit(title="水管漏水", description="水管漏水")
    lamp = submit(title="2号楼路灯不亮", description="2号楼路灯坏了")
    api = api_as(county.operator)
    start = pipe.tracking_code[:6]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in start[:3]) + "-" + start[3:].lower()
    assert pipe.tracking_code in codes(api.get("/api/cases", {"q": full_width}))
    # Words with a digit are words, not the start of every code holding that digit.
    assert codes(api.get("/api/cases", {"q": "2号楼"})) == {lamp.tracking_code}


def test_the_api_refuses_to_search_by_a_phone_number(county, api_as, submit):
    submit(title="路灯不亮，电话13912345678")
    response = api_as(county.operator).get("/api/cases", {"q": "139-1234-5678"})
    assert response.status_code == 400
    assert response.json()["field"] == "q"


def test_pages_walk_every_case_once_newest_first(county, api_as, submit):
    made = [submit().tracking_code for _ in range(7)]
    api = api_as(county.operator)
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = api.get("/api/cases", params).json()
        assert len(body["items"]) <= 3
        seen += [item["tracking_code"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


def test_deadline_pages_put_soonest_first_and_undispatched_last(county, api_as, submit, dispatched):
    waiting = [submit().tracking_code for _ in range(2)]
    sent = [dispatched() for _ in range(3)]
    now = timezone.now()
    for hours, case in zip((5, 1, 3), sent, strict=True):
        Case.objects.filter(pk=case.pk).update(deadline=now + dt.timedelta(hours=hours))
    api = api_as(county.operator)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "ordering": "deadline"} | ({"cursor": cursor} if cursor else {})
        body = api.get("/api/cases", params).json()
        seen += [item["tracking_code"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    by_deadline = [sent[1].tracking_code, sent[2].tracking_code, sent[0].tracking_code]
    assert seen[:3] == by_deadline
    assert sorted(seen[3:]) == sorted(waiting)


def test_limit_above_200_is_refused(county, api_as):
    response = api_as(county.operator).get("/api/cases", {"limit": 500})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


def test_garbled_cursor_is_bad_input(county, api_as):
    response = api_as(county.operator).get("/api/cases", {"cursor": "!!!"})
    assert response.status_code == 400
    assert response.json()["field"] == "cursor"


def test_listing_never_carries_contact_details(county, api_as, submit):
    submit(contact_name="王秀英", contact_phone=PHONE)
    response = api_as(county.operator).get("/api/cases")
    assert response.status_code == 200 and response.json()["items"]
    assert PHONE.encode() not in response.content
    assert "王秀英".encode() not in response.content
    assert b"contact" not in response.content


def test_listing_query_count_does_not_grow_with_the_page(county, api_as, submit, dispatched):
    api = api_as(county.operator)
    api.get("/api/me")  # the token's first use is recorded; keep that write out of the count
    for _ in range(3):
        dispatched(category=county.water)
    with CaptureQueriesContext(connection) as small:
        api.get("/api/cases")
    for _ in range(12):
        dispatched()
        submit(area=county.other_village)
    with CaptureQueriesContext(connection) as large:
        body = api.get("/api/cases").json()
    assert len(body["items"]) == 27
    assert len(large) == len(small)
