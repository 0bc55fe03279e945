"""Contact details a resident chose to leave, kept apart from the case and encrypted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.contacts.crypto import decrypt


class Contact(models.Model):
    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="contact", verbose_name=_("case")
    )
    name_encrypted = models.TextField(blank=True)
    phone_encrypted = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(_("purged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact details")
        verbose_name_plural = _("contact details")

    def __str__(self) -> str:
        # Never the plaintext: this string may end up in logs or the admin.
        return f"contact for case {self.case_id}"

    def __repr__(self) -> str:
        return f"<Contact case={self.case_id}>"

    @property
    def has_details(self) -> bool:
        return self.purged_at is None and bool(self.name_encrypted or self.phone_encrypted)

    def reveal(self) -> tuple[str, str]:
        """Plaintext (name, phone). Call only through contacts.actions.reveal_contact."""
        return decrypt(self.name_encrypted), decrypt(self.phone_encrypted)


class KeyCheck(models.Model):
    """One row: a value sealed with the contact key and a digest of the secret key, written
    by the first process that started, so a process started with other keys (a lost
    contact.key, another data directory, a mistyped variable) refuses to run instead of
    writing contact details nobody can read. See ``contacts.keycheck``."""

    contact_token = models.TextField()
    secret_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("key check")
        verbose_name_plural = _("key checks")

    def __str__(self) -> str:
        return "key check"
