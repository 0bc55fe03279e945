"""Request and response shapes of the JSON API; they are also its OpenAPI documentation.

No response schema has a field for a resident's name or phone except ``ContactOut``,
which only the audited reveal endpoint returns.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import StrictInt, StrictStr

from minsheng.accounts.models import Role
from minsheng.cases.models import Channel, EventKind, Priority, Status
from minsheng.cases.selectors import QueueBucket
from minsheng.directory.models import AreaKind

# Strict: pydantic would otherwise read JSON `true` as the id 1 and send a case to unit 1.
IdOrCode = StrictInt | StrictStr
Bucket = Literal["new", "due_soon", "overdue", "active", "all"]
Ordering = Literal["newest", "deadline"]

assert set(Bucket.__args__) == set(QueueBucket.CHOICES)  # type: ignore[attr-defined]

# --- errors ------------------------------------------------------------------------------


class ErrorPart(Schema):
    detail: str
    field: str | None = None


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the request's language.")
    field: str | None = Field(None, description="The input field at fault, if one is.")
    code: str = Field(description="Error class, e.g. InvalidInput, NotPermitted, StaleCase.")
    also: list[ErrorPart] = Field(
        default_factory=list,
        description="Further problems found in the same request (a new case with two bad "
        "fields), so a client can show them all at once.",
    )


class Issue(Schema):
    field: str | None
    location: str = Field(description="body, query or path")
    message: str


class ValidationErrorOut(ErrorOut):
    errors: list[Issue]


# --- tokens and the caller ---------------------------------------------------------------


class TokenIn(Schema):
    username: str
    password: str
    name: str = Field(description="What the token is for, e.g. 'hotline desk 3'.")


class TokenOut(Schema):
    token: str = Field(description="Shown once; only a digest is kept.")
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime = Field(
        description="The token is refused from then on (MINSHENG_API_TOKEN_DAYS after issue)."
    )


class UnitRef(Schema):
    id: int
    code: str
    name: str


class AreaRef(Schema):
    id: int
    code: str
    name: str
    label: str


class CategoryRef(Schema):
    id: int
    code: str
    label: str


class StaffRef(Schema):
    id: int
    username: str
    display_name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    is_administrator: bool
    units: list[UnitRef]
    scope_area: AreaRef | None


# --- reference data ----------------------------------------------------------------------


class AreaOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    name_ug: str
    label: str = Field(description="The name in the request's language.")
    kind: AreaKind
    parent_id: int | None
    depth: int


class AreaPage(Schema):
    items: list[AreaOut]
    next_offset: int | None = Field(
        description="Pass as offset for the next page; null at the end."
    )


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    name_ug: str
    label: str
    description: str
    limit_village: int = Field(description="Time limit in working days at village level.")
    limit_township: int
    limit_county: int


class UnitOut(Schema):
    id: int
    code: str
    name: str
    level: int
    level_label: str
    parent_id: int | None = Field(description="The unit a case escalates to.")
    is_active: bool
    area_ids: list[int] = Field(description="Areas the unit covers (with everything below).")


# --- cases (staff) -----------------------------------------------------------------------


class CaseRef(Schema):
    id: int
    tracking_code: str


class CaseSummary(Schema):
    id: int
    tracking_code: str
    title: str
    status: Status
    status_label: str
    priority: Priority
    channel: Channel
    category: CategoryRef
    area: AreaRef
    current_unit: UnitRef | None
    level: int | None
    deadline: dt.datetime | None
    is_overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null at the end."
    )


class ExtensionOut(Schema):
    """A unit's request for more time (延期) and the decision on it."""

    id: int
    case: CaseRef
    unit: UnitRef
    requested_by: StaffRef | None
    requested_at: dt.datetime
    reason: str = Field(description="For staff only; the resident never sees it.")
    old_deadline: dt.datetime = Field(description="The case's deadline when asked.")
    requested_deadline: dt.datetime
    status: Literal["pending", "granted", "refused", "lapsed"]
    decided_by: StaffRef | None
    decided_at: dt.datetime | None
    decision_note: str
    granted_deadline: dt.datetime | None


class CaseDetail(CaseSummary):
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    language: str
    resolution: str
    merged_into: CaseRef | None
    escalation_count: int
    reopen_count: int
    extension_count: int = Field(description="Extensions granted over the case's life.")
    pending_extension: ExtensionOut | None = Field(
        description="The unit's request for more time awaiting a decision, if any."
    )
    dispatched_at: dt.datetime | None
    accepted_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    has_contact: bool = Field(description="The resident left contact details (not shown here).")
    allowed_actions: list[str] = Field(
        description=(
            "What this user may do now: dispatch, accept, note, return, escalate, resolve, "
            "rate, merge, decline, withdraw, extend, grant_extension, refuse_extension, "
            "reveal_contact."
        )
    )
    proposed_unit: UnitRef | None = Field(
        description="The unit the routing rules propose, while the case awaits dispatch."
    )


class EventOut(Schema):
    id: int
    kind: EventKind
    kind_label: str
    created_at: dt.datetime
    actor_kind: str
    actor: StaffRef | None
    from_status: str
    to_status: str
    unit: UnitRef | None
    note: str
    is_public: bool
    data: dict


class PhotoOut(Schema):
    id: str = Field(description="The photo's id (a UUID).")
    case_id: int = Field(description="The case it belongs to: this one, or one merged into it.")
    event_id: int = Field(description="The event that added it (submitted, note, resolved…).")
    event_kind: EventKind
    added_by_kind: str
    added_by: StaffRef | None
    width: int
    height: int
    bytes: int
    sha256: str
    created_at: dt.datetime
    image_url: str
    thumbnail_url: str


class CaseIn(Schema):
    """A request an operator or work team records from a call, visit or meeting."""

    title: str = ""
    description: str
    category: IdOrCode | None = Field(None, description="Category id or code; default 'other'.")
    area: IdOrCode = Field(description="Area id or code.")
    channel: Channel = Channel.PHONE
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str = ""
    contact_phone: str = ""
    priority: Priority = Priority.NORMAL
    submission_key: str | None = Field(
        None, max_length=64, description="Repeat it on a retry to get the same case back."
    )


class VersionIn(Schema):
    expected_version: int | None = Field(
        None, description="The case version you saw; a newer one makes the request fail (409)."
    )


class DispatchIn(VersionIn):
    unit: IdOrCode = Field(description="Unit id or code.")
    note: str = Field("", description="For the unit; not shown to the resident.")
    category: IdOrCode | None = Field(
        None,
        description="Category id or code, to correct the case's category while dispatching "
        "(the deadline follows it); omitted: unchanged.",
    )


class NoteIn(VersionIn):
    note: str
    is_public: bool = Field(True, description="Shown (redacted) on the resident's timeline.")


class ReasonIn(VersionIn):
    reason: str


class OptionalReasonIn(VersionIn):
    reason: str = ""


class ExtensionIn(VersionIn):
    reason: str = Field(description="Why more time is needed; for staff only.")
    days: int | None = Field(
        None, description="Working days to add to the current deadline; or give until."
    )
    until: dt.date | None = Field(
        None, description="A working day by whose end the case will be done; or give days."
    )


class GrantExtensionIn(VersionIn):
    note: str = Field("", description="For staff only.")
    days: int | None = Field(
        None, description="A shorter grant: working days after the current deadline."
    )
    until: dt.date | None = Field(
        None, description="A shorter grant: the end of this working day. Neither: as asked."
    )


class ResolveIn(VersionIn):
    resolution: str


class RatingIn(VersionIn):
    rating: int = Field(description="1 (very unhappy) to 5 (very happy).")
    is_solved: bool
    comment: str = ""


class MergeIn(VersionIn):
    into: IdOrCode = Field(description="The surviving case: its id or tracking code.")


class RevealIn(Schema):
    reason: str = Field("", description="Why you need to call the resident; kept in the audit.")


class ContactOut(Schema):
    name: str
    phone: str


# --- resident ----------------------------------------------------------------------------


class PublicCaseIn(Schema):
    title: str = ""
    description: str
    category: IdOrCode | None = Field(None, description="Category id or code; default 'other'.")
    area: IdOrCode = Field(description="Village or community: id or code.")
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    contact_name: str = Field("", description="Optional; only the handling unit sees it.")
    contact_phone: str = Field("", description="Optional; only the handling unit sees it.")
    language: str = Field("zh-hans", description="zh-hans, en or ug: the language to answer in.")
    submission_key: str | None = Field(
        None, max_length=64, description="Repeat it on a retry to get the same case back."
    )


class PublicEventOut(Schema):
    kind: EventKind
    kind_label: str
    created_at: dt.datetime
    status: str
    status_label: str
    unit: str | None = Field(description="The unit's name; staff names are never shown.")
    note: str


class PublicSurvivorOut(Schema):
    status: str
    status_label: str
    current_unit: str | None
    deadline: dt.datetime | None
    timeline: list[PublicEventOut]


class PublicCaseOut(Schema):
    tracking_code: str
    status: Status
    status_label: str
    title: str
    description: str = Field(description="With phone, ID and e-mail numbers masked.")
    category: str
    area: str
    area_full_name: str
    current_unit: str | None
    deadline: dt.datetime | None
    is_overdue: bool
    created_at: dt.datetime
    resolution: str
    merged_into: PublicSurvivorOut | None = Field(
        description="Progress of the case this one was merged into (its code stays private)."
    )
    version: int = Field(description="Send as expected_version when rating.")
    can_rate: bool
    can_withdraw: bool
    timeline: list[PublicEventOut]


class PublicRatingIn(Schema):
    rating: int = Field(description="1 (very unhappy) to 5 (very happy).")
    is_solved: bool
    comment: str = ""
    expected_version: int | None = None


class PublicWithdrawIn(Schema):
    reason: str = ""
