"""POST requests: keys, services, locations, attributes, reporter details, rate limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.cases.models import Case, Channel, Status
from minsheng.contacts.crypto import decrypt
from minsheng.contacts.models import Contact
from minsheng.directory.models import AreaKind
from minsheng.open311.models import ApiKey, AreaBoundary, CaseAttributeValue, Submission
from tests.factories import AreaFactory
from tests.open311.conftest import as_text

DESCRIPTION = "村口的水管破了，已经停水两天。"


def report(key: str, **overrides: object) -> dict:
    body = {
        "api_key": key,
        "service_code": "roads",
        "address_id": "V1",
        "description": DESCRIPTION,
    }
    body.update(overrides)
    return body


def water_report(key: str, **overrides: object) -> dict:
    body = report(
        key,
        service_code="water",
        **{"attribute[houses]": "12", "attribute[source]": "tap"},
    )
    body.update(overrides)
    return body


def square(lon: float, lat: float, half: float) -> list:
    return [
        [
            [lon - half, lat - half],
            [lon + half, lat - half],
            [lon + half, lat + half],
            [lon - half, lat + half],
            [lon - half, lat - half],
        ]
    ]


@pytest.fixture
def boundaries(county):  # type: ignore[no-untyped-def]
    """The township as a large square with the village as a small one inside it."""
    AreaBoundary.objects.create(area=county.township, polygon=square(100.0, 40.0, 1.0))
    AreaBoundary.objects.create(area=county.village, polygon=square(100.2, 40.2, 0.1))
    AreaBoundary.objects.create(area=county.other_village, polygon=square(103.0, 40.0, 0.1))


def test_partner_creates_a_request_and_gets_its_id_at_once(o311, county, partner):
    key, raw = partner
    response = o311.post("requests", "json", report(raw))
    assert response.status_code == 200, response.content
    (body,) = response.json()
    case = Case.objects.get(pk=int(body["service_request_id"]))
    assert (case.channel, case.status) == (Channel.API, Status.SUBMITTED)
    assert (case.category, case.area) == (county.roads, county.village)
    assert case.description == DESCRIPTION
    assert case.tracking_code in body["service_notice"]
    assert "account_id" not in body
    # realtime: the specification forbids a token alongside the id
    assert "token" not in body
    assert Submission.objects.get(case=case).api_key == key


def test_post_answers_in_xml_with_the_same_fields(o311, county, partner):
    _key, raw = partner
    response = o311.post("requests", "xml", report(raw))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    (body,) = o311.parse(response)
    assert set(body) == {"service_request_id", "service_notice"}
    assert Case.objects.filter(pk=int(body["service_request_id"])).exists()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_post_without_api_key_is_403_and_creates_nothing(o311, county, fmt):
    response = o311.post("requests", fmt, report(""))
    assert response.status_code == 403
    assert o311.parse(response)[0]["code"] in (403, "403")
    assert not Case.objects.exists()


def test_an_unknown_api_key_is_403(o311, county, partner):
    response = o311.post("requests", "json", report("o311_not-a-real-key"))
    assert response.status_code == 403
    assert "api_key" in response.json()[0]["description"]


def test_a_revoked_api_key_is_403(o311, county, partner):
    key, raw = partner
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    response = o311.post("requests", "json", report(raw))
    assert response.status_code == 403
    assert "revoked" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_an_unknown_service_code_is_404(o311, county, partner):
    response = o311.post("requests", "json", report(partner[1], service_code="nosuch"))
    assert response.status_code == 404
    assert "nosuch" in response.json()[0]["description"]


def test_a_missing_service_code_is_400(o311, county, partner):
    response = o311.post("requests", "json", report(partner[1], service_code=""))
    assert response.status_code == 400
    assert "service_code" in response.json()[0]["description"]


@pytest.mark.parametrize(
    ("lat", "long"),
    [("abc", "100.2"), ("40.2", ""), ("95", "100"), ("40", "200"), ("nan", "100")],
)
def test_bad_lat_or_long_is_400(o311, county, partner, boundaries, lat, long):
    response = o311.post("requests", "json", report(partner[1], address_id="", lat=lat, long=long))
    assert response.status_code == 400, response.content
    assert not Case.objects.exists()


def test_a_description_over_4000_characters_is_400(o311, county, partner):
    response = o311.post("requests", "xml", report(partner[1], description="水" * 4001))
    assert response.status_code == 400
    (error,) = o311.parse(response)
    assert error["code"] == "400" and "4000" in error["description"]
    ok = o311.post("requests", "json", report(partner[1], description="水" * 4000))
    assert ok.status_code == 200


def test_every_problem_of_a_request_is_in_the_error_list(o311, county, partner):
    body = report(partner[1], description="水" * 4001, phone="call me")
    response = o311.post("requests", "json", body)
    assert response.status_code == 400
    descriptions = [error["description"] for error in response.json()]
    assert len(descriptions) == 2
    assert "4000" in descriptions[0] and "phone" in descriptions[1]
    assert not Case.objects.exists()


def test_a_value_outside_a_singlevaluelist_is_400(o311, county, partner, water_questions):
    body = water_report(partner[1], **{"attribute[source]": "river"})
    response = o311.post("requests", "json", body)
    assert response.status_code == 400
    assert "river" in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_missing_required_attribute_is_400(o311, county, partner, water_questions):
    body = water_report(partner[1])
    del body["attribute[houses]"]
    response = o311.post("requests", "json", body)
    assert response.status_code == 400
    assert "houses" in response.json()[0]["description"]
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("code", "value"),
    [("houses", "a dozen"), ("since", "yesterday"), ("meter", "line one\nline two")],
)
def test_values_of_the_wrong_datatype_are_400(o311, county, partner, water_questions, code, value):
    response = o311.post(
        "requests", "json", water_report(partner[1], **{f"attribute[{code}]": value})
    )
    assert response.status_code == 400
    assert code in response.json()[0]["description"]


def test_multivalue_attributes_are_stored_with_every_value(o311, county, partner, water_questions):
    body = water_report(
        partner[1],
        **{
            "attribute[uses][]": ["drink", "cook"],
            "attribute[since]": "2026-11-20T08:00:00+08:00",
            "attribute[meter]": "M-0042",
        },
    )
    response = o311.post("requests", "json", body)
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    stored = {
        v.attribute.code: v.value
        for v in CaseAttributeValue.objects.filter(case=case).select_related("attribute")
    }
    assert stored == {
        "uses": ["drink", "cook"],
        "houses": ["12"],
        "source": ["tap"],
        "since": ["2026-11-20T08:00:00+08:00"],
        "meter": ["M-0042"],
    }


def test_a_multivaluelist_refuses_an_unknown_value_among_good_ones(
    o311, county, partner, water_questions
):
    body = water_report(partner[1], **{"attribute[uses][]": ["drink", "swim"]})
    response = o311.post("requests", "json", body)
    assert response.status_code == 400
    assert "swim" in response.json()[0]["description"]


def test_a_point_finds_the_deepest_area_whose_boundary_contains_it(
    o311, county, partner, boundaries
):
    body = report(partner[1], address_id="", lat="40.25", long="100.15")
    response = o311.post("requests", "json", body)
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.village
    assert (case.latitude, case.longitude) == (40.25, 100.15)


def test_a_point_in_another_village_goes_to_that_village(o311, county, partner, boundaries):
    body = report(partner[1], address_id="", lat="40.05", long="103.02")
    response = o311.post("requests", "json", body)
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.other_village


def test_a_point_outside_every_boundary_is_400(o311, county, partner, boundaries):
    body = report(partner[1], address_id="", lat="10.0", long="10.0")
    response = o311.post("requests", "json", body)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_point_outside_every_boundary_falls_back_to_the_address(
    o311, county, partner, boundaries
):
    body = report(partner[1], address_id="", lat="10.0", long="10.0", address_string="石门村口")
    response = o311.post("requests", "json", body)
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.other_village


def test_the_address_string_is_matched_against_area_names(o311, county, partner):
    # A grid inside the village whose name shares a prefix: the deepest, longest match wins.
    grid = AreaFactory(name="柳树村三组", code="G1", kind=AreaKind.GRID, parent=county.village)
    body = report(partner[1], address_id="", address_string="青河县东湖镇柳树村三组老槐树旁")
    response = o311.post("requests", "json", body)
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == grid
    assert case.address == "青河县东湖镇柳树村三组老槐树旁"


def test_the_address_string_matches_english_names_ignoring_case(o311, county, partner):
    county.other_village.name_en = "Shimen Village"
    county.other_village.save()
    body = report(partner[1], address_id="", address_string="near the well, SHIMEN VILLAGE")
    response = o311.post("requests", "json", body)
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.other_village


def test_the_address_id_is_an_area_code(o311, county, partner):
    response = o311.post("requests", "json", report(partner[1], address_id="V2"))
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.other_village


def test_an_unknown_address_id_is_400(o311, county, partner):
    response = o311.post("requests", "json", report(partner[1], address_id="NOPE"))
    assert response.status_code == 400
    assert "NOPE" in response.json()[0]["description"]


def test_a_request_without_any_location_is_400(o311, county, partner):
    response = o311.post("requests", "json", report(partner[1], address_id=""))
    assert response.status_code == 400
    assert "location" in response.json()[0]["description"]


def test_a_township_is_not_a_place_a_resident_reports_from(o311, county, partner):
    response = o311.post("requests", "json", report(partner[1], address_id="T1"))
    assert response.status_code == 400


def test_reporter_name_and_phone_are_kept_encrypted_and_email_not_at_all(o311, county, partner):
    body = report(
        partner[1],
        first_name="三",
        last_name="张",
        phone="13912345678",
        email="zhangsan@example.com",
        device_id="device-77",
        account_id="acct-99",
    )
    response = o311.post("requests", "json", body)
    assert response.status_code == 200
    for secret in (b"13912345678", b"zhangsan@example.com", "张三".encode(), b"acct-99"):
        assert secret not in response.content
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    contact = Contact.objects.get(case=case)
    assert "13912345678" not in contact.phone_encrypted
    assert decrypt(contact.name_encrypted) == "张三"
    assert decrypt(contact.phone_encrypted) == "13912345678"
    assert "example.com" not in case.description + case.address


def test_reporter_fields_never_come_back_from_any_read(o311, county, partner):
    body = report(
        partner[1], first_name="Li", last_name="Wei", phone="13912345678", email="li@example.com"
    )
    service_request_id = o311.post("requests", "json", body).json()[0]["service_request_id"]
    reads = [
        o311.get(f"requests/{service_request_id}", fmt, extensions="true", api_key=partner[1])
        for fmt in ("xml", "json")
    ] + [
        o311.get("requests", fmt, extensions="true", api_key=partner[1]) for fmt in ("xml", "json")
    ]
    for response in reads:
        assert response.status_code == 200
        for secret in (b"13912345678", b"li@example.com", b"Li Wei", b"first_name", b"email"):
            assert secret not in response.content


def test_empty_optional_parameters_are_ignored(o311, county, partner):
    body = report(
        partner[1],
        address_id="",
        address_string="柳树村",
        lat="",
        long="",
        jurisdiction_id="",
        email="",
        first_name="",
        last_name="",
        phone="",
        device_id="",
        media_url="",
    )
    response = o311.post("requests", "json", body)
    assert response.status_code == 200, response.content
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.village and case.latitude is None
    assert not Contact.objects.filter(case=case).exists()


def test_a_key_past_its_rate_limit_gets_429(o311, county, partner):
    key, raw = partner
    ApiKey.objects.filter(pk=key.pk).update(rate_limit=2)
    codes = [o311.post("requests", "json", report(raw)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = o311.get("services", "xml", api_key=raw)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert o311.parse(response)[0]["code"] == "429"
    assert Case.objects.count() == 2


def test_the_tracking_code_resolves_as_a_token(o311, county, partner):
    (body,) = o311.post("requests", "json", report(partner[1])).json()
    case = Case.objects.get(pk=int(body["service_request_id"]))
    xml, js = o311.both(f"tokens/{case.tracking_code}")
    assert xml == as_text(js)
    assert js == [{"service_request_id": body["service_request_id"], "token": case.tracking_code}]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_token_is_404(o311, db, fmt):
    response = o311.get("tokens/MSNOTREAL", fmt)
    assert response.status_code == 404
    assert o311.parse(response)[0]["code"] in (404, "404")


def test_a_namesake_in_another_township_does_not_win(o311, county, partner):
    AreaFactory(name="柳树村口", code="V9", kind=AreaKind.VILLAGE, parent=county.other_township)
    body = report(partner[1], address_id="", address_string="东湖镇柳树村口第二户")
    response = o311.post("requests", "json", body)
    case = Case.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert case.area == county.village


def test_the_post_answer_matches_the_published_request_response(o311, county, partner):
    schemas = (
        Path(__file__).resolve().parents[2].parent / "shared" / "data" / "open311-georeport-v2"
    )
    if not (schemas / "swagger.json").is_file():
        pytest.skip("the published Open311 schemas are not in ../shared/data")
    jsonschema = pytest.importorskip("jsonschema")
    definition = json.loads((schemas / "swagger.json").read_text())["definitions"][
        "RequestResponse"
    ]
    (body,) = o311.post("requests", "json", report(partner[1])).json()
    jsonschema.validate(body, definition)
