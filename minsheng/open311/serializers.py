"""Models → the plain dicts of GeoReport v2 documents, shared by the XML and JSON output.

Every field is listed by hand so nothing reaches a client by accident. No reporter field
(name, phone, e-mail, device, account) is ever written here; free text is redacted and the
resident's own name and phone are masked.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from minsheng.cases.models import Case, Event, EventKind, Status
from minsheng.cases.redaction import public_point, public_text, withheld_for, withheld_text
from minsheng.open311.models import LIST_DATATYPES, ApiKey, ServiceAttribute
from minsheng.open311.selectors import (
    UPDATE_STATUS,
    RequestDetails,
    Service,
    open311_status,
)
from minsheng.open311.w3c import format_w3c


# A tracking code lets its holder rate or withdraw a case: never publish one.
def service(s: Service) -> dict:
    keywords = [k.strip() for k in s.category.keywords.splitlines() if k.strip()]
    return {
        "service_code": s.category.code,
        "service_name": s.category.label,
        "description": s.category.description or None,
        "metadata": bool(s.attributes),
        "type": "realtime",
        "keywords": ", ".join(keywords) or None,
        "group": s.group or None,
    }


def attribute(a: ServiceAttribute) -> dict:
    out = {
        "variable": a.variable,
        "code": a.code,
        "datatype": a.datatype,
        "required": a.required,
        "datatype_description": a.datatype_description or None,
        "order": a.order,
        "description": a.description,
    }
    if a.datatype in LIST_DATATYPES:
        out["values"] = [
            {"key": str(v.get("key")), "name": str(v.get("name"))}
            for v in a.values or []
            if isinstance(v, dict)
        ]
    return out


def service_definition(s: Service) -> dict:
    return {
        "service_code": s.category.code,
        "attributes": [attribute(a) for a in s.attributes],
    }


def _status_notes(case: Case, details: RequestDetails, terms: tuple[str, ...]) -> str | None:
    if case.status in (Status.RESOLVED, Status.CLOSED) and case.resolution:
        return public_text(case.resolution, terms)
    if case.status == Status.MERGED and case.merged_into_id:
        return _("Duplicate of request %(id)s.") % {"id": case.merged_into_id}
    note = details.closing_notes.get(case.pk)
    if note:
        return public_text(note, terms)
    return None


def _updated(case: Case):  # type: ignore[no-untyped-def]
    """For closed requests the specification wants the moment it was closed."""
    if case.status == Status.RESOLVED:
        return case.resolved_at or case.updated_at
    if open311_status(case.status) == "closed":
        return case.closed_at or case.updated_at
    return case.updated_at


def service_request(
    case: Case, details: RequestDetails, *, extensions: bool = False, api_key: ApiKey | None = None
) -> dict:
    terms = details.private_terms.get(case.pk, ())
    # The village, township and county, never the resident's own words for where (a street
    # and house number, "王小明家"): the address field names the area the case is in.
    address = details.addresses.get(case.area_id, "")
    withheld_as = withheld_for(case)
    withheld = withheld_as is not None
    lat, long = (None, None) if withheld else public_point(case.latitude, case.longitude)
    out: dict = {
        "service_request_id": str(case.pk),
        "status": open311_status(case.status),
        "status_notes": None if withheld else _status_notes(case, details, terms),
        "service_name": case.category.label,
        "service_code": case.category.code,
        "description": withheld_as if withheld else public_text(case.description, terms),
        "agency_responsible": case.current_unit.label if case.current_unit else None,
        "service_notice": None,
        "requested_datetime": format_w3c(case.created_at),
        "updated_datetime": format_w3c(_updated(case)),
        "expected_datetime": format_w3c(case.deadline),
        "address": address or None,
        "address_id": case.area.code,
        "zipcode": None,
        "lat": lat,
        "long": long,
        "media_url": None,
    }
    if extensions:
        # The tracking code lets its holder rate or withdraw the case, so only the partner
        # that submitted the case (and told the resident) sees it.
        own = api_key is not None and details.submitted_by_key.get(case.pk) == api_key.pk
        out["attributes"] = [
            {
                "code": v.attribute.code,
                "datatype": v.attribute.datatype,
                "description": v.attribute.description,
                "values": [str(x) for x in v.value],
            }
            for v in details.attributes.get(case.pk, [])
        ]
        out["extended_attributes"] = {
            "channel": case.channel,
            "minsheng_status": case.status,
            "tracking_code": case.tracking_code if own else None,
            "current_unit": case.current_unit.label if case.current_unit else None,
            "level": case.level,
            "escalation_count": case.escalation_count,
            "reopen_count": case.reopen_count,
            "is_overdue": case.is_overdue,
            "area_code": case.area.code,
            "area_name": case.area.label,
        }
        out["notes"] = [note(e, terms, withheld=withheld) for e in details.notes.get(case.pk, [])]
    return out


def _event_text(e: Event, terms: tuple[str, ...]) -> str:
    if e.kind == EventKind.MERGED:
        # The merge event's note is the surviving case's tracking code.
        return _("Duplicate of request %(id)s.") % {"id": e.data.get("into", "")}
    return public_text(e.public_note, terms)


def note(e: Event, terms: tuple[str, ...] = (), *, withheld: bool = False) -> dict:
    return {
        "datetime": format_w3c(e.created_at),
        "type": e.kind,
        "summary": str(e.get_kind_display()),
        "status": UPDATE_STATUS.get(e.kind, "open"),
        "unit": e.unit.label if e.unit else None,
        "description": "" if withheld else _event_text(e, terms),
    }


def update(e: Event, terms: tuple[str, ...] = ()) -> dict:
    """One mySociety servicerequestupdates entry (``case_status`` and
    ``case_dispatched_at`` annotated by the query: the updates of a request whose words are
    withheld carry no text, as its request carries none)."""
    withheld = (
        withheld_text(
            getattr(e, "case_status", ""),
            dispatched=getattr(e, "case_dispatched_at", None) is not None,
        )
        is not None
    )
    return {
        "update_id": str(e.pk),
        "service_request_id": str(e.case_id),
        "status": UPDATE_STATUS[e.kind],
        "updated_datetime": format_w3c(e.created_at),
        "description": "" if withheld else _event_text(e, terms),
        "media_url": "",
    }
