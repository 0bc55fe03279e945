"""GET requests and requests/{id}: fields, filters, windows, paging, extensions, privacy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel
from minsheng.directory.models import Unit
from minsheng.open311.models import CaseAttributeValue, Submission
from tests.open311.conftest import as_text

W3C_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


@pytest.fixture
def histories(county, submit):  # type: ignore[no-untyped-def]
    """One case in each kind of state, newest last."""
    op, handler = county.operator, county.handler
    submitted = submit(title="新提交", category=county.water)
    dispatched = actions.dispatch_case(actor=op, case=submit(), unit=county.village_unit)
    resolved = actions.dispatch_case(actor=op, case=submit(), unit=county.village_unit)
    actions.accept_case(actor=handler, case=resolved)
    actions.resolve_case(actor=handler, case=resolved, resolution="路面已修补")
    declined = actions.decline_case(actor=op, case=submit(), reason="不属于公共服务")
    merged = actions.merge_case(actor=op, case=submit(), into=dispatched)
    return {
        name: Case.objects.get(pk=c.pk)
        for name, c in {
            "submitted": submitted,
            "dispatched": dispatched,
            "resolved": resolved,
            "declined": declined,
            "merged": merged,
        }.items()
    }


def ids(document: list) -> list[str]:
    return [r["service_request_id"] for r in document]


def test_requests_are_the_same_in_xml_and_json(o311, histories):
    xml, js = o311.both("requests")
    assert len(js) == 5
    assert xml == as_text(js)


def test_requests_validate_against_the_published_schema(o311, histories, schema_validator):
    schema_validator(o311.get("requests").json(), "requests.json")
    one = histories["resolved"].pk
    schema_validator(o311.get(f"requests/{one}").json(), "requests.json")


def test_status_is_open_or_closed_and_resolved_counts_as_closed(o311, histories):
    by_id = {r["service_request_id"]: r for r in o311.get("requests").json()}
    status = {name: by_id[str(c.pk)]["status"] for name, c in histories.items()}
    assert status == {
        "submitted": "open",
        "dispatched": "open",
        "resolved": "closed",
        "declined": "closed",
        "merged": "closed",
    }
    notes = {name: by_id[str(c.pk)]["status_notes"] for name, c in histories.items()}
    assert notes["resolved"] == "路面已修补"
    # A declined request may be about a person: its reason (which can repeat it) is told to
    # the resident holding the code, not published.
    assert notes["declined"] is None
    assert str(histories["dispatched"].pk) in notes["merged"]
    assert notes["submitted"] is None


def test_a_single_request_has_the_cases_deadline_and_w3c_times(o311, county, histories):
    case = histories["dispatched"]
    xml, js = o311.both(f"requests/{case.pk}")
    assert xml == as_text(js)
    (request,) = js
    assert request["service_code"] == "roads"
    assert request["service_name"] == "Roads and transport"
    assert request["agency_responsible"] == county.village_unit.name
    assert request["address_id"] == "V1"
    assert request["address"] == "柳树村, 东湖镇, 青河县"
    expected = dt.datetime.fromisoformat(request["expected_datetime"])
    assert expected == case.deadline.replace(microsecond=0)
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C_WITH_OFFSET.match(request[field]), request[field]
    assert request["requested_datetime"].endswith("+08:00")


def test_a_closed_requests_updated_datetime_is_when_it_was_closed(o311, histories):
    case = histories["declined"]
    (request,) = o311.get(f"requests/{case.pk}").json()
    assert dt.datetime.fromisoformat(request["updated_datetime"]) == case.closed_at.replace(
        microsecond=0
    )


@pytest.mark.parametrize("fmt", ["xml", "json"])
@pytest.mark.parametrize("request_id", ["999999", "abc"])
def test_an_unknown_request_id_is_404(o311, db, fmt, request_id):
    response = o311.get(f"requests/{request_id}", fmt)
    assert response.status_code == 404
    assert request_id in o311.parse(response)[0]["description"]


def test_a_list_of_ids_overrides_every_other_filter(o311, histories):
    old = histories["submitted"]
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    wanted = f"{old.pk},{histories['resolved'].pk}"
    document = o311.get(
        "requests", service_request_id=wanted, status="open", service_code="health"
    ).json()
    assert sorted(ids(document)) == sorted([str(old.pk), str(histories["resolved"].pk)])


def test_bad_ids_in_the_list_are_400(o311, histories):
    response = o311.get("requests", service_request_id="1,two")
    assert response.status_code == 400


def test_service_codes_filter_as_a_comma_list(o311, county, histories, submit):
    health = submit(category=county.water.__class__.objects.get(code="health"))
    document = o311.get("requests", service_code="water,health").json()
    assert sorted(ids(document)) == sorted([str(histories["submitted"].pk), str(health.pk)])


def test_status_filters_as_a_comma_list(o311, histories):
    open_ids = ids(o311.get("requests", status="open").json())
    assert sorted(open_ids) == sorted(
        [str(histories["submitted"].pk), str(histories["dispatched"].pk)]
    )
    assert len(o311.get("requests", status="open,closed").json()) == 5
    assert o311.get("requests", status="pending").status_code == 400


def test_by_default_only_the_last_90_days_are_listed(o311, histories):
    old = histories["submitted"]
    raised = timezone.now() - dt.timedelta(days=100)
    Case.objects.filter(pk=old.pk).update(created_at=raised)
    assert str(old.pk) not in ids(o311.get("requests").json())
    start = (raised - dt.timedelta(days=1)).isoformat(timespec="seconds")
    end = (raised + dt.timedelta(days=1)).isoformat(timespec="seconds")
    assert ids(o311.get("requests", start_date=start, end_date=end).json()) == [str(old.pk)]
    # start_date alone reaches 90 days forward from it
    assert str(old.pk) in ids(o311.get("requests", start_date=start).json())


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_window_longer_than_90_days_is_400(o311, db, fmt):
    response = o311.get(
        "requests", fmt, start_date="2026-01-01T00:00:00+08:00", end_date="2026-04-02T00:00:00Z"
    )
    assert response.status_code == 400
    assert "90" in o311.parse(response)[0]["description"]


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"},
        {"page_size": "1001"},
        {"page": "0"},
    ],
)
def test_malformed_search_parameters_are_400(o311, db, params):
    response = o311.get("requests", **params)
    assert response.status_code == 400


def test_empty_optional_parameters_change_nothing(o311, histories):
    plain = o311.get("requests").json()
    empty = o311.get(
        "requests",
        service_request_id="",
        service_code="",
        status="",
        start_date="",
        end_date="",
        page="",
        page_size="",
        extensions="",
        jurisdiction_id="",
        api_key="",
    ).json()
    assert empty == plain


def test_at_most_1000_requests_come_back_and_pages_reach_the_rest(o311, county):
    now = timezone.now()
    Case.objects.bulk_create(
        Case(
            title=f"路灯不亮 {i}",
            description="路灯不亮",
            category=county.roads,
            area=county.village,
            area_path=county.village.path,
            channel=Channel.WEB,
            tracking_code=f"MSBULK{i:04d}",
            created_at=now - dt.timedelta(minutes=i),
        )
        for i in range(1001)
    )
    first = o311.get("requests").json()
    assert len(first) == 1000
    second = o311.get("requests", page="2").json()
    assert len(second) == 1
    assert second[0]["service_request_id"] not in set(ids(first))
    small = o311.get("requests", page="3", page_size="10").json()
    assert ids(small) == ids(first)[20:30]


def test_the_search_costs_the_same_queries_however_many_cases_exist(o311, county, submit):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert o311.get("requests", status="open", service_code="roads").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        submit()
    few = queries()
    for _ in range(12):
        submit()
    assert queries() == few


def test_the_search_limits_rows_in_the_database(o311, county, submit):
    submit()
    with CaptureQueriesContext(connection) as ctx:
        o311.get("requests", status="open", page_size="5")
    case_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert case_queries and all("LIMIT 5" in sql for sql in case_queries)


def test_the_date_window_uses_the_created_at_index(county, submit):
    if connection.vendor != "sqlite":
        pytest.skip("plans of a near-empty PostgreSQL table prefer sequential scans")
    from minsheng.open311 import selectors

    submit()
    now = timezone.now()
    qs = Case.objects.filter(created_at__gte=now - dt.timedelta(days=90), created_at__lte=now)
    plan = qs.order_by("-created_at").explain()
    assert "created_at" in plan and "INDEX" in plan.upper()
    assert selectors.search_requests(start=now - dt.timedelta(days=90), end=now)


def test_descriptions_are_redacted_and_the_residents_own_details_masked(o311, county, submit):
    case = submit(
        description="我是王小明，电话13912345678，身份证110101199003071234，水管破了",
        contact_name="王小明",
        contact_phone="13912345678",
    )
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    for fmt in ("xml", "json"):
        body = o311.get(f"requests/{case.pk}", fmt, extensions="true").content.decode()
        assert "水管破了" in body
        for secret in ("王小明", "13912345678", "110101199003071234"):
            assert secret not in body


def test_extensions_add_attributes_extended_attributes_and_public_notes(
    o311, county, partner, water_questions
):
    body = {
        "api_key": partner[1],
        "service_code": "water",
        "address_id": "V1",
        "description": "停水了",
        "attribute[houses]": "12",
        "attribute[source]": "well",
        "attribute[uses][]": ["drink", "farm"],
    }
    service_request_id = o311.post("requests", "json", body).json()[0]["service_request_id"]
    case = Case.objects.get(pk=int(service_request_id))
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="维修队已出发")
    actions.add_note(actor=county.handler, case=case, note="内部：材料费待批", is_public=False)
    actions.escalate_case(actor=county.handler, case=case, reason="需要镇里协调")

    xml, js = o311.both(f"requests/{case.pk}", extensions="true")
    assert xml == as_text(js)
    (request,) = js
    attributes = {a["code"]: a["values"] for a in request["attributes"]}
    assert attributes == {"houses": ["12"], "source": ["well"], "uses": ["drink", "farm"]}
    extended = request["extended_attributes"]
    assert extended["channel"] == "api"
    assert extended["minsheng_status"] == "escalated"
    assert extended["current_unit"] == county.township_unit.name
    assert extended["escalation_count"] == 1
    assert extended["tracking_code"] is None  # not asked with the submitting partner's key
    notes = [n["description"] for n in request["notes"]]
    assert "维修队已出发" in notes
    assert "需要镇里协调" not in notes  # why it was escalated stays among staff
    assert "内部：材料费待批" not in notes
    assert [n["type"] for n in request["notes"]][:3] == ["submitted", "dispatched", "accepted"]


def test_only_the_submitting_partner_sees_the_tracking_code(o311, county, partner, crm):
    body = {"api_key": partner[1], "service_code": "roads", "address_id": "V1", "description": "坑"}
    service_request_id = o311.post("requests", "json", body).json()[0]["service_request_id"]
    case = Case.objects.get(pk=int(service_request_id))
    assert Submission.objects.filter(case=case).exists()

    def tracking_code(**params: str) -> object:
        (request,) = o311.get(f"requests/{case.pk}", extensions="true", **params).json()
        return request["extended_attributes"]["tracking_code"]

    assert tracking_code(api_key=partner[1]) == case.tracking_code
    assert tracking_code(api_key=crm[1]) is None
    assert tracking_code() is None
    assert case.tracking_code.encode() not in o311.get("requests", "xml").content


def test_without_extensions_no_extension_fields_appear(o311, histories):
    (request,) = o311.get(f"requests/{histories['dispatched'].pk}").json()
    assert not {"attributes", "extended_attributes", "notes"} & set(request)
    assert not CaseAttributeValue.objects.exists()


def test_no_tracking_code_is_ever_published_in_requests(o311, histories):
    body = o311.get("requests", "xml", extensions="true").content.decode()
    for case in histories.values():
        assert case.tracking_code not in body


@pytest.mark.parametrize("request_id", ["99999999999999999999999", "²", "١٢"])
def test_ids_no_case_can_have_are_404_not_a_crash(o311, db, request_id):
    assert o311.get(f"requests/{request_id}").status_code == 404
    assert o311.get("requests", service_request_id=request_id).status_code == 400


@pytest.mark.parametrize("params", [{"page": "²"}, {"page_size": "٣"}, {"page": "9" * 30}])
def test_odd_numbers_in_paging_are_400_not_a_crash(o311, db, params):
    assert o311.get("requests", **params).status_code == 400


def test_what_a_resident_writes_when_rating_stays_off_the_open_feed(o311, county, submit):  # type: ignore[no-untyped-def]
    case = submit(description="路灯坏了")
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit, note="速办")
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已更换灯泡")
    actions.rate_case(
        actor=actions.RESIDENT, case=case, rating=2, is_solved=False, comment="还是不亮，赵明"
    )

    (request,) = o311.get(f"requests/{case.pk}", "json", extensions="true").json()
    notes = {n["type"]: n["description"] for n in request["notes"]}
    assert notes["reopened"] == "" and notes["dispatched"] == ""
    assert notes["resolved"] == "已更换灯泡"
    updates = o311.get("servicerequestupdates", "json").json()
    mine = [u for u in updates if u["service_request_id"] == str(case.pk)]
    assert len(mine) >= 4
    assert all("还是不亮" not in (u.get("description") or "") for u in mine)
    # The resident holding the code still reads their own words.
    page = Client().get(f"/track/{case.tracking_code}/").content.decode()
    assert "还是不亮" in page and "速办" not in page


def test_the_responsible_unit_is_named_in_the_readers_language(o311, county, submit):  # type: ignore[no-untyped-def]
    Unit.objects.filter(pk=county.village_unit.pk).update(name_en="Liushu Village Committee")
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    (request,) = o311.get(f"requests/{case.pk}", "json", extensions="true").json()
    assert request["agency_responsible"] == "Liushu Village Committee"
    assert request["extended_attributes"]["current_unit"] == "Liushu Village Committee"


def test_a_declined_request_is_published_without_its_words_or_place(o311, county, submit):  # type: ignore[no-untyped-def]
    # About a person, not a service: declined, and nothing of it may reach the open feed.
    case = submit(
        description="三组李某某家最近老有外地人进出，请去调查",
        address="三组李某某家",
        latitude=40.25,
        longitude=100.25,
    )
    actions.decline_case(actor=county.operator, case=case, reason="反映的是个人，不属于公共服务")

    (request,) = o311.get(f"requests/{case.pk}", "json", extensions="true").json()
    text = str(request)
    assert "李某某" not in text and "调查" not in text and "个人" not in text
    assert request["status"] == "closed" and request["lat"] is None
    assert "not published" in request["description"]
    listed = o311.get("requests", "json").json()
    assert all("李某某" not in str(r) for r in listed)
    updates = o311.get("servicerequestupdates", "json").json()
    mine = [u for u in updates if u["service_request_id"] == str(case.pk)]
    assert mine and all(u["description"] == "" for u in mine)


def test_by_default_open311_covers_the_same_days_as_the_boards_last_90_days(o311, county, submit):
    # The board counted from local midnight 89 days ago, Open311 from this moment 90 days
    # ago: the two "last 90 days" differed by the cases of a few hours.
    from minsheng.insight.board import period_start

    start = period_start("90d")
    inside = submit(title="刚好在窗口里")
    Case.objects.filter(pk=inside.pk).update(created_at=start + dt.timedelta(minutes=1))
    before = submit(title="窗口之前")
    Case.objects.filter(pk=before.pk).update(created_at=start - dt.timedelta(minutes=1))
    for case in (inside, before):
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    ids = {r["service_request_id"] for r in o311.get("requests", "json").json()}
    assert str(inside.pk) in ids and str(before.pk) not in ids
    board = Client().get("/board/cases.csv?period=90d")
    rows = b"".join(board.streaming_content).decode("utf-8-sig")
    assert f"\n{inside.pk}," in rows and f"\n{before.pk}," not in rows
