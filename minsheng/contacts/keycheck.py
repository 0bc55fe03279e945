"""The keys a process starts with must be the ones its installation's data was written with.

The contact key (``MINSHENG_CONTACT_KEYS`` or ``contact.key`` in the data directory) and the
secret key (``MINSHENG_SECRET_KEY`` or ``django-secret.key``) are made on first use when
missing. A web process or worker started with another data directory, a backup restored
without ``contact.key``, or a mistyped variable therefore came up without a word, wrote
new keys, and then could not read the residents' phone numbers (reveals failed, texts
failed) or each other's sessions. ``verify_keys`` runs when ``minsheng run``, ``worker`` and
``sweep`` start and stops them with what to do.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.contacts.crypto import cipher, decrypt, encrypt
from minsheng.contacts.models import Contact, KeyCheck

CANARY = "minsheng key check"


class KeyMismatch(ImproperlyConfigured):
    """This process's keys are not the installation's."""


def secret_digest(secret: str) -> str:
    return hmac.new(secret.encode(), CANARY.encode(), hashlib.sha256).hexdigest()


def _contact_key_problem() -> str:
    return _(
        "The contact key of this process cannot read the contact details already stored. "
        "Every web process and worker must use the same key: copy contact.key from the "
        "data directory the installation was first started with (%(dir)s here), or set "
        "MINSHENG_CONTACT_KEYS to it. A backup must be restored together with its key."
    ) % {"dir": settings.DATA_DIR}


def verify_keys() -> None:
    """Raise ``KeyMismatch`` saying what to do when this process's keys are not the ones
    the installation's data was written with; on the first start, record them."""
    try:
        cipher()
    except (ValueError, TypeError) as exc:
        raise KeyMismatch(
            _(
                "MINSHENG_CONTACT_KEYS is not a list of Fernet keys (44 characters of "
                "URL-safe base64 each, comma-separated): %(error)s"
            )
            % {"error": exc}
        ) from exc
    with transaction.atomic():
        check = KeyCheck.objects.select_for_update().order_by("pk").first()
        if check is None:
            # The first start of this version: before trusting the key, see that it reads
            # what is already stored.
            stored = Contact.objects.exclude(phone_encrypted="").values_list(
                "phone_encrypted", flat=True
            )
            sample = stored.order_by("-pk").first()
            if sample is not None and not _readable(sample):
                raise KeyMismatch(_contact_key_problem())
            KeyCheck.objects.create(
                contact_token=encrypt(CANARY), secret_digest=secret_digest(settings.SECRET_KEY)
            )
            return
        if not _readable(check.contact_token):
            raise KeyMismatch(_contact_key_problem())
        if not hmac.compare_digest(check.secret_digest, secret_digest(settings.SECRET_KEY)):
            raise KeyMismatch(
                _(
                    "The secret key of this process is not the one the installation's other "
                    "processes use: their sign-ins and forms would not work here. Set "
                    "MINSHENG_SECRET_KEY to the same value for every web process and worker "
                    "(or copy django-secret.key from %(dir)s). If you changed it on purpose, "
                    "run `minsheng keycheck --accept-secret` once."
                )
                % {"dir": settings.DATA_DIR}
            )


def accept_secret() -> None:
    """Record this process's secret key as the installation's (after a deliberate change:
    everyone is signed out)."""
    KeyCheck.objects.update(secret_digest=secret_digest(settings.SECRET_KEY))


def _readable(token: str) -> bool:
    try:
        decrypt(token)
    except InvalidToken:
        return False
    return True
