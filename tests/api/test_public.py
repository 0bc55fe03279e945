"""The resident's endpoints: submit, follow, rate, withdraw — no sign-in, no contact details."""

from django.test import Client

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel
from minsheng.contacts.models import Contact

PHONE = "13912345678"


def submission(**overrides):  # type: ignore[no-untyped-def]
    body = {
        "title": "村口水管破裂",
        "description": "柳树村村口的水管破了，已经停水两天。",
        "category": "water",
        "area": "V1",
    }
    return body | overrides


def test_resident_submits_without_signing_in_and_gets_a_tracking_code(county, public_api):
    response = public_api.post("/api/public/cases", submission(contact_phone=PHONE))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    case = Case.objects.get(tracking_code=body["tracking_code"])
    assert case.channel == Channel.API and case.area == county.village
    assert Contact.objects.filter(case=case).exists()
    assert PHONE.encode() not in response.content


def test_area_and_category_may_be_given_by_id(county, public_api):
    body = submission(area=county.village.pk, category=county.roads.pk)
    case = Case.objects.get(
        tracking_code=public_api.post("/api/public/cases", body).json()["tracking_code"]
    )
    assert (case.area, case.category) == (county.village, county.roads)


def test_same_submission_key_twice_gives_the_same_tracking_code(county, public_api):
    body = submission(submission_key="4f1c2a9e-retry")
    first = public_api.post("/api/public/cases", body).json()["tracking_code"]
    second = public_api.post("/api/public/cases", body).json()["tracking_code"]
    assert first == second
    assert Case.objects.count() == 1


def test_resident_cannot_file_against_a_whole_township(county, public_api):
    response = public_api.post("/api/public/cases", submission(area="T1"))
    assert response.status_code == 400
    assert response.json()["field"] == "area"


def test_submission_without_description_names_the_field(county, public_api):
    response = public_api.post("/api/public/cases", submission(description=""))
    assert response.status_code == 400
    assert response.json()["field"] == "description"
    assert response.json()["code"] == "InvalidInput"


def test_bad_phone_names_the_contact_phone_field(county, public_api):
    response = public_api.post("/api/public/cases", submission(contact_phone="abc"))
    assert response.status_code == 400
    assert response.json()["field"] == "contact_phone"


def test_tracking_shows_unit_deadline_and_public_timeline_without_staff(county, submit, public_api):
    case = submit(contact_name="王秀英", contact_phone=PHONE)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="请拨打 13800001111 联系村委")
    actions.add_note(actor=county.handler, case=case, note="内部备注", is_public=False)
    response = public_api.get(f"/api/public/cases/{case.tracking_code.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert body["current_unit"] == county.village_unit.name
    assert body["deadline"] is not None
    assert [e["kind"] for e in body["timeline"]] == ["submitted", "dispatched", "accepted", "note"]
    assert "13800001111" not in body["timeline"][-1]["note"]
    content = response.content.decode()
    for secret in (PHONE, "王秀英", "内部备注", "handler", "operator"):
        assert secret not in content


def test_tracking_redacts_numbers_in_the_description(county, submit, public_api):
    case = submit(description="我的身份证 110101199003074512，电话 13912345678")
    body = public_api.get(f"/api/public/cases/{case.tracking_code}").json()
    assert "110101199003074512" not in body["description"]
    assert PHONE not in body["description"]


def test_unknown_tracking_code_is_404(county, public_api):
    response = public_api.get("/api/public/cases/MS23456789")
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"
    assert public_api.post("/api/public/cases/MS23456789/withdraw", {}).status_code == 404


def test_merged_case_follows_the_survivor_without_revealing_its_code(county, submit, public_api):
    survivor, duplicate = submit(), submit()
    actions.merge_case(actor=county.operator, case=duplicate, into=survivor)
    actions.dispatch_case(actor=county.operator, case=survivor, unit=county.village_unit)
    response = public_api.get(f"/api/public/cases/{duplicate.tracking_code}")
    body = response.json()
    assert body["status"] == "merged"
    assert body["merged_into"]["status"] == "dispatched"
    assert body["merged_into"]["current_unit"] == county.village_unit.name
    assert survivor.tracking_code.encode() not in response.content


def resolved(county, submit):  # type: ignore[no-untyped-def]
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    return actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")


def test_resident_rating_closes_a_resolved_case(county, submit, public_api):
    case = resolved(county, submit)
    response = public_api.post(
        f"/api/public/cases/{case.tracking_code}/rating",
        {"rating": 5, "is_solved": True, "comment": "很快", "expected_version": case.version},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["can_rate"] is False


def test_unsatisfied_resident_reopens_the_case(county, submit, public_api):
    case = resolved(county, submit)
    response = public_api.post(
        f"/api/public/cases/{case.tracking_code}/rating", {"rating": 1, "is_solved": False}
    )
    assert response.json()["status"] == "reopened"
    # The answer reads as a later GET does: the same times, in the same format.
    again = public_api.get(f"/api/public/cases/{case.tracking_code}")
    assert response.json()["deadline"] == again.json()["deadline"]


def test_rating_before_resolution_is_refused(county, submit, public_api):
    case = submit()
    response = public_api.post(
        f"/api/public/cases/{case.tracking_code}/rating", {"rating": 5, "is_solved": True}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "InvalidTransition"


def test_rating_with_a_stale_version_is_refused(county, submit, public_api):
    case = resolved(county, submit)
    response = public_api.post(
        f"/api/public/cases/{case.tracking_code}/rating",
        {"rating": 5, "is_solved": True, "expected_version": case.version - 1},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "StaleCase"


def test_resident_withdraws_an_open_case(county, submit, public_api):
    case = submit()
    response = public_api.post(
        f"/api/public/cases/{case.tracking_code}/withdraw", {"reason": "已自行解决"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["can_withdraw"] is False


def test_public_posts_need_no_csrf_token(county):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/public/cases", submission(), content_type="application/json")
    assert response.status_code == 201


def test_public_view_masks_the_residents_own_name_typed_into_the_text(county, submit, public_api):
    case = submit(
        description="我是赵桂芳，家门口的水管坏了，电话13800001111",
        contact_name="赵桂芳",
        contact_phone="13800001111",
    )
    response = public_api.get(f"/api/public/cases/{case.tracking_code}")
    assert response.status_code == 200
    assert "赵桂芳".encode() not in response.content
    assert b"13800001111" not in response.content


def test_every_problem_of_a_submission_is_named_at_once(county, public_api):
    response = public_api.post("/api/public/cases", submission(description="", contact_phone="abc"))
    assert response.status_code == 400
    body = response.json()
    fields = [body["field"]] + [part["field"] for part in body["also"]]
    assert fields == ["description", "contact_phone"]
    assert not Case.objects.exists()


def test_guessing_codes_is_refused_with_429_after_thirty_unknown_ones(county, submit):
    case = submit()
    api = Client(headers={"accept-language": "en"})
    for n in range(30):
        assert api.get(f"/api/public/cases/MS3333{n:04d}".replace("0", "A")).status_code == 404
    response = api.get(f"/api/public/cases/{case.tracking_code}")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "TooManyTries"
    assert body["detail"].startswith("Too many unknown tracking codes were tried from here.")
    assert int(response["Retry-After"]) > 0
    rating = api.post(
        f"/api/public/cases/{case.tracking_code}/rating",
        '{"rating": 5, "is_solved": true}',
        content_type="application/json",
    )
    assert rating.status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.5")
    assert other.get(f"/api/public/cases/{case.tracking_code}").status_code == 200
