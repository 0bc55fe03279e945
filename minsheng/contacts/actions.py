"""Revealing and purging contact details. Every reveal is written to the case's timeline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import User
from minsheng.cases.actions import SYSTEM, Actor, lock_case
from minsheng.cases.errors import InvalidInput, NotPermitted
from minsheng.cases.models import FINAL_STATUSES, ActorKind, Case, Event, EventKind, Feedback
from minsheng.cases.redaction import mask_terms
from minsheng.contacts.models import Contact
from minsheng.contacts.selectors import private_terms


@transaction.atomic
def reveal_contact(*, actor: User, case: Case | int, reason: str = "") -> tuple[str, str]:
    """Plaintext (name, phone) for a member of the unit holding the case, while a call-back
    can be needed (CALL_BACK_STATUSES); audited."""
    case = lock_case(case)
    if not perms.holds_case(actor, case):
        raise NotPermitted(
            _("Only the unit handling this case may see the resident's contact details.")
        )
    if not perms.can_reveal_contact(actor, case):
        raise NotPermitted(
            _(
                "This case has ended, so there is no call-back to make: the resident's "
                "contact details are no longer shown."
            )
        )
    contact = Contact.objects.filter(case=case).first()
    if contact is None or not contact.has_details:
        raise InvalidInput(_("The resident left no contact details, or they have been purged."))
    Event.objects.create(
        case=case,
        kind=EventKind.CONTACT_REVEALED,
        actor=actor,
        actor_kind=ActorKind.STAFF,
        created_at=timezone.now(),
        from_status=case.status,
        to_status=case.status,
        unit=case.current_unit,
        note=reason[:200],
        is_public=False,
    )
    return contact.reveal()


def purge_expired_contacts(*, now: dt.datetime | None = None) -> int:
    """Erase contact details of cases that ended more than the retention period ago."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.MINSHENG_CONTACT_RETENTION_DAYS)
    ids = list(
        Contact.objects.filter(
            purged_at__isnull=True,
            case__status__in=FINAL_STATUSES,
            case__closed_at__lt=cutoff,
        ).values_list("id", "case_id")
    )
    for contact_id, case_id in ids:
        with transaction.atomic():
            terms = private_terms([case_id]).get(case_id, ())
            updated = Contact.objects.filter(pk=contact_id, purged_at__isnull=True).update(
                name_encrypted="", phone_encrypted="", purged_at=now
            )
            if updated:
                _mask_in_texts(case_id, terms)
                case = Case.objects.only("status", "current_unit_id").get(pk=case_id)
                Event.objects.create(
                    case_id=case_id,
                    kind=EventKind.CONTACT_PURGED,
                    actor_kind=SYSTEM.kind,
                    created_at=now,
                    from_status=case.status,
                    to_status=case.status,
                    is_public=False,
                )
    return len(ids)


def _mask_in_texts(case_id: int, terms: tuple[str, ...]) -> None:
    """Mask the resident's own name and number wherever they were typed into the case.

    Public pages mask them by the contact details, which the purge erases: left in the
    text, "王小明家" would be published again from that day on. This is the one change ever
    made to a written event — the purge exists so that the resident's details are gone.
    """
    if not terms:
        return
    case = Case.objects.get(pk=case_id)
    fields = {
        name: masked
        for name in ("title", "description", "address", "resolution")
        if (masked := mask_terms(getattr(case, name), terms)) != getattr(case, name)
    }
    if fields:
        Case.objects.filter(pk=case_id).update(**fields)
    for event_id, note in (
        Event.objects.filter(case_id=case_id).exclude(note="").values_list("id", "note")
    ):
        if (masked := mask_terms(note, terms)) != note:
            Event.objects.filter(pk=event_id).update(note=masked)
    for feedback_id, comment in Feedback.objects.filter(case_id=case_id).values_list(
        "id", "comment"
    ):
        if (masked := mask_terms(comment, terms)) != comment:
            Feedback.objects.filter(pk=feedback_id).update(comment=masked)


__all__ = ["reveal_contact", "purge_expired_contacts", "Actor"]
