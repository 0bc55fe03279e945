"""mySociety's servicerequestupdates: reading the public timeline, and partner systems
moving cases through the lifecycle."""

from __future__ import annotations

import pytest
from django.utils import timezone

from minsheng.accounts.models import Role
from minsheng.cases import actions
from minsheng.cases.models import Case, Event, EventKind, Status
from minsheng.open311.models import ApiKey
from tests.factories import UserFactory
from tests.open311.conftest import as_text


def statuses(document: list) -> list[str]:
    return [u["status"] for u in document]


def test_updates_list_public_status_changes_with_extended_statuses(o311, county, dispatched):
    case = dispatched()
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="已派人查看")
    actions.add_note(actor=county.handler, case=case, note="内部备注", is_public=False)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    xml, js = o311.both("servicerequestupdates")
    assert xml == as_text(js)
    assert statuses(js) == ["open", "investigating", "in_progress", "fixed"]
    assert {u["service_request_id"] for u in js} == {str(case.pk)}
    assert [u["description"] for u in js][-2:] == ["已派人查看", "已修好"]
    first = js[0]
    assert set(first) == {
        "update_id", "service_request_id", "status", "updated_datetime", "description",
        "media_url",
    }  # fmt: skip
    assert first["updated_datetime"].endswith("+08:00")


def test_updates_are_limited_by_start_and_end_date(o311, county, dispatched):
    case = dispatched()
    between = timezone.localtime().isoformat()
    actions.accept_case(actor=county.handler, case=case)
    assert statuses(o311.get("servicerequestupdates", start_date=between).json()) == [
        "investigating"
    ]
    assert statuses(o311.get("servicerequestupdates", end_date=between).json()) == ["open"]


def test_an_update_window_over_90_days_is_400(o311, db):
    response = o311.get(
        "servicerequestupdates", "xml", start_date="2026-01-01", end_date="2026-06-01"
    )
    assert response.status_code == 400
    assert o311.parse(response)[0]["code"] == "400"


def test_update_text_is_redacted(o311, county, dispatched):
    case = dispatched()
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="请联系 13812345678 或 a@b.cn")
    body = o311.get("servicerequestupdates", "xml").content.decode()
    assert "13812345678" not in body and "a@b.cn" not in body


# --- POST ----------------------------------------------------------------------------------


def post(o311, raw: str, case: Case, status: str, fmt: str = "json", **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "api_key": raw,
        "service_request_id": str(case.pk),
        "status": status,
        "updated_datetime": timezone.localtime().isoformat(timespec="seconds"),
        "description": "",
    }
    data.update(extra)
    return o311.post("servicerequestupdates", fmt, data)


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def operator_key(county):  # type: ignore[no-untyped-def]
    """A county hotline system acting as the operator: it triages."""
    return ApiKey.issue(name="Hotline", user=county.operator)[1]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_work_on_a_dispatched_case_accepts_it_then_adds_the_note(
    o311, county, crm, dispatched, fmt
):
    case = dispatched()
    response = post(o311, crm[1], case, "IN_PROGRESS", fmt, description="维修队已出发")
    assert response.status_code == 200, response.content
    (body,) = o311.parse(response)
    assert set(body) == {"update_id"}
    case = reload(case)
    assert case.status == Status.IN_PROGRESS
    kinds = list(case.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.ACCEPTED, EventKind.NOTE]
    note = case.events.get(kind=EventKind.NOTE)
    assert str(note.pk) == body["update_id"]
    assert note.actor == county.handler and note.note == "维修队已出发"


def test_open_without_text_only_accepts(o311, county, crm, dispatched):
    case = dispatched()
    assert post(o311, crm[1], case, "open").status_code == 200
    assert reload(case).status == Status.ACCEPTED


def test_fixed_resolves_with_the_description_as_resolution(o311, county, crm, dispatched):
    case = dispatched()
    assert post(o311, crm[1], case, "FIXED", description="管道已更换").status_code == 200
    case = reload(case)
    assert case.status == Status.RESOLVED and case.resolution == "管道已更换"


def test_fixed_without_a_description_is_400_and_changes_nothing(o311, county, crm, dispatched):
    case = dispatched()
    before = case.events.count()
    response = post(o311, crm[1], case, "FIXED")
    assert response.status_code == 400
    assert reload(case).status == Status.DISPATCHED
    assert case.events.count() == before


@pytest.mark.parametrize("status", ["NOT_COUNCILS_RESPONSIBILITY", "INTERNAL_REFERRAL"])
def test_not_ours_returns_the_case_to_dispatch(o311, county, crm, dispatched, status):
    case = dispatched()
    assert post(o311, crm[1], case, status, description="应由县水利局处理").status_code == 200
    case = reload(case)
    assert case.status == Status.RETURNED and case.current_unit is None


def test_a_transition_the_table_does_not_allow_is_400_with_a_clear_message(
    o311, county, crm, dispatched
):
    case = dispatched()
    response = post(o311, crm[1], case, "NO_FURTHER_ACTION", "xml", description="不处理")
    assert response.status_code == 400
    (error,) = o311.parse(response)
    assert "NO_FURTHER_ACTION" in error["description"]
    assert "dispatched" in error["description"]
    assert reload(case).status == Status.DISPATCHED


def test_updates_to_a_finished_case_are_400(o311, county, crm, dispatched):
    case = dispatched()
    assert post(o311, crm[1], case, "FIXED", description="好了").status_code == 200
    response = post(o311, crm[1], case, "IN_PROGRESS", description="再看看")
    assert response.status_code == 400
    assert reload(case).status == Status.RESOLVED


def test_no_further_action_declines_a_case_awaiting_triage(o311, county, submit, operator_key):
    case = submit()
    response = post(o311, operator_key, case, "NO_FURTHER_ACTION", description="涉及个人纠纷")
    assert response.status_code == 200, response.content
    case = reload(case)
    assert case.status == Status.DECLINED
    assert case.events.get(kind=EventKind.DECLINED).note == "涉及个人纠纷"


def test_duplicate_merges_into_the_named_request(o311, county, crm, dispatched):
    survivor, duplicate = dispatched(), dispatched()
    response = post(
        o311, crm[1], duplicate, "DUPLICATE", description="同一处", duplicate_of=str(survivor.pk)
    )
    assert response.status_code == 200, response.content
    duplicate = reload(duplicate)
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == survivor.pk


def test_duplicate_without_duplicate_of_is_400(o311, county, crm, dispatched):
    response = post(o311, crm[1], dispatched(), "DUPLICATE", description="重复")
    assert response.status_code == 400
    assert "duplicate_of" in response.json()[0]["description"]


def test_a_partner_cannot_reopen(o311, county, crm, dispatched):
    case = dispatched()
    post(o311, crm[1], case, "FIXED", description="好了")
    response = post(o311, crm[1], case, "REOPEN", description="没修好")
    assert response.status_code == 400
    assert reload(case).status == Status.RESOLVED


def test_an_unknown_status_is_400(o311, county, crm, dispatched):
    response = post(o311, crm[1], dispatched(), "PENDING", description="?")
    assert response.status_code == 400
    assert "PENDING" in response.json()[0]["description"]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_posting_an_update_without_api_key_is_403(o311, county, dispatched, fmt):
    case = dispatched()
    response = post(o311, "", case, "IN_PROGRESS", fmt, description="x")
    assert response.status_code == 403
    assert reload(case).status == Status.DISPATCHED


def test_a_reporting_key_may_not_post_updates(o311, county, partner, dispatched):
    response = post(o311, partner[1], dispatched(), "IN_PROGRESS", description="x")
    assert response.status_code == 403


def test_a_revoked_key_may_not_post_updates(o311, county, crm, dispatched):
    ApiKey.objects.filter(pk=crm[0].pk).update(revoked_at=timezone.now())
    response = post(o311, crm[1], dispatched(), "IN_PROGRESS", description="x")
    assert response.status_code == 403


def test_a_unit_key_may_not_touch_cases_other_units_hold(o311, county, crm, submit):
    case = actions.dispatch_case(
        actor=county.operator,
        case=submit(area=county.other_village),
        unit=county.other_village_unit,
    )
    response = post(o311, crm[1], case, "IN_PROGRESS", description="x")
    assert response.status_code == 403
    assert reload(case).status == Status.DISPATCHED


def test_a_handler_without_the_case_is_refused_even_without_a_unit_on_the_key(
    o311, county, dispatched
):
    raw = ApiKey.issue(name="Other CRM", user=county.other_handler)[1]
    response = post(o311, raw, dispatched(), "IN_PROGRESS", description="x")
    assert response.status_code == 403


@pytest.mark.parametrize("request_id", ["999999", "abc"])
def test_an_update_for_an_unknown_request_is_404(o311, county, crm, request_id):
    response = o311.post(
        "servicerequestupdates",
        "json",
        {"api_key": crm[1], "service_request_id": request_id, "status": "OPEN"},
    )
    assert response.status_code == 404


def test_a_repeated_update_id_is_applied_once(o311, county, crm, dispatched):
    case = dispatched()
    first = post(o311, crm[1], case, "IN_PROGRESS", description="已出发", update_id="crm-1")
    again = post(o311, crm[1], case, "IN_PROGRESS", description="已出发", update_id="crm-1")
    assert first.json() == again.json()
    assert case.events.filter(kind=EventKind.NOTE).count() == 1


def test_a_bad_updated_datetime_is_400(o311, county, crm, dispatched):
    response = post(o311, crm[1], dispatched(), "OPEN", updated_datetime="last tuesday")
    assert response.status_code == 400


def test_posted_updates_appear_in_the_update_feed(o311, county, crm, dispatched):
    case = dispatched()
    (body,) = post(o311, crm[1], case, "ACTION_SCHEDULED", description="周三施工").json()
    feed = o311.get("servicerequestupdates").json()
    mine = next(u for u in feed if u["update_id"] == body["update_id"])
    assert mine["status"] == "in_progress" and mine["description"] == "周三施工"


def test_an_operator_key_records_the_operator_as_actor(o311, county, submit):
    supervisor = UserFactory(role=Role.SUPERVISOR, scope_area=county.county)
    raw = ApiKey.issue(name="County desk", user=supervisor)[1]
    case = submit()
    assert post(o311, raw, case, "NO_FURTHER_ACTION", description="非公共服务").status_code == 200
    assert Event.objects.get(case=case, kind=EventKind.DECLINED).actor == supervisor


def test_no_tracking_code_is_ever_published_in_updates(o311, county, dispatched):
    survivor, duplicate = dispatched(), dispatched()
    actions.merge_case(actor=county.operator, case=duplicate, into=survivor)
    actions.accept_case(actor=county.handler, case=survivor)
    note = f"与 {duplicate.tracking_code.lower()} 是同一处"
    actions.add_note(actor=county.handler, case=survivor, note=note)
    for fmt in ("xml", "json"):
        body = o311.get("servicerequestupdates", fmt).content.decode()
        assert survivor.tracking_code not in body
        assert duplicate.tracking_code.lower() not in body.lower()
    feed = o311.get("servicerequestupdates").json()
    merged = next(u for u in feed if u["status"] == "duplicate")
    assert str(survivor.pk) in merged["description"]


@pytest.mark.parametrize("duplicate_of", ["99999999999999999999999", "²", "abc"])
def test_a_duplicate_of_no_case_can_have_is_400(o311, county, crm, dispatched, duplicate_of):
    response = post(
        o311, crm[1], dispatched(), "DUPLICATE", description="重复", duplicate_of=duplicate_of
    )
    assert response.status_code == 400


def test_an_update_for_an_impossible_id_is_404(o311, county, crm):
    response = o311.post(
        "servicerequestupdates",
        "json",
        {"api_key": crm[1], "service_request_id": "9" * 30, "status": "OPEN"},
    )
    assert response.status_code == 404
