"""A case from a resident's phone to a rated close, through the API alone."""

from minsheng.cases.models import Case

PHONE = "13912345678"


def test_case_lives_its_whole_life_through_the_api(county, api_as, public_api):
    submitted = public_api.post(
        "/api/public/cases",
        {
            "description": "柳树村村口的水管破了，已经停水两天。",
            "category": "water",
            "area": "V1",
            "contact_phone": PHONE,
            "submission_key": "phone-app-0001",
        },
    )
    assert submitted.status_code == 201
    code = submitted.json()["tracking_code"]
    case_id = Case.objects.get(tracking_code=code).pk
    operator, handler = api_as(county.operator), api_as(county.handler)

    waiting = operator.get("/api/cases", {"status": "submitted"}).json()["items"]
    assert [c["tracking_code"] for c in waiting] == [code]
    detail = operator.get(f"/api/cases/{case_id}").json()
    dispatched = operator.post(
        f"/api/cases/{case_id}/dispatch",
        {"unit": county.village_unit.pk, "expected_version": detail["version"]},
    ).json()
    assert dispatched["status"] == "dispatched"

    queue = handler.get("/api/cases", {"bucket": "new"}).json()["items"]
    assert [c["id"] for c in queue] == [case_id]
    accepted = handler.post(
        f"/api/cases/{case_id}/accept", {"expected_version": queue[0]["version"]}
    ).json()
    noted = handler.post(
        f"/api/cases/{case_id}/notes",
        {"note": "维修队明天上午到", "expected_version": accepted["version"]},
    ).json()
    assert noted["status"] == "in_progress"
    contact = handler.post(f"/api/cases/{case_id}/contact/reveal", {"reason": "约时间"}).json()
    assert contact["phone"] == PHONE
    resolved = handler.post(
        f"/api/cases/{case_id}/resolve",
        {"resolution": "水管已更换，恢复供水", "expected_version": noted["version"]},
    ).json()
    assert resolved["status"] == "resolved"

    tracked = public_api.get(f"/api/public/cases/{code}").json()
    assert tracked["can_rate"] is True
    assert tracked["resolution"] == "水管已更换，恢复供水"
    rated = public_api.post(
        f"/api/public/cases/{code}/rating",
        {"rating": 5, "is_solved": True, "comment": "谢谢", "expected_version": tracked["version"]},
    )
    assert rated.json()["status"] == "closed"
    timeline = [e["kind"] for e in public_api.get(f"/api/public/cases/{code}").json()["timeline"]]
    assert timeline == [
        "submitted", "dispatched", "accepted", "note", "resolved", "rated", "closed",
    ]  # fmt: skip
    staff_timeline = [e["kind"] for e in handler.get(f"/api/cases/{case_id}/events").json()]
    assert "contact_revealed" in staff_timeline
