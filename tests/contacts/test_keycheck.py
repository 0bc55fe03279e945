"""A process started with keys that cannot read the installation's data refuses to run.

Seen in an operations review: a web process and a worker started with another data
directory each wrote new keys without a word; reveals answered 500 and 148 of 258 texts
failed. A restored backup without its contact.key started normally too.
"""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from minsheng.cases import actions
from minsheng.contacts.keycheck import KeyMismatch, verify_keys
from minsheng.contacts.models import KeyCheck
from minsheng.intake.models import DeliveryStatus, OutboundMessage
from minsheng.intake.notify import deliver_notification

PHONE = "13912345678"


def other_key() -> list[str]:
    return [Fernet.generate_key().decode()]


def test_the_first_start_records_the_keys_and_the_same_keys_pass(county):
    assert not KeyCheck.objects.exists()
    verify_keys()
    verify_keys()
    assert KeyCheck.objects.count() == 1


def test_a_process_with_another_contact_key_is_stopped_with_what_to_do(county, settings):
    verify_keys()
    settings.MINSHENG_CONTACT_KEYS = other_key()
    with pytest.raises(KeyMismatch, match="contact.key"):
        verify_keys()
    with pytest.raises(CommandError, match="contact.key"):
        call_command("sweep")


def test_a_restored_backup_without_its_key_is_caught_on_the_first_start(county, submit, settings):
    # Contact details exist, written with the old key, and no check was recorded yet.
    submit(contact_phone=PHONE)
    settings.MINSHENG_CONTACT_KEYS = other_key()
    with pytest.raises(KeyMismatch):
        verify_keys()
    assert not KeyCheck.objects.exists()


def test_a_rotated_key_list_that_still_holds_the_old_key_passes(county, settings):
    verify_keys()
    settings.MINSHENG_CONTACT_KEYS = other_key() + list(settings.MINSHENG_CONTACT_KEYS)
    verify_keys()


def test_a_mistyped_key_is_refused_at_start(county, settings):
    settings.MINSHENG_CONTACT_KEYS = ["notakey"]
    with pytest.raises(KeyMismatch, match="Fernet"):
        verify_keys()


def test_another_secret_key_is_refused_until_accepted_on_purpose(county, settings):
    verify_keys()
    settings.SECRET_KEY = "another secret " * 4
    with pytest.raises(KeyMismatch, match="secret key"):
        verify_keys()
    call_command("keycheck", "--accept-secret", stdout=open("/dev/null", "w"))  # noqa: SIM115
    verify_keys()


def test_a_text_that_the_key_cannot_read_fails_with_the_reason(county, submit, settings):
    # It stayed "sending" and was later reported as cut off by a stopped worker.
    case = submit(contact_phone=PHONE)
    settings.MINSHENG_SMS_BACKEND = "console"
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    event = case.events.get(kind="dispatched")
    message = OutboundMessage.objects.create(
        event=event, case=case, kind="dispatched", language="zh-hans", backend="console"
    )
    settings.MINSHENG_CONTACT_KEYS = other_key()
    assert deliver_notification.call(message.pk) == DeliveryStatus.FAILED
    message.refresh_from_db()
    assert message.status == DeliveryStatus.FAILED
    assert "contact key" in message.error
