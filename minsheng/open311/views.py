"""GeoReport v2 endpoints (and mySociety's servicerequestupdates): parse, call, render.

Every error becomes the specification's error document with its HTTP code: 404 for what
does not exist, 403 for a missing, invalid or revoked api_key, 429 past a key's rate
limit, 400 for everything else. An empty optional parameter counts as absent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from minsheng.cases.errors import CaseError, InvalidInput, NotFound, NotPermitted
from minsheng.insight.board import period_start
from minsheng.open311 import actions, selectors, serializers
from minsheng.open311.models import ApiKey
from minsheng.open311.render import FORMATS, JSON_CONTENT_TYPE, XML_CONTENT_TYPE, respond
from minsheng.open311.render import error_response as error_document
from minsheng.open311.w3c import parse_w3c

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (service discovery's changeset).
CHANGESET = "2026-11-24T00:00:00+08:00"
MAX_SPAN = dt.timedelta(days=90)
MAX_ROWS = 1000
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](?:\[\])?$")
MAX_PAGE = 100_000


@dataclass
class Call:
    """One API call: its format, parameters (body first, then query) and api_key."""

    request: HttpRequest
    fmt: str
    api_key: ApiKey | None

    def get(self, name: str) -> str:
        """The parameter's trimmed value; "" when absent or empty (the spec treats both alike)."""
        sources: list[QueryDict] = [self.request.GET]
        if self.request.method == "POST":
            sources.insert(0, self.request.POST)
        for source in sources:
            value = (source.get(name) or "").strip()
            if value:
                return value
        return ""


def _http_status(exc: CaseError) -> int:
    if exc.status_code in (403, 404, 429):
        return exc.status_code
    return 400


def _check_jurisdiction(value: str) -> None:
    """A single-jurisdiction server may ignore jurisdiction_id; once one is configured, an
    id naming another jurisdiction is "not found" (404) as the specification says."""
    configured = [
        j.strip()
        for j in str(getattr(settings, "MINSHENG_OPEN311_JURISDICTION", "") or "").split(",")
        if j.strip()
    ]
    if value and configured and value not in configured:
        raise NotFound(_("Unknown jurisdiction_id “%(id)s”.") % {"id": value})


def endpoint(*methods: str) -> Callable:
    # HEAD wherever GET: a link checker or a client asking for the headers only.
    methods = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error_document(
                    "xml", 404, _("Unknown format “%(fmt)s”: use xml or json.") % {"fmt": fmt}
                )
            if request.method not in methods:
                response = error_document(
                    fmt,
                    400,
                    _("Method %(method)s is not allowed here.") % {"method": request.method},
                )
                response["Allow"] = ", ".join(methods)
                return response
            call = Call(request=request, fmt=fmt, api_key=None)
            try:
                _check_jurisdiction(call.get("jurisdiction_id"))
                raw_key = call.get("api_key")
                if raw_key:
                    call.api_key = actions.authenticate(raw_key)
                    actions.count_call(call.api_key)
                return view(call, *args, **kwargs)
            except CaseError as exc:
                # The specification's error document is a list: every problem found.
                response = error_document(
                    fmt, _http_status(exc), *(str(problem.message) for problem in exc.every())
                )
                if response.status_code == 429:
                    response["Retry-After"] = "60"
                return response

        return wrapper

    return decorate


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under the endpoint: a 404 error document, not an HTML page."""
    fmt = "json" if path.lower().endswith(".json") else "xml"
    return error_document(fmt, 404, _("No such resource in this Open311 endpoint."))


# --- parameters --------------------------------------------------------------------------


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _date(call: Call, name: str) -> dt.datetime | None:
    raw = call.get(name)
    if not raw:
        return None
    moment = parse_w3c(raw)
    if moment is None:
        raise InvalidInput(
            _("%(name)s must be a W3C date-time, like 2024-05-01T00:00:00+08:00.") % {"name": name},
            field=name,
        )
    return moment


def _window(call: Call) -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date: the most recent 90 days by default, never more than 90 days."""
    start, end = _date(call, "start_date"), _date(call, "end_date")
    if start is None and end is None:
        # The same days as the public board's "last 90 days" (whole local days), so a
        # journalist counting both gets one number.
        return period_start("90d"), timezone.now()
    if start is None:
        assert end is not None
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise InvalidInput(_("end_date is before start_date."), field="end_date")
    if end - start > MAX_SPAN:
        raise InvalidInput(
            _("start_date and end_date may not span more than 90 days."), field="start_date"
        )
    return start, end


def _positive(call: Call, name: str, default: int, maximum: int | None = None) -> int:
    raw = call.get(name)
    if not raw:
        return default
    number = actions.parse_id(raw)
    if number is None or number < 1 or (maximum is not None and number > maximum):
        if maximum is None:
            message = _("%(name)s must be a whole number from 1.") % {"name": name}
        else:
            message = _("%(name)s must be a whole number from 1 to %(max)d.") % {
                "name": name,
                "max": maximum,
            }
        raise InvalidInput(message, field=name)
    return number


def _page(call: Call) -> tuple[int, int]:
    page = _positive(call, "page", 1, MAX_PAGE)
    size = _positive(call, "page_size", MAX_ROWS, MAX_ROWS)
    return (page - 1) * size, size


def _attributes(request: HttpRequest) -> dict[str, list[str]]:
    """attribute[code]=v, and attribute[code][]=a&attribute[code][]=b for multi-value lists."""
    out: dict[str, list[str]] = defaultdict(list)
    for key in request.POST:
        match = ATTRIBUTE_RE.match(key)
        if match:
            out[match.group(1)].extend(request.POST.getlist(key))
    return out


# --- endpoints ---------------------------------------------------------------------------


@endpoint("GET")
def discovery(call: Call) -> HttpResponse:
    base = call.request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "xml"}))
    base = base.rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("Hotline %(hotline)s") % {"hotline": settings.MINSHENG_HOTLINE},
        "key_service": _("API keys are issued by the administrators of this installation."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": [XML_CONTENT_TYPE.split(";")[0], JSON_CONTENT_TYPE.split(";")[0]],
            }
        ],
    }
    return respond(call.fmt, "discovery", data)


@endpoint("GET")
def services(call: Call) -> HttpResponse:
    data = [serializers.service(s) for s in selectors.list_services()]
    return respond(call.fmt, "services", data)


def _service(code: str) -> selectors.Service:
    service = selectors.get_service(code)
    if service is None:
        raise NotFound(_("No service has the service_code “%(code)s”.") % {"code": code})
    return service


@endpoint("GET")
def service_definition(call: Call, service_code: str) -> HttpResponse:
    data = serializers.service_definition(_service(service_code))
    return respond(call.fmt, "service_definition", data)


@endpoint("GET", "POST")
def service_requests(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        return _create_request(call)
    ids_raw = call.get("service_request_id")
    if ids_raw:
        ids = _split(ids_raw)
        if any(actions.parse_id(i) is None for i in ids):
            raise InvalidInput(
                _("service_request_id must be a comma-separated list of ids."),
                field="service_request_id",
            )
        if len(ids) > MAX_ROWS:
            raise InvalidInput(
                _("Ask for at most %(n)d requests at once.") % {"n": MAX_ROWS},
                field="service_request_id",
            )
        cases = selectors.requests_by_ids([int(i) for i in ids])
    else:
        start, end = _window(call)
        statuses = _split(call.get("status").lower())
        if any(s not in ("open", "closed") for s in statuses):
            raise InvalidInput(_("status must be open, closed or both."), field="status")
        offset, limit = _page(call)
        cases = selectors.search_requests(
            start=start,
            end=end,
            service_codes=_split(call.get("service_code")),
            statuses=statuses,
            offset=offset,
            limit=limit,
        )
    return _requests_document(call, cases)


def _requests_document(call: Call, cases: list) -> HttpResponse:  # type: ignore[type-arg]
    extensions = call.get("extensions").lower() == "true"
    details = selectors.request_details(cases, extensions=extensions)
    data = [
        serializers.service_request(c, details, extensions=extensions, api_key=call.api_key)
        for c in cases
    ]
    return respond(call.fmt, "service_requests", data)


def _create_request(call: Call) -> HttpResponse:
    if call.api_key is None:
        raise NotPermitted(_("An api_key is required to create a request."))
    code = call.get("service_code")
    if not code:
        raise InvalidInput(_("service_code is required."), field="service_code")
    service = _service(code)
    case = actions.create_request(
        api_key=call.api_key,
        service=service,
        description=call.request.POST.get("description", ""),
        lat=call.get("lat"),
        lon=call.get("long"),
        address_string=call.get("address_string"),
        address_id=call.get("address_id"),
        attributes=_attributes(call.request),
        first_name=call.get("first_name"),
        last_name=call.get("last_name"),
        phone=call.get("phone"),
        language=get_language() or settings.LANGUAGE_CODE,
    )
    data = [
        {
            "service_request_id": str(case.pk),
            "service_notice": _(
                "Recorded. The resident follows this request with the tracking code %(code)s."
            )
            % {"code": case.tracking_code},
            # No account_id: minsheng keeps no accounts of residents (and the schema wants a
            # string where one is given).
        }
    ]
    return respond(call.fmt, "service_requests", data)


@endpoint("GET")
def request_detail(call: Call, service_request_id: str) -> HttpResponse:
    case_id = actions.parse_id(service_request_id)
    case = selectors.get_request(case_id) if case_id is not None else None
    if case is None:
        raise NotFound(
            _("No request has the service_request_id “%(id)s”.") % {"id": service_request_id}
        )
    return _requests_document(call, [case])


@endpoint("GET")
def token(call: Call, token: str) -> HttpResponse:
    case = selectors.request_by_token(token)
    if case is None:
        raise NotFound(_("No request has the token “%(token)s”.") % {"token": token})
    data = [{"service_request_id": str(case.pk), "token": case.tracking_code}]
    return respond(call.fmt, "service_requests", data)


@endpoint("GET", "POST")
def service_request_updates(call: Call) -> HttpResponse:
    if call.request.method == "POST":
        return _post_update(call)
    start, end = _window(call)
    offset, limit = _page(call)
    events = selectors.search_updates(start=start, end=end, offset=offset, limit=limit)
    terms = selectors.private_terms(list({e.case_id for e in events}))
    data = [serializers.update(e, terms.get(e.case_id, ())) for e in events]
    return respond(call.fmt, "service_request_updates", data)


def _post_update(call: Call) -> HttpResponse:
    if call.api_key is None:
        raise NotPermitted(_("An api_key is required to post an update."))
    for name in ("service_request_id", "status"):
        if not call.get(name):
            raise InvalidInput(_("%(name)s is required.") % {"name": name}, field=name)
    _date(call, "updated_datetime")
    event = actions.post_update(
        api_key=call.api_key,
        service_request_id=call.get("service_request_id"),
        status=call.get("status"),
        description=call.request.POST.get("description", ""),
        update_id=call.get("update_id"),
        duplicate_of=call.get("duplicate_of"),
    )
    return respond(call.fmt, "service_request_updates", [{"update_id": str(event.pk)}])
