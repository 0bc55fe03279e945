"""Every write the Open311 door makes. Case changes go through ``minsheng.cases.actions``.

Raises ``minsheng.cases.errors.CaseError`` subclasses like the core, so the views turn
each into the error body the specification prescribes.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.cases import actions as case_actions
from minsheng.cases.errors import CaseError, InvalidInput, InvalidTransition, NotFound, NotPermitted
from minsheng.cases.models import Case, Channel, Event, Status
from minsheng.cases.transitions import Action, next_status
from minsheng.cases.validation import DESCRIPTION_MAX, clean_coordinates, clean_text
from minsheng.directory.models import Area
from minsheng.open311 import selectors
from minsheng.open311.models import (
    ApiKey,
    CaseAttributeValue,
    Datatype,
    PartnerUpdate,
    ServiceAttribute,
    Submission,
)
from minsheng.open311.w3c import parse_w3c

# Ids beyond a 64-bit integer cannot exist; the database would refuse to compare them.
MAX_ID = 2**63 - 1


def parse_id(value: str) -> int | None:
    """A positive database id written in ASCII digits, or None."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


class RateLimited(CaseError):
    status_code = 429
    default_message = gettext_lazy("Too many requests with this api_key. Try again in a minute.")


# --- keys and rate limit -------------------------------------------------------------------


def authenticate(raw: str) -> ApiKey:
    """The active key for a raw api_key, or NotPermitted (403) naming what is wrong."""
    key = (
        ApiKey.objects.select_related("user", "unit").filter(digest=ApiKey.hash(raw)).first()
        if raw
        else None
    )
    if key is None:
        raise NotPermitted(_("Invalid api_key."))
    if key.is_revoked:
        raise NotPermitted(_("This api_key has been revoked."))
    return key


def count_call(key: ApiKey, *, now: dt.datetime | None = None) -> None:
    """Count one call in the key's current minute; RateLimited (429) past its limit.

    A fixed one-minute window kept on the key row with guarded UPDATEs, so several web
    processes share one count without a cache server.
    """
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    rows = ApiKey.objects.filter(pk=key.pk)
    for _attempt in range(2):
        if rows.filter(window_start=minute, window_count__lt=key.rate_limit).update(
            window_count=F("window_count") + 1, last_used_at=now
        ):
            return
        if key.rate_limit > 0 and rows.exclude(window_start=minute).update(
            window_start=minute, window_count=1, last_used_at=now
        ):
            return
    raise RateLimited()


# --- POST requests -------------------------------------------------------------------------


def clean_attributes(
    attributes: list[ServiceAttribute], raw: dict[str, list[str]]
) -> list[tuple[ServiceAttribute, list[str]]]:
    """Checked answers for a service's attributes; InvalidInput names the first bad one.

    Codes the service does not define are ignored, as clients often send extra ones.
    """
    cleaned: list[tuple[ServiceAttribute, list[str]]] = []
    for attribute in attributes:
        if not attribute.variable:
            continue
        field = f"attribute[{attribute.code}]"
        values = [v.strip() for v in raw.get(attribute.code, []) if v and v.strip()]
        if not values:
            if attribute.required:
                raise InvalidInput(
                    _("Attribute %(code)s (%(question)s) is required.")
                    % {"code": attribute.code, "question": attribute.description},
                    field=field,
                )
            continue
        datatype = attribute.datatype
        if datatype != Datatype.MULTIVALUELIST and len(values) > 1:
            raise InvalidInput(
                _("Attribute %(code)s takes one value.") % {"code": attribute.code}, field=field
            )
        if datatype in (Datatype.STRING, Datatype.TEXT):
            limit = 255 if datatype == Datatype.STRING else DESCRIPTION_MAX
            text = clean_text(
                values[0], field=field, label=attribute.code, max_length=limit, required=False
            )
            if datatype == Datatype.STRING and "\n" in text:
                raise InvalidInput(
                    _("Attribute %(code)s takes a single line.") % {"code": attribute.code},
                    field=field,
                )
            values = [text]
        elif datatype == Datatype.NUMBER:
            try:
                number = float(values[0])
            except ValueError:
                number = math.nan
            if not math.isfinite(number):
                raise InvalidInput(
                    _("Attribute %(code)s must be a number.") % {"code": attribute.code},
                    field=field,
                )
        elif datatype == Datatype.DATETIME:
            moment = parse_w3c(values[0])
            if moment is None:
                raise InvalidInput(
                    _("Attribute %(code)s must be a date and time, like 2024-05-01T08:30:00+08:00.")
                    % {"code": attribute.code},
                    field=field,
                )
            values = [timezone.localtime(moment).isoformat(timespec="seconds")]
        else:
            keys = attribute.value_keys
            unknown = [v for v in values if v not in keys]
            if unknown:
                raise InvalidInput(
                    _("“%(value)s” is not one of the choices of attribute %(code)s.")
                    % {"value": unknown[0], "code": attribute.code},
                    field=field,
                )
            values = list(dict.fromkeys(values))
        cleaned.append((attribute, values))
    return cleaned


def resolve_location(
    *, lat: str, lon: str, address_string: str, address_id: str
) -> tuple[Area, float | None, float | None]:
    """The area a request is about, from address_id (Area.code), a point or an address.

    address_id is the most precise and wins; a point inside no boundary falls back to the
    address text.
    """
    if (lat == "") != (lon == ""):
        raise InvalidInput(_("Send both lat and long."), field="lat")
    latitude, longitude = clean_coordinates(lat, lon)
    area = None
    if address_id:
        area = selectors.area_by_code(address_id)
        if area is None:
            raise InvalidInput(
                _("No area has the address_id “%(id)s”.") % {"id": address_id}, field="address_id"
            )
    if area is None and latitude is not None and longitude is not None:
        area = selectors.area_at_point(lat=latitude, lon=longitude)
    if area is None and address_string:
        area = selectors.area_named_in(address_string)
    if area is None:
        if latitude is None and not address_string:
            raise InvalidInput(
                _("Give a location: lat and long, address_string or address_id."), field="lat"
            )
        raise InvalidInput(
            _("The location is not inside any village or community this service covers."),
            field="lat",
        )
    return area, latitude, longitude


def reporter_name(first_name: str, last_name: str) -> str:
    """Family name first and no space for Chinese names, "given family" otherwise."""
    first, last = first_name.strip(), last_name.strip()
    if first and last and _is_cjk(first + last):
        return last + first
    return " ".join(p for p in (first, last) if p)


def _is_cjk(text: str) -> bool:
    return all("CJK" in unicodedata.name(ch, "") for ch in text if not ch.isspace())


@transaction.atomic
def create_request(
    *,
    api_key: ApiKey,
    service: selectors.Service,
    description: str,
    lat: str = "",
    lon: str = "",
    address_string: str = "",
    address_id: str = "",
    attributes: dict[str, list[str]] | None = None,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    language: str = "zh-hans",
) -> Case:
    """A resident's report relayed by a partner app, recorded through ``submit_case``.

    Name and phone become the case's encrypted contact details. E-mail, device_id and
    account_id are not kept anywhere.
    """
    answers = clean_attributes(service.attributes, attributes or {})
    area, latitude, longitude = resolve_location(
        lat=lat, lon=lon, address_string=address_string, address_id=address_id
    )
    case = case_actions.submit_case(
        actor=case_actions.RESIDENT,
        title="",
        description=description,
        category=service.category,
        area=area,
        channel=Channel.API,
        address=address_string,
        latitude=latitude,
        longitude=longitude,
        contact_name=reporter_name(first_name, last_name),
        contact_phone=phone,
        language=language,
    )
    CaseAttributeValue.objects.bulk_create(
        CaseAttributeValue(case=case, attribute=attribute, value=values)
        for attribute, values in answers
    )
    Submission.objects.create(case=case, api_key=api_key)
    return case


# --- POST servicerequestupdates ------------------------------------------------------------

# The mySociety extended statuses a partner may post, and what each does to the case.
NOTE_STATUSES = ("OPEN", "INVESTIGATING", "IN_PROGRESS", "ACTION_SCHEDULED")
RESOLVE_STATUSES = ("FIXED", "CLOSED")
RETURN_STATUSES = ("NOT_COUNCILS_RESPONSIBILITY", "INTERNAL_REFERRAL", "FOR_TRIAGE")
DECLINE_STATUSES = ("NO_FURTHER_ACTION",)
MERGE_STATUSES = ("DUPLICATE",)
REOPEN_STATUSES = ("REOPEN",)
EXTENDED_STATUSES = (
    NOTE_STATUSES
    + RESOLVE_STATUSES
    + RETURN_STATUSES
    + DECLINE_STATUSES
    + MERGE_STATUSES
    + REOPEN_STATUSES
)
# A case waiting for its unit to take it on: work updates accept it first.
AWAITING_ACCEPTANCE = (Status.DISPATCHED, Status.ESCALATED, Status.REOPENED)


def plan_update(*, case_status: str, status: str, has_text: bool) -> list[Action]:
    """The lifecycle actions an update stands for, checked against the transition table.

    InvalidTransition (shown as 400) when the table does not allow them from the case's
    current status, before anything is written.
    """
    steps: list[Action] = []
    if status in NOTE_STATUSES + RESOLVE_STATUSES and case_status in AWAITING_ACCEPTANCE:
        steps.append(Action.ACCEPT)
    if status in NOTE_STATUSES:
        if has_text or not steps:
            steps.append(Action.NOTE)
    elif status in RESOLVE_STATUSES:
        steps.append(Action.RESOLVE)
    elif status in RETURN_STATUSES:
        steps.append(Action.RETURN)
    elif status in DECLINE_STATUSES:
        steps.append(Action.DECLINE)
    elif status in MERGE_STATUSES:
        steps.append(Action.MERGE)
    elif status in REOPEN_STATUSES:
        raise InvalidTransition(
            _("Only the resident can reopen a request, by rating its resolution.")
        )
    current = case_status
    for step in steps:
        target = next_status(current, step)
        if target is None:
            raise InvalidTransition(
                _("A request that is “%(status)s” cannot take the update %(update)s.")
                % {"status": Status(case_status).label, "update": status}
            )
        current = target
    return steps


@transaction.atomic
def post_update(
    *,
    api_key: ApiKey,
    service_request_id: str,
    status: str,
    description: str = "",
    update_id: str = "",
    duplicate_of: str = "",
) -> Event:
    """Apply a partner system's update to a case as the key's staff user.

    The status decides the action (note, resolve, return, decline, merge); a case still
    waiting to be accepted is accepted first. A repeated update_id from the same key returns
    the first result and changes nothing.
    """
    status = (status or "").strip().upper()
    if status not in EXTENDED_STATUSES:
        raise InvalidInput(
            _("Unknown status “%(status)s”. Use one of: %(choices)s.")
            % {"status": status, "choices": ", ".join(EXTENDED_STATUSES)},
            field="status",
        )
    if api_key.user is None:
        raise NotPermitted(_("This api_key may report problems but not update requests."))
    if len(update_id) > 100:
        raise InvalidInput(_("update_id is too long: at most 100 characters."), field="update_id")
    case = case_actions.lock_case(_request_id(service_request_id))
    if update_id:
        previous = PartnerUpdate.objects.filter(api_key=api_key, external_id=update_id).first()
        if previous is not None:
            if previous.case_id != case.pk:
                raise InvalidInput(
                    _("update_id “%(id)s” was already used for another request.")
                    % {"id": update_id},
                    field="update_id",
                )
            return previous.event
    if api_key.unit_id is not None and case.current_unit_id != api_key.unit_id:
        raise NotPermitted(_("This request is not held by the unit this api_key acts for."))
    steps = plan_update(case_status=case.status, status=status, has_text=bool(description))
    actor = api_key.user
    for step in steps:
        if step == Action.ACCEPT:
            case_actions.accept_case(actor=actor, case=case.pk)
        elif step == Action.NOTE:
            case_actions.add_note(actor=actor, case=case.pk, note=description)
        elif step == Action.RESOLVE:
            case_actions.resolve_case(actor=actor, case=case.pk, resolution=description)
        elif step == Action.RETURN:
            case_actions.return_case(actor=actor, case=case.pk, reason=description)
        elif step == Action.DECLINE:
            case_actions.decline_case(actor=actor, case=case.pk, reason=description)
        elif step == Action.MERGE:
            if not duplicate_of:
                raise InvalidInput(
                    _("A DUPLICATE update needs duplicate_of: the request it duplicates."),
                    field="duplicate_of",
                )
            into = parse_id(duplicate_of)
            if into is None:
                raise InvalidInput(
                    _("duplicate_of must be a service_request_id."), field="duplicate_of"
                )
            case_actions.merge_case(actor=actor, case=case.pk, into=into)
    event = Event.objects.filter(case_id=case.pk).order_by("-id").first()
    assert event is not None
    if update_id:
        try:
            with transaction.atomic():
                PartnerUpdate.objects.create(
                    api_key=api_key, external_id=update_id, case_id=case.pk, event=event
                )
        except IntegrityError as exc:
            raise InvalidInput(
                _("update_id “%(id)s” was already used.") % {"id": update_id}, field="update_id"
            ) from exc
    return event


def _request_id(value: str) -> int:
    case_id = parse_id(value)
    if case_id is None:
        raise NotFound(_("No request has the service_request_id “%(id)s”.") % {"id": value})
    return case_id
