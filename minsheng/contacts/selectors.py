"""Reads of contact details that never show them."""

from __future__ import annotations

import re

from minsheng.contacts.crypto import decrypt
from minsheng.contacts.models import Contact


def private_terms(case_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The name and phone each resident left, so public text can mask them.

    Decrypted only to be masked, never rendered: this is not a reveal and writes no audit.
    """
    terms: dict[int, tuple[str, ...]] = {}
    if not case_ids:
        return terms
    rows = Contact.objects.filter(case_id__in=case_ids, purged_at__isnull=True).values_list(
        "case_id", "name_encrypted", "phone_encrypted"
    )
    for case_id, name_enc, phone_enc in rows:
        name = decrypt(name_enc).strip()
        phone = decrypt(phone_enc).strip()
        digits = re.sub(r"\D", "", phone)
        found = tuple(t for t in (name, phone, digits) if len(t) >= 2)
        if found:
            terms[case_id] = found
    return terms


def private_terms_for(case_id: int) -> tuple[str, ...]:
    return private_terms([case_id]).get(case_id, ())


def has_contact_details(case_id: int) -> bool:
    """Whether the resident left a name or phone that has not been purged."""
    return (
        Contact.objects.filter(case_id=case_id, purged_at__isnull=True)
        .exclude(name_encrypted="", phone_encrypted="")
        .exists()
    )


def has_phone(case_id: int) -> bool:
    """Whether the resident left a phone number that has not been purged."""
    return (
        Contact.objects.filter(case_id=case_id, purged_at__isnull=True)
        .exclude(phone_encrypted="")
        .exists()
    )


def phone_for_delivery(case_id: int | None) -> str:
    """The resident's phone in plaintext, only for handing to an SMS backend.

    A system delivery, not a staff reveal: the number is never shown or logged.
    """
    if case_id is None:
        return ""
    encrypted = (
        Contact.objects.filter(case_id=case_id, purged_at__isnull=True)
        .values_list("phone_encrypted", flat=True)
        .first()
    )
    return decrypt(encrypted) if encrypted else ""
