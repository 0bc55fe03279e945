"""One set of plain dicts, written as XML or JSON the way GeoReport v2 prescribes.

JSON follows the specification's mapping of its XML: a document whose XML root holds a
list (services, service_requests, errors …) is a JSON array; service_definition and
discovery are objects. In XML a list field becomes a container with one child per item,
named by ``ITEM_NAMES``; ``None`` is an empty element and booleans are true/false.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
FORMATS = ("xml", "json")

# Container element → element of each item.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
}
# Characters XML 1.0 cannot carry at all.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _XML_ILLEGAL.sub("", str(value))


def _fill(element: ET.Element, value: object) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: object) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=False)
    return (XML_DECLARATION + body).encode("utf-8")


def to_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def respond(fmt: str, root: str, data: object, *, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return HttpResponse(to_json(data), content_type=JSON_CONTENT_TYPE, status=status)
    return HttpResponse(to_xml(root, data), content_type=XML_CONTENT_TYPE, status=status)


def error_response(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's error document: a list of {code, description}."""
    errors = [{"code": status, "description": str(d)} for d in descriptions]
    return respond(fmt if fmt in FORMATS else "xml", "errors", errors, status=status)
