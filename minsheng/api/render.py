"""Turn models into the plain dicts the response schemas describe.

Every field is listed by hand, so nothing reaches a client by accident. No function here
reads the contacts table; the reveal endpoint is the only door to a name or phone.
"""

from __future__ import annotations

from django.urls import reverse

from minsheng.accounts.models import User
from minsheng.cases.models import Case, Event, Extension, Status
from minsheng.cases.redaction import public_text
from minsheng.cases.rules import pending_extension
from minsheng.cases.transitions import Action, allowed_actions
from minsheng.contacts.selectors import private_terms
from minsheng.directory.models import Area, Category, Level, Unit
from minsheng.photos.models import Photo


def unit_ref(unit: Unit | None) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def area_ref(area: Area | None) -> dict | None:
    if area is None:
        return None
    return {"id": area.pk, "code": area.code, "name": area.name, "label": area.label}


def category_ref(category: Category) -> dict:
    return {"id": category.pk, "code": category.code, "label": category.label}


def me(user: User) -> dict:
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "is_administrator": user.is_administrator,
        "units": [unit_ref(u) for u in user.units.all()],
        "scope_area": area_ref(user.scope_area),
    }


def area(a: Area) -> dict:
    return {
        "id": a.pk,
        "code": a.code,
        "name": a.name,
        "name_en": a.name_en,
        "name_ug": a.name_ug,
        "label": a.label,
        "kind": a.kind,
        "parent_id": a.parent_id,
        "depth": a.depth,
    }


def category(c: Category) -> dict:
    return {
        "id": c.pk,
        "code": c.code,
        "name": c.name,
        "name_en": c.name_en,
        "name_ug": c.name_ug,
        "label": c.label,
        "description": c.description,
        "limit_village": c.limit_village,
        "limit_township": c.limit_township,
        "limit_county": c.limit_county,
    }


def unit(u: Unit) -> dict:
    return {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "level": u.level,
        "level_label": str(Level(u.level).label) if u.level in Level.values else "",
        "parent_id": u.parent_id,
        "is_active": u.is_active,
        "area_ids": [a.pk for a in u.areas.all()],
    }


def case_summary(case: Case) -> dict:
    return {
        "id": case.pk,
        "tracking_code": case.tracking_code,
        "title": case.title,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "priority": case.priority,
        "channel": case.channel,
        "category": category_ref(case.category),
        "area": area_ref(case.area),
        "current_unit": unit_ref(case.current_unit),
        "level": case.level,
        "deadline": case.deadline,
        "is_overdue": case.is_overdue,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "version": case.version,
    }


def case_detail(
    case: Case, *, allowed_actions: list[str], proposed_unit: Unit | None, has_contact: bool
) -> dict:
    merged = case.merged_into
    return {
        **case_summary(case),
        "description": case.description,
        "address": case.address,
        "latitude": case.latitude,
        "longitude": case.longitude,
        "language": case.language,
        "resolution": case.resolution,
        "merged_into": {"id": merged.pk, "tracking_code": merged.tracking_code} if merged else None,
        "escalation_count": case.escalation_count,
        "reopen_count": case.reopen_count,
        "extension_count": case.extension_count,
        "pending_extension": extension(pending) if (pending := pending_extension(case)) else None,
        "dispatched_at": case.dispatched_at,
        "accepted_at": case.accepted_at,
        "resolved_at": case.resolved_at,
        "closed_at": case.closed_at,
        "has_contact": has_contact,
        "allowed_actions": allowed_actions,
        "proposed_unit": unit_ref(proposed_unit),
    }


def _staff(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def extension(x: Extension) -> dict:
    return {
        "id": x.pk,
        "case": {"id": x.case_id, "tracking_code": x.case.tracking_code},
        "unit": unit_ref(x.unit),
        "requested_by": _staff(x.requested_by),
        "requested_at": x.requested_at,
        "reason": x.reason,
        "old_deadline": x.old_deadline,
        "requested_deadline": x.requested_deadline,
        "status": x.status,
        "decided_by": _staff(x.decided_by),
        "decided_at": x.decided_at,
        "decision_note": x.decision_note,
        "granted_deadline": x.granted_deadline,
    }


def event(e: Event) -> dict:
    actor = e.actor
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": str(e.get_kind_display()),
        "created_at": e.created_at,
        "actor_kind": e.actor_kind,
        "actor": (
            {"id": actor.pk, "username": actor.username, "display_name": actor.display_name}
            if actor is not None
            else None
        ),
        "from_status": e.from_status,
        "to_status": e.to_status,
        "unit": unit_ref(e.unit),
        "note": e.text,
        "is_public": e.is_public,
        "data": e.data,
    }


def _staff_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "display_name": user.display_name}


def photo(p: Photo, *, shown_on: int) -> dict:
    """A photo as listed under case ``shown_on`` (its own case, or the one it was merged
    into): the image addresses are under that case, where the reader's access was checked."""
    where = {"case_id": shown_on, "photo_id": p.uid}
    return {
        "id": str(p.uid),
        "case_id": p.case_id,
        "event_id": p.event_id,
        "event_kind": p.event.kind,
        "added_by_kind": p.added_by_kind,
        "added_by": _staff_ref(p.added_by),
        "width": p.width,
        "height": p.height,
        "bytes": p.bytes,
        "sha256": p.sha256,
        "created_at": p.created_at,
        "image_url": reverse("api:photo_image", kwargs=where),
        "thumbnail_url": reverse("api:photo_thumbnail", kwargs=where),
    }


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else ""


def public_event(e: Event, terms: tuple[str, ...] = ()) -> dict:
    return {
        "kind": e.kind,
        "kind_label": str(e.get_kind_display()),
        "created_at": e.created_at,
        "status": e.to_status,
        "status_label": _status_label(e.to_status),
        "unit": e.unit.label if e.unit is not None else None,
        "note": public_text(e.holder_note, terms),
    }


def public_case(case: Case, *, events: list[Event]) -> dict:
    """What anyone holding the tracking code may read: no staff names, no contact details,
    free text redacted."""
    merged = case.merged_into
    moves = allowed_actions(case.status)
    terms = private_terms([case.pk, *([merged.pk] if merged else [])])
    own = terms.get(case.pk, ())
    return {
        "tracking_code": case.tracking_code,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "title": public_text(case.title, own),
        "description": public_text(case.description, own),
        "category": case.category.label,
        "area": case.area.label,
        "area_full_name": case.area.full_name,
        "current_unit": case.current_unit.label if case.current_unit else None,
        "deadline": case.deadline,
        "is_overdue": case.is_overdue,
        "created_at": case.created_at,
        "resolution": public_text(case.resolution, own),
        # The survivor's progress, never its tracking code (the key to another's case).
        "merged_into": (
            {
                "status": merged.status,
                "status_label": str(merged.get_status_display()),
                "current_unit": merged.current_unit.label if merged.current_unit else None,
                "deadline": merged.deadline,
                "timeline": [
                    public_event(e, terms.get(merged.pk, ()))
                    for e in merged.events.filter(is_public=True).select_related("unit")
                ],
            }
            if merged
            else None
        ),
        "version": case.version,
        "can_rate": Action.CLOSE in moves,
        "can_withdraw": Action.WITHDRAW in moves,
        "timeline": [public_event(e, own) for e in events],
    }
