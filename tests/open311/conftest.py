"""An Open311 client that speaks both formats, partner keys, and the published schemas."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.test import Client

from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.open311.models import ApiKey, Datatype, ServiceAttribute

BASE = "/open311/v2/"
SCHEMA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "open311-georeport-v2"
# XML elements whose children are list items (the specification's ⇊ fields).
CONTAINERS = {
    "services",
    "service_requests",
    "service_request_updates",
    "errors",
    "attributes",
    "values",
    "endpoints",
    "formats",
    "notes",
}


def xml_to_data(element: ET.Element) -> object:
    """The XML document as the same nested lists/dicts as the JSON, every leaf a string."""
    if element.tag in CONTAINERS:
        return [xml_to_data(child) for child in element]
    if len(element):
        return {child.tag: xml_to_data(child) for child in element}
    return element.text or ""


def as_text(value: object) -> object:
    """JSON data with every leaf written as the XML would write it."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


class Open311:
    """Calls /open311/v2/<resource>.<fmt> in English and parses either format."""

    def __init__(self) -> None:
        self.client = Client(headers={"accept-language": "en"})

    def get(self, resource: str, fmt: str = "json", **params: object):  # type: ignore[no-untyped-def]
        return self.client.get(f"{BASE}{resource}.{fmt}", params)

    def post(self, resource: str, fmt: str = "json", data: object = None):  # type: ignore[no-untyped-def]
        return self.client.post(f"{BASE}{resource}.{fmt}", data or {})

    @staticmethod
    def parse(response) -> object:  # type: ignore[no-untyped-def]
        if response["Content-Type"].startswith("text/xml"):
            return xml_to_data(ET.fromstring(response.content))
        return json.loads(response.content)

    def both(self, resource: str, **params: object) -> tuple[object, object]:
        """The same GET in XML and JSON: (XML as data, JSON as data)."""
        xml = self.get(resource, "xml", **params)
        js = self.get(resource, "json", **params)
        assert xml.status_code == js.status_code, (xml.content, js.content)
        return self.parse(xml), json.loads(js.content)


@pytest.fixture
def o311() -> Open311:
    return Open311()


@pytest.fixture
def partner(db) -> tuple[ApiKey, str]:  # type: ignore[no-untyped-def]
    """A reporting app's key: it may create requests but acts as nobody."""
    return ApiKey.issue(name="Resident app")


@pytest.fixture
def crm(county) -> tuple[ApiKey, str]:  # type: ignore[no-untyped-def]
    """The village committee's case-handling system, acting as its handler."""
    return ApiKey.issue(name="Village CRM", user=county.handler, unit=county.village_unit)


@pytest.fixture
def water_questions(county) -> dict[str, ServiceAttribute]:  # type: ignore[no-untyped-def]
    """Attributes of every datatype on the water service; two of them required."""
    make = ServiceAttribute.objects.create
    return {
        "meter": make(
            category=county.water, code="meter", datatype=Datatype.STRING, order=1,
            description="Meter number",
        ),
        "houses": make(
            category=county.water, code="houses", datatype=Datatype.NUMBER, order=2,
            description="How many houses have no water?", required=True,
        ),
        "since": make(
            category=county.water, code="since", datatype=Datatype.DATETIME, order=3,
            description="Since when?", datatype_description="2024-05-01T08:00:00+08:00",
        ),
        "details": make(
            category=county.water, code="details", datatype=Datatype.TEXT, order=4,
            description="Anything else",
        ),
        "source": make(
            category=county.water, code="source", datatype=Datatype.SINGLEVALUELIST, order=5,
            description="Water source", required=True,
            values=[{"key": "tap", "name": "Tap water"}, {"key": "well", "name": "Well"}],
        ),
        "uses": make(
            category=county.water, code="uses", datatype=Datatype.MULTIVALUELIST, order=6,
            description="What is affected?",
            values=[
                {"key": "drink", "name": "Drinking"},
                {"key": "cook", "name": "Cooking"},
                {"key": "farm", "name": "Irrigation"},
            ],
        ),
    }  # fmt: skip


@pytest.fixture
def dispatched(county, submit):  # type: ignore[no-untyped-def]
    """A resident's case dispatched to the test village's committee."""

    def _dispatched(**overrides) -> Case:  # type: ignore[no-untyped-def]
        case = submit(**overrides)
        return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)

    return _dispatched


@pytest.fixture
def schema_validator():  # type: ignore[no-untyped-def]
    """validate(document, "requests.json") against the published GeoReport v2 schemas."""
    if not SCHEMA_DIR.is_dir():
        pytest.skip("the published Open311 schemas are not in ../shared/data")
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from referencing.jsonschema import DRAFT7

    resources = []
    for name in ("request.json", "requests.json", "service.json", "services.json",
                 "service-definition.json"):  # fmt: skip
        contents = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        resources.append((name, DRAFT7.create_resource(contents)))
    registry = referencing.Registry().with_resources(resources)

    def validate(document: object, schema_name: str) -> None:
        schema = json.loads((SCHEMA_DIR / schema_name).read_text(encoding="utf-8"))
        validator = jsonschema.Draft7Validator(
            schema, registry=registry, format_checker=jsonschema.FormatChecker()
        )
        validator.validate(document)

    return validate
