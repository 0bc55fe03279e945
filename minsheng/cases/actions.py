"""Every change of a case's state. Views, the API, commands and tasks call only these.

Each public function: fetches the case locked (SELECT … FOR UPDATE), checks the actor's
right and the transition table, refuses a stale expected version, changes the row with a
guarded UPDATE, and appends exactly one Event. Any error leaves the database untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import User
from minsheng.cases.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted, StaleCase
from minsheng.cases.models import (
    RUNNING_STATUSES,
    ActorKind,
    Case,
    Channel,
    Event,
    EventKind,
    Extension,
    ExtensionStatus,
    Feedback,
    Priority,
    Status,
    new_tracking_code,
)
from minsheng.cases.redaction import redact
from minsheng.cases.rules import (
    ADD_PHOTOS,
    EXTEND,
    EXTENDABLE_STATUSES,
    GRANT_EXTENSION,
    RATE,
    REFUSE_EXTENSION,
    may_take,
    pending_extension,
    runs_against_deadline,
    system_may_dispatch,
)
from minsheng.cases.signals import announce
from minsheng.cases.transitions import Action, next_status
from minsheng.cases.validation import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    TITLE_MAX,
    clean_coordinates,
    clean_phone,
    clean_text,
)
from minsheng.contacts.crypto import encrypt
from minsheng.contacts.models import Contact
from minsheng.directory.calendar import WorkingCalendar
from minsheng.directory.models import UNSURE_CATEGORY, Area, AreaKind, Category, Unit
from minsheng.photos.images import NO_PHOTOS, PhotoBatch
from minsheng.photos.storage import store_photos

logger = logging.getLogger(__name__)

RESIDENT_AREA_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY, AreaKind.GRID)


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff user, the resident (holder of the tracking code), or the system."""

    user: User | None
    kind: str

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(user=user, kind=ActorKind.STAFF)


RESIDENT = Actor(user=None, kind=ActorKind.RESIDENT)
SYSTEM = Actor(user=None, kind=ActorKind.SYSTEM)


def _as_actor(actor: User | Actor) -> Actor:
    return actor if isinstance(actor, Actor) else Actor.staff(actor)


# --- shared machinery --------------------------------------------------------------------


def lock_case(case: Case | int, expected_version: int | None = None) -> Case:
    """The case row, locked for this transaction; StaleCase if it moved since the user looked.

    The version is compared before any permission check, so the loser of a race hears
    "someone else changed this case" rather than a confusing refusal.
    """
    case_id = case if isinstance(case, int) else case.pk
    try:
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("category", "area", "current_unit")
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound() from exc
    if expected_version not in (None, "") and str(expected_version) != str(locked.version):
        raise StaleCase()
    return locked


def _check_transition(case: Case, action: Action) -> Status:
    target = next_status(case.status, action)
    if target is None:
        raise InvalidTransition(
            _("“%(action)s” is not possible for a case that is “%(status)s”.")
            % {"status": case.get_status_display(), "action": action.label}
        )
    return target


def _apply(
    case: Case,
    *,
    actor: Actor,
    kind: EventKind,
    to_status: Status | None = None,
    note: str = "",
    unit: Unit | None = None,
    is_public: bool = True,
    data: dict | None = None,
    changes: dict | None = None,
) -> Event:
    """Write the case's new state (guarded by version) and its one event."""
    now = timezone.now()
    from_status = case.status
    fields = dict(changes or {})
    if to_status is not None:
        fields["status"] = to_status
    fields["version"] = case.version + 1
    fields["updated_at"] = now
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(**fields)
    if updated != 1:
        raise StaleCase()
    for name, value in fields.items():
        setattr(case, name, value)
    event = Event.objects.create(
        case=case,
        kind=kind,
        actor=actor.user,
        actor_kind=actor.kind,
        created_at=now,
        from_status=from_status,
        to_status=case.status,
        unit=unit if unit is not None else case.current_unit,
        note=note,
        is_public=is_public,
        data=data or {},
    )
    announce(event)
    return event


def _deadline_for(
    case: Case, unit: Unit, start: dt.datetime, category: Category | None = None
) -> dt.datetime:
    days = (category or case.category).limit_for(unit.level)
    return WorkingCalendar.load().add_working_days(start, days)


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotPermitted()


def _reason(value: object, *, label: str, field: str = "reason") -> str:
    return clean_text(value, field=field, label=label, max_length=NOTE_MAX)


# --- intake ------------------------------------------------------------------------------


TITLE_CHARS = 30  # a title made from a description: about one line on a phone
TITLE_CHARS_SPACED = 50  # Uyghur and English need more letters for the same words


class _Checks:
    """Every field is checked before refusing, so a form shows all its problems at once."""

    def __init__(self) -> None:
        self.problems: list[InvalidInput] = []

    def __call__(self, check, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return check(*args, **kwargs)
        except InvalidInput as exc:
            self.problems.append(exc)
            return None

    def raise_all(self) -> None:
        if self.problems:
            raise InvalidInput.together(self.problems)


def title_from(description: str) -> str:
    """The title of a case reported without one: the start of the description's first
    line, cut at a word where words are spaced. Phone and ID numbers are masked first — a
    number cut in half by the "…" would no longer look like one to the board's redaction,
    and half a phone number is still someone's phone number."""
    line = redact(description.splitlines()[0] if description else "").strip()
    limit = TITLE_CHARS_SPACED if " " in line[:TITLE_CHARS_SPACED] else TITLE_CHARS
    if len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    if space >= limit // 2 and not line[limit].isspace():
        cut = cut[:space]
    return cut.rstrip() + "…"


@transaction.atomic
def submit_case(
    *,
    actor: User | Actor,
    title: str,
    description: str,
    category: Category | int | None,
    area: Area | int | None,
    channel: str = Channel.WEB,
    address: str = "",
    latitude: object = None,
    longitude: object = None,
    contact_name: str = "",
    contact_phone: str = "",
    language: str = "zh-hans",
    priority: str = Priority.NORMAL,
    submission_key: str | None = None,
    raised_at: dt.datetime | None = None,
    photos: PhotoBatch = NO_PHOTOS,
) -> Case:
    """Record a new case. Residents use the web form; operators record calls and visits.

    ``photos`` (prepared by ``minsheng.photos.images.prepare_photos`` before the
    transaction) belong to the "submitted" event; a refused batch is reported with the
    other fields' problems and nothing is stored.

    A repeated ``submission_key`` returns the case first created with it, so a double
    click or a retried request never makes two cases. ``raised_at`` keeps the original
    date of a request copied from a paper or Excel ledger (import channel only).
    """
    actor = _as_actor(actor)
    if submission_key:
        existing = Case.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    checked = _Checks()
    description = checked(
        clean_text,
        description,
        field="description",
        label=_("description"),
        max_length=DESCRIPTION_MAX,
    )
    title = checked(
        clean_text, title, field="title", label=_("title"), max_length=TITLE_MAX, required=False
    )
    if not title and description:
        title = title_from(description)
    address = checked(
        clean_text, address, field="address", label=_("address"), max_length=200, required=False
    )
    latitude, longitude = checked(clean_coordinates, latitude, longitude) or (None, None)
    contact_name = checked(
        clean_text,
        contact_name,
        field="contact_name",
        label=_("name"),
        max_length=60,
        required=False,
    )
    contact_phone = checked(clean_phone, contact_phone)

    area_obj = checked(
        _resolve, Area, area, field="area", message=_("Please choose a valid village or community.")
    )
    cat_obj = checked(_active_category, category)
    prepared = checked(photos.checked) or ()
    checked.raise_all()
    if channel not in Channel.values:
        raise InvalidInput(_("Unknown channel."), field="channel")
    if priority not in Priority.values:
        raise InvalidInput(_("Unknown priority."), field="priority")
    if actor.kind == ActorKind.STAFF:
        _require(
            perms.is_staff_user(actor.user)
            and (perms.area_in_scope(actor.user, area_obj) or _unit_covers(actor.user, area_obj))
        )
    elif area_obj.kind not in RESIDENT_AREA_KINDS:
        raise InvalidInput(_("Please choose a valid village or community."), field="area")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE

    now = timezone.now()
    if raised_at is not None:
        if channel != Channel.IMPORT:
            raise InvalidInput(_("Only imported ledger rows may carry an earlier date."))
        if raised_at > now:
            raise InvalidInput(_("The date lies in the future."), field="raised_at")
        now = raised_at
    case = Case(
        tracking_code=new_tracking_code(),
        title=title,
        description=description,
        category=cat_obj,
        area=area_obj,
        area_path=area_obj.path,
        address=address,
        latitude=latitude,
        longitude=longitude,
        channel=channel,
        priority=priority,
        language=language,
        created_by=actor.user,
        submission_key=submission_key or None,
        created_at=now,
        updated_at=now,
    )
    for attempt in range(5):
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            break
        except IntegrityError:
            # Same submission key raced in from a second request: hand back the winner.
            if submission_key:
                winner = Case.objects.filter(submission_key=submission_key).first()
                if winner is not None:
                    return winner
            # Otherwise a random tracking code collided (rare, but certain at region
            # scale): draw another one.
            if attempt == 4:
                raise
            case.pk = None
            case.tracking_code = new_tracking_code()
    if contact_name or contact_phone:
        Contact.objects.create(
            case=case, name_encrypted=encrypt(contact_name), phone_encrypted=encrypt(contact_phone)
        )
    event = Event.objects.create(
        case=case,
        kind=EventKind.SUBMITTED,
        actor=actor.user,
        actor_kind=actor.kind,
        created_at=now,
        to_status=Status.SUBMITTED,
        data={"channel": channel},
    )
    store_photos(event=event, photos=prepared)
    announce(event)
    return case


def _unit_covers(user: User, area: Area) -> bool:
    """Work-team members record requests for the areas their own units cover."""
    return any(
        area.path.startswith(a.path)
        for unit in user.units.prefetch_related("areas")
        for a in unit.areas.all()
    )


def _active_category(value: object) -> Category:
    """The case's category, "other" when none is given; InvalidInput if it is unknown or
    no longer in use."""
    if value in (None, ""):
        found = Category.objects.filter(code=UNSURE_CATEGORY).first()
    else:
        found = _resolve(
            Category, value, field="category", message=_("Please choose a valid category.")
        )
    if found is None or not found.is_active:
        raise InvalidInput(_("Please choose a valid category."), field="category")
    return found


def _resolve(model, value, *, field: str, message: str):  # type: ignore[no-untyped-def]
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=int(value))
    except (TypeError, ValueError, model.DoesNotExist) as exc:
        raise InvalidInput(message, field=field) from exc


# --- routing and handling ----------------------------------------------------------------


@transaction.atomic
def dispatch_case(
    *,
    actor: User | Actor,
    case: Case | int,
    unit: Unit | int,
    note: str = "",
    expected_version: int | None = None,
    automatic: bool = False,
    category: Category | int | None = None,
) -> Case:
    """Send a case to the unit that must handle it; its deadline starts now at that level.

    ``category``: the operator's correction of the category (a resident who was not sure
    leaves "other"); the dispatch event records the change, and the deadline follows the
    new category's time limits. ``None`` keeps the category.

    ``automatic``: the triage auto-dispatcher acting as the system (see
    ``rules.system_may_dispatch``); no other caller dispatches as the system.
    """
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    if automatic or actor.kind == ActorKind.SYSTEM:
        _require(system_may_dispatch(actor.kind, case, automatic=automatic))
    else:
        _require(may_take(actor.user, case, Action.DISPATCH))
    target = _check_transition(case, Action.DISPATCH)
    checked = _Checks()
    unit_obj = checked(_active_unit, unit)
    cat_obj = case.category if category in (None, "") else checked(_active_category, category)
    note = checked(
        clean_text, note, field="note", label=_("note"), max_length=NOTE_MAX, required=False
    )
    checked.raise_all()
    now = timezone.now()
    data: dict = {"automatic": True} if automatic else {}
    changes = {
        "current_unit": unit_obj,
        "level": unit_obj.level,
        "deadline": _deadline_for(case, unit_obj, now, cat_obj),
        "dispatched_at": case.dispatched_at or now,
        "overdue_at_top": False,
    }
    if cat_obj.pk != case.category_id:
        data["category"] = {"from": case.category.code, "to": cat_obj.code}
        changes["category"] = cat_obj
    _apply(
        case,
        actor=actor,
        kind=EventKind.DISPATCHED,
        to_status=target,
        note=note,
        unit=unit_obj,
        data=data,
        changes=changes,
    )
    return case


def _active_unit(value: object) -> Unit:
    found = _resolve(Unit, value, field="unit", message=_("Please choose a valid unit."))
    if not found.is_active:
        raise InvalidInput(_("Please choose a valid unit."), field="unit")
    return found


@transaction.atomic
def accept_case(
    *, actor: User | Actor, case: Case | int, expected_version: int | None = None
) -> Case:
    """The holding unit takes the case on; the deadline keeps running."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, Action.ACCEPT))
    target = _check_transition(case, Action.ACCEPT)
    _apply(
        case,
        actor=actor,
        kind=EventKind.ACCEPTED,
        to_status=target,
        changes={"accepted_at": case.accepted_at or timezone.now()},
    )
    return case


@transaction.atomic
def add_note(
    *,
    actor: User | Actor,
    case: Case | int,
    note: str,
    is_public: bool = True,
    expected_version: int | None = None,
    photos: PhotoBatch = NO_PHOTOS,
) -> Case:
    """A progress note; the first one moves an accepted case to "in progress".

    Its ``photos`` are for staff only, whatever ``is_public`` says: residents see the
    resolution's photos, the public board and Open311 none.
    """
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, Action.NOTE))
    target = _check_transition(case, Action.NOTE)
    checked = _Checks()
    note = checked(clean_text, note, field="note", label=_("note"), max_length=NOTE_MAX)
    prepared = checked(photos.checked) or ()
    checked.raise_all()
    event = _apply(
        case, actor=actor, kind=EventKind.NOTE, to_status=target, note=note, is_public=is_public
    )
    store_photos(event=event, photos=prepared)
    return case


@transaction.atomic
def return_case(
    *, actor: User | Actor, case: Case | int, reason: str, expected_version: int | None = None
) -> Case:
    """A mis-routed case goes back to dispatch with the reason; it leaves the unit's queue."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, Action.RETURN))
    target = _check_transition(case, Action.RETURN)
    reason = _reason(reason, label=_("reason"))
    returning_unit = case.current_unit
    _apply(
        case,
        actor=actor,
        kind=EventKind.RETURNED,
        to_status=target,
        note=reason,
        unit=returning_unit,
        changes={"current_unit": None, "level": None, "deadline": None},
    )
    return case


@transaction.atomic
def escalate_case(
    *,
    actor: User | Actor,
    case: Case | int,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Hand the case up to the holding unit's parent, with a fresh deadline at that level."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    if actor.kind != ActorKind.SYSTEM:
        _require(may_take(actor.user, case, Action.ESCALATE))
    target = _check_transition(case, Action.ESCALATE)
    reason = _reason(reason, label=_("reason"))
    parent = case.current_unit.parent if case.current_unit else None
    if parent is None:
        raise InvalidTransition(
            _("This case is already with the highest unit; it cannot climb further.")
        )
    now = timezone.now()
    _apply(
        case,
        actor=actor,
        kind=EventKind.ESCALATED,
        to_status=target,
        note=reason,
        unit=parent,
        data={"from_unit": case.current_unit_id, "from_unit_name": case.current_unit.name},
        changes={
            "current_unit": parent,
            "level": parent.level,
            "deadline": _deadline_for(case, parent, now),
            "escalation_count": case.escalation_count + 1,
        },
    )
    return case


@transaction.atomic
def resolve_case(
    *,
    actor: User | Actor,
    case: Case | int,
    resolution: str,
    expected_version: int | None = None,
    photos: PhotoBatch = NO_PHOTOS,
) -> Case:
    """The unit reports the problem solved; the resident is asked to confirm and rate.

    ``photos`` of the finished work (现场照片) are shown to the resident with the
    resolution, as the proof they rate.
    """
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, Action.RESOLVE))
    target = _check_transition(case, Action.RESOLVE)
    checked = _Checks()
    resolution = checked(
        clean_text, resolution, field="resolution", label=_("resolution"), max_length=NOTE_MAX
    )
    prepared = checked(photos.checked) or ()
    checked.raise_all()
    event = _apply(
        case,
        actor=actor,
        kind=EventKind.RESOLVED,
        to_status=target,
        note=resolution,
        changes={"resolution": resolution, "resolved_at": timezone.now()},
    )
    store_photos(event=event, photos=prepared)
    return case


@transaction.atomic
def add_photos(
    *,
    actor: User | Actor,
    case: Case | int,
    photos: PhotoBatch,
    expected_version: int | None = None,
) -> Case:
    """Photos on their own (the API's upload): one internal "photos added" event, seen by
    staff who may read the case. The status does not change; an ended case takes none."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, ADD_PHOTOS))
    if not case.is_open:
        raise InvalidTransition(
            _("Photos can be added while a case is open; this one is “%(status)s”.")
            % {"status": case.get_status_display()}
        )
    prepared = photos.checked()
    if not prepared:
        raise InvalidInput(_("Please choose at least one photo."), field="photos")
    event = _apply(
        case,
        actor=actor,
        kind=EventKind.PHOTOS,
        is_public=False,
        data={"photos": len(prepared)},
    )
    store_photos(event=event, photos=prepared)
    return case


@transaction.atomic
def rate_case(
    *,
    actor: User | Actor,
    case: Case | int,
    rating: object,
    is_solved: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> Case:
    """The resident's verdict on a resolved case: closes it, or reopens it if unsatisfied.

    A rating of 1–2 or "not solved" reopens the case at the unit that resolved it.
    Staff may record a rating the resident gave on a call-back.
    """
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    if actor.kind == ActorKind.STAFF:
        _require(may_take(actor.user, case, RATE))
    if case.status != Status.RESOLVED:
        raise InvalidTransition(
            _("A case can be rated once the unit reports it resolved; it is “%(status)s” now.")
            % {"status": case.get_status_display()}
        )
    try:
        rating_int = int(rating)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Please give a rating from 1 to 5."), field="rating") from exc
    if not 1 <= rating_int <= 5:
        raise InvalidInput(_("Please give a rating from 1 to 5."), field="rating")
    comment = clean_text(
        comment, field="comment", label=_("comment"), max_length=NOTE_MAX, required=False
    )
    satisfied = bool(is_solved) and rating_int >= 3
    action = Action.CLOSE if satisfied else Action.REOPEN
    target = _check_transition(case, action)
    now = timezone.now()
    Feedback.objects.create(
        case=case,
        rating=rating_int,
        is_solved=bool(is_solved),
        comment=comment,
        recorded_by=actor.user,
        created_at=now,
    )
    _apply(
        case,
        actor=actor,
        kind=EventKind.RATED,
        note=comment,
        data={"rating": rating_int, "is_solved": bool(is_solved)},
    )
    if satisfied:
        _apply(
            case, actor=actor, kind=EventKind.CLOSED, to_status=target, changes={"closed_at": now}
        )
    else:
        unit = case.current_unit
        _apply(
            case,
            actor=actor,
            kind=EventKind.REOPENED,
            to_status=target,
            note=comment,
            changes={
                "reopen_count": case.reopen_count + 1,
                "resolved_at": None,
                "deadline": _deadline_for(case, unit, now) if unit else None,
            },
        )
    return case


@transaction.atomic
def close_unrated_case(*, case: Case | int) -> Case:
    """The sweep closes a resolved case the resident left unrated past the waiting period."""
    case = lock_case(case)
    target = _check_transition(case, Action.CLOSE)
    _apply(
        case,
        actor=SYSTEM,
        kind=EventKind.CLOSED,
        to_status=target,
        note=_("Closed without a rating after %(days)d days.")
        % {"days": settings.MINSHENG_AUTO_CLOSE_DAYS},
        changes={"closed_at": timezone.now()},
    )
    return case


@transaction.atomic
def merge_case(
    *,
    actor: User | Actor,
    case: Case | int,
    into: Case | int,
    expected_version: int | None = None,
) -> Case:
    """Fold a duplicate into another open case; its resident follows the surviving case."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, Action.MERGE))
    target = _check_transition(case, Action.MERGE)
    survivor = _resolve(Case, into, field="into", message=_("No such case to merge into."))
    if survivor.pk == case.pk or survivor.status not in (
        Status.SUBMITTED,
        Status.RETURNED,
        Status.DISPATCHED,
        Status.ESCALATED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.REOPENED,
        Status.RESOLVED,
    ):
        raise InvalidInput(_("A case can only be merged into another open case."), field="into")
    if not perms.can_view_case(actor.user, survivor):
        raise NotPermitted()
    _apply(
        case,
        actor=actor,
        kind=EventKind.MERGED,
        to_status=target,
        # The survivor's tracking code stays out of the (public) note: a code is the key
        # to another resident's case.
        data={"into": survivor.pk, "into_code": survivor.tracking_code},
        changes={"merged_into": survivor, "closed_at": timezone.now()},
    )
    return case


@transaction.atomic
def decline_case(
    *, actor: User | Actor, case: Case | int, reason: str, expected_version: int | None = None
) -> Case:
    """Out of scope (for example about a person rather than a service): ends with a reason."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, Action.DECLINE))
    target = _check_transition(case, Action.DECLINE)
    reason = _reason(reason, label=_("reason"))
    _apply(
        case,
        actor=actor,
        kind=EventKind.DECLINED,
        to_status=target,
        note=reason,
        changes={"closed_at": timezone.now()},
    )
    return case


@transaction.atomic
def withdraw_case(
    *, actor: User | Actor, case: Case | int, reason: str = "", expected_version: int | None = None
) -> Case:
    """The resident no longer needs help (or asks an operator to withdraw on their behalf)."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    if actor.kind == ActorKind.STAFF:
        _require(may_take(actor.user, case, Action.WITHDRAW))
    target = _check_transition(case, Action.WITHDRAW)
    reason = clean_text(
        reason, field="reason", label=_("reason"), max_length=NOTE_MAX, required=False
    )
    _apply(
        case,
        actor=actor,
        kind=EventKind.WITHDRAWN,
        to_status=target,
        note=reason,
        changes={"closed_at": timezone.now()},
    )
    return case


@transaction.atomic
def flag_overdue_at_top(*, case: Case | int, now: dt.datetime | None = None) -> bool:
    """A case out of time with the highest unit cannot climb; say so on its timeline once.

    Returns whether it flagged: under the lock the case may turn out to have moved on.
    """
    case = lock_case(case)
    now = now or timezone.now()
    still_overdue = (
        case.status in RUNNING_STATUSES and case.deadline is not None and case.deadline < now
    )
    if case.overdue_at_top or not still_overdue:
        return False
    _apply(
        case,
        actor=SYSTEM,
        kind=EventKind.OVERDUE,
        note=_("Past its deadline at the highest level."),
        changes={"overdue_at_top": True},
    )
    return True


# The events that start a deadline: the unit's time limit counts from them.
DEADLINE_STARTS = (EventKind.DISPATCHED, EventKind.ESCALATED, EventKind.REOPENED)


@transaction.atomic
def recalculate_deadline(
    *,
    case: Case | int,
    touching: Iterable[dt.date] | None = None,
    calendar: WorkingCalendar | None = None,
) -> bool:
    """Count a running case's deadline again on today's working-day calendar, from the
    event that started it, after an administrator changed the calendar (the State
    Council's notice for a year). With ``touching``, only if one of those days lies in the
    case's deadline window. Writes one event when the deadline moved; returns whether."""
    case = lock_case(case)
    if case.status not in RUNNING_STATUSES or case.deadline is None or case.current_unit is None:
        return False
    started = (
        case.events.filter(kind__in=DEADLINE_STARTS)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    if started is None:
        return False
    calendar = calendar or WorkingCalendar.load()
    new = calendar.add_working_days(started, case.category.limit_for(case.current_unit.level))
    old = case.deadline
    if touching is not None:
        first = timezone.localtime(started).date()
        last = timezone.localtime(max(old, new)).date()
        if not any(first <= day <= last for day in touching):
            return False
    # The action that set it took its clock a moment before writing its event.
    if abs((new - old).total_seconds()) < 60:
        return False
    changes: dict = {"deadline": new}
    if case.overdue_at_top and new > timezone.now():
        changes["overdue_at_top"] = False  # in time again: flag it anew if it runs out
    _apply(
        case,
        actor=SYSTEM,
        kind=EventKind.DEADLINE,
        note=_("The working-day calendar changed: the deadline moves from %(old)s to %(new)s.")
        % {
            "old": timezone.localtime(old).strftime("%Y-%m-%d %H:%M"),
            "new": timezone.localtime(new).strftime("%Y-%m-%d %H:%M"),
        },
        data={"from": old.isoformat(), "to": new.isoformat()},
        changes=changes,
    )
    return True


@transaction.atomic
def set_board_visibility(
    *,
    actor: User | Actor,
    case: Case | int,
    hidden: bool,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Keep a case off the public board, or put it back, with the reason on record.

    Operators and supervisors in scope decide; the status does not change.
    """
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(perms.can_triage(actor.user, case))
    reason = _reason(reason, label=_("reason"))
    if case.hidden_from_board == hidden:
        return case
    _apply(
        case,
        actor=actor,
        kind=EventKind.HIDDEN if hidden else EventKind.SHOWN,
        note=reason,
        is_public=False,
        changes={"hidden_from_board": hidden},
    )
    return case


@transaction.atomic
def record_project_event(
    *,
    actor: User | Actor,
    case: Case | int,
    note: str,
    is_public: bool,
    data: dict,
    project_end: dt.date | None = None,
    restart_deadline: bool = False,
) -> Case:
    """A line on the case's timeline about a project it is part of (linked, unlinked,
    completed, cancelled). The status does not change; the project's own rules decided who
    may act.

    The deadline of a running case may change in the same event: ``project_end`` (linking)
    moves it to the end of the project's planned last day when that is later, so the sweep
    does not escalate a case whose remedy is months of work under way; ``restart_deadline``
    (unlinked, project cancelled or completed without resolving it) gives it the level's
    normal time limit again, counted from now. The event's data records the change.
    """
    actor = _as_actor(actor)
    case = lock_case(case)
    _require(actor.kind == ActorKind.SYSTEM or perms.can_view_case(actor.user, case))
    note = clean_text(note, field="note", label=_("note"), max_length=NOTE_MAX)
    data = dict(data)
    changes: dict = {}
    if runs_against_deadline(case) and case.current_unit is not None:
        new_deadline = None
        if project_end is not None:
            end = _end_of_day(project_end)
            if end > case.deadline:
                new_deadline = end
        elif restart_deadline:
            new_deadline = _deadline_for(case, case.current_unit, timezone.now())
        if new_deadline is not None and new_deadline != case.deadline:
            data["deadline"] = {"from": case.deadline.isoformat(), "to": new_deadline.isoformat()}
            changes = {"deadline": new_deadline, "overdue_at_top": False}
    _apply(
        case,
        actor=actor,
        kind=EventKind.PROJECT,
        note=note,
        is_public=is_public,
        data=data,
        changes=changes,
    )
    return case


def _end_of_day(day: dt.date) -> dt.datetime:
    """The end of a local day (24:00), as deadlines given as a date are kept."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0)))


# --- extensions (延期) -------------------------------------------------------------------


def _new_deadline(
    case: Case,
    *,
    days: object,
    until: object,
    calendar: WorkingCalendar,
    required: bool = True,
) -> dt.datetime | None:
    """The deadline asked for: ``days`` working days after the current deadline, or the
    end of the working day ``until``. One of the two (None for neither when not required)."""
    given_days = days not in (None, "")
    given_until = until not in (None, "")
    if given_days and given_until:
        raise InvalidInput(
            _("Give either a number of working days or a new deadline, not both."), field="days"
        )
    if not given_days and not given_until:
        if not required:
            return None
        raise InvalidInput(_("Give a number of working days or a new deadline."), field="days")
    if given_days:
        try:
            n = int(days)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                _("Please give a whole number of working days."), field="days"
            ) from exc
        if n < 1:
            raise InvalidInput(_("Please give a whole number of working days."), field="days")
        return calendar.add_working_days(case.deadline, n)
    if isinstance(until, dt.datetime):
        until = timezone.localtime(until).date()
    if not isinstance(until, dt.date):
        try:
            until = dt.date.fromisoformat(str(until))
        except ValueError as exc:
            raise InvalidInput(_("Please give the new deadline as a date."), field="until") from exc
    if not calendar.is_working_day(until):
        raise InvalidInput(
            _("%(date)s is not a working day; please choose a working day.")
            % {"date": until.isoformat()},
            field="until",
        )
    return _end_of_day(until)


def _check_extension(case: Case, new: dt.datetime, calendar: WorkingCalendar) -> None:
    field = "days"
    if new <= case.deadline or new <= timezone.now():
        raise InvalidInput(
            _("The new deadline must be later than the current one and than now."), field=field
        )
    limit = settings.MINSHENG_EXTENSION_MAX_DAYS
    # Whole working days added, counted as the calendar counts a deadline's days.
    if calendar.add_working_days(case.deadline, limit) < new:
        raise InvalidInput(
            _("One extension may add at most %(days)d working days.") % {"days": limit},
            field=field,
        )


@transaction.atomic
def request_extension(
    *,
    actor: User | Actor,
    case: Case | int,
    reason: str,
    days: object = None,
    until: object = None,
    expected_version: int | None = None,
) -> Extension:
    """The holding unit asks for more time, with the reason and the deadline it needs
    (a number of working days added to the current deadline, or a working day by whose end
    it will be done). The deadline does not move until an operator or supervisor grants it;
    the request is an internal event. One pending request per case, and at most
    ``MINSHENG_EXTENSIONS_PER_CASE`` granted over its life."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, EXTEND))
    if not runs_against_deadline(case) or case.status not in EXTENDABLE_STATUSES:
        raise InvalidTransition(
            _(
                "More time can be asked for once the unit has accepted the case, until it "
                "is resolved."
            )
        )
    if case.extension_count >= settings.MINSHENG_EXTENSIONS_PER_CASE:
        raise InvalidTransition(
            _("This case has had %(n)d extensions, the most a case may have.")
            % {"n": case.extension_count}
        )
    # A request left behind when the case moved on no longer stands; it makes way.
    stale = case.extensions.filter(status=ExtensionStatus.PENDING)
    if pending_extension(case) is not None:
        raise InvalidTransition(_("A request for more time is already waiting for a decision."))
    stale.update(status=ExtensionStatus.LAPSED)
    checked = _Checks()
    reason = checked(_reason, reason, label=_("reason"))
    calendar = WorkingCalendar.load()
    new = checked(_new_deadline, case, days=days, until=until, calendar=calendar)
    checked.raise_all()
    _check_extension(case, new, calendar)
    now = timezone.now()
    extension = Extension.objects.create(
        case=case,
        unit=case.current_unit,
        requested_by=actor.user,
        requested_at=now,
        reason=reason,
        old_deadline=case.deadline,
        requested_deadline=new,
    )
    _apply(
        case,
        actor=actor,
        kind=EventKind.EXTENSION_REQUESTED,
        note=reason,
        is_public=False,
        data={"extension": extension.pk, "deadline": case.deadline.isoformat(),
              "requested": new.isoformat()},
    )  # fmt: skip
    return extension


def _standing_request(case: Case) -> Extension:
    found = pending_extension(case)
    if found is None:
        raise InvalidTransition(
            _("There is no request for more time waiting on this case (it may have moved on).")
        )
    return Extension.objects.select_for_update().get(pk=found.pk)


@transaction.atomic
def grant_extension(
    *,
    actor: User | Actor,
    case: Case | int,
    note: str = "",
    days: object = None,
    until: object = None,
    expected_version: int | None = None,
) -> Extension:
    """An operator or supervisor in scope grants the pending request: the deadline moves to
    the requested one, or to an earlier one given here (``days`` after the current deadline
    or the end of the day ``until``). One public event says the deadline moved and to
    when; the reasons stay among staff. The case is no longer due or overdue under the
    old deadline."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, GRANT_EXTENSION))
    extension = _standing_request(case)
    note = clean_text(note, field="note", label=_("note"), max_length=NOTE_MAX, required=False)
    calendar = WorkingCalendar.load()
    new = _new_deadline(case, days=days, until=until, calendar=calendar, required=False)
    if new is None:
        new = extension.requested_deadline
    elif new > extension.requested_deadline:
        raise InvalidInput(
            _(
                "The unit asked for time until %(deadline)s; a grant may shorten that, "
                "not lengthen it."
            )
            % {"deadline": _local_text(extension.requested_deadline)},
            field="days",
        )
    _check_extension(case, new, calendar)
    now = timezone.now()
    Extension.objects.filter(pk=extension.pk).update(
        status=ExtensionStatus.GRANTED,
        decided_by=actor.user,
        decided_at=now,
        decision_note=note,
        granted_deadline=new,
    )
    extension.refresh_from_db()
    _apply(
        case,
        actor=actor,
        kind=EventKind.EXTENSION_GRANTED,
        note=note,
        data={
            "extension": extension.pk,
            "from": case.deadline.isoformat(),
            "to": new.isoformat(),
            "requested": extension.requested_deadline.isoformat(),
            "number": case.extension_count + 1,
        },
        changes={
            "deadline": new,
            "extension_count": case.extension_count + 1,
            "overdue_at_top": False,
        },
    )
    return extension


@transaction.atomic
def refuse_extension(
    *,
    actor: User | Actor,
    case: Case | int,
    reason: str,
    expected_version: int | None = None,
) -> Extension:
    """An operator or supervisor in scope refuses the pending request, with the reason;
    the deadline stays. The event is internal: for the resident nothing changed."""
    actor = _as_actor(actor)
    case = lock_case(case, expected_version)
    _require(may_take(actor.user, case, REFUSE_EXTENSION))
    extension = _standing_request(case)
    reason = _reason(reason, label=_("reason"))
    Extension.objects.filter(pk=extension.pk).update(
        status=ExtensionStatus.REFUSED,
        decided_by=actor.user,
        decided_at=timezone.now(),
        decision_note=reason,
    )
    extension.refresh_from_db()
    _apply(
        case,
        actor=actor,
        kind=EventKind.EXTENSION_REFUSED,
        note=reason,
        is_public=False,
        data={"extension": extension.pk, "requested": extension.requested_deadline.isoformat()},
    )
    return extension


def _local_text(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    if (local.hour, local.minute) == (0, 0):
        return f"{local.date() - dt.timedelta(days=1):%Y-%m-%d} 24:00"
    return f"{local:%Y-%m-%d %H:%M}"
