"""Discovery, the service list and service definitions, in both formats."""

from __future__ import annotations

import pytest

from minsheng.directory.models import Category
from minsheng.open311.models import ServiceProfile
from tests.open311.conftest import as_text


def test_discovery_lists_the_endpoint_with_both_formats(o311, db):
    xml, js = o311.both("discovery")
    assert xml == as_text(js)
    endpoint = js["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert js["changeset"] and endpoint["changeset"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("xml", "text/xml; charset=utf-8"), ("json", "application/json; charset=utf-8")],
)
def test_responses_carry_the_exact_content_type(o311, db, fmt, content_type):
    response = o311.get("services", fmt)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


def test_xml_starts_with_the_utf8_declaration(o311, db):
    body = o311.get("services", "xml").content
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')


def test_every_active_category_is_a_realtime_service(o311, county, water_questions):
    ServiceProfile.objects.create(category=county.water, group="utilities")
    Category.objects.filter(code="other").update(is_active=False)
    xml, js = o311.both("services")
    assert xml == as_text(js)
    by_code = {s["service_code"]: s for s in js}
    assert "other" not in by_code
    water = by_code["water"]
    assert water["service_name"] == "Water supply"
    assert water["type"] == "realtime"
    assert water["metadata"] is True
    assert water["group"] == "utilities"
    assert water["keywords"].split(", ")[:2] == ["停水", "水管"]
    assert by_code["roads"]["metadata"] is False


def test_service_list_validates_against_the_published_schema(o311, county, schema_validator):
    schema_validator(o311.parse(o311.get("services")), "services.json")


def test_service_definition_describes_attributes_of_every_datatype(o311, water_questions):
    xml, js = o311.both("services/water")
    assert xml == as_text(js)
    assert js["service_code"] == "water"
    by_code = {a["code"]: a for a in js["attributes"]}
    assert {a["datatype"] for a in js["attributes"]} == {
        "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"
    }  # fmt: skip
    assert [a["order"] for a in js["attributes"]] == [1, 2, 3, 4, 5, 6]
    assert by_code["source"]["required"] is True and by_code["meter"]["required"] is False
    assert by_code["source"]["values"] == [
        {"key": "tap", "name": "Tap water"},
        {"key": "well", "name": "Well"},
    ]
    assert "values" not in by_code["meter"]
    assert all(a["variable"] is True for a in js["attributes"])


def test_service_definition_validates_against_the_published_schema(
    o311, water_questions, schema_validator
):
    schema_validator(o311.parse(o311.get("services/water")), "service-definition.json")


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_unknown_service_is_404_with_an_error_document(o311, db, fmt):
    response = o311.get("services/nosuch", fmt)
    assert response.status_code == 404
    errors = o311.parse(response)
    assert errors[0]["code"] in (404, "404")
    assert "nosuch" in errors[0]["description"]


def test_error_documents_are_the_same_in_both_formats(o311, db):
    xml, js = o311.both("services/nosuch")
    assert xml == as_text(js)
    assert js == [{"code": 404, "description": js[0]["description"]}]


def test_unknown_jurisdiction_is_404_once_one_is_configured(o311, county, settings):
    settings.MINSHENG_OPEN311_JURISDICTION = "qinghe.gov.cn"
    assert o311.get("services", jurisdiction_id="qinghe.gov.cn").status_code == 200
    response = o311.get("services", "xml", jurisdiction_id="elsewhere.gov")
    assert response.status_code == 404
    assert "elsewhere.gov" in o311.parse(response)[0]["description"]


def test_an_empty_jurisdiction_id_is_the_same_as_none(o311, county, settings):
    settings.MINSHENG_OPEN311_JURISDICTION = "qinghe.gov.cn"
    assert o311.get("services", jurisdiction_id="").json() == o311.get("services").json()


def test_unknown_format_and_unknown_path_answer_with_error_documents(o311, db):
    response = o311.get("services", "csv")
    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    response = o311.client.get("/open311/v2/nothing/here.json")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_service_names_follow_the_clients_language(db):
    from django.test import Client

    response = Client(headers={"accept-language": "zh-hans"}).get("/open311/v2/services.json")
    names = {s["service_code"]: s["service_name"] for s in response.json()}
    assert names["water"] == "供水"
