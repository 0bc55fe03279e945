"""SMS to residents who left a number: at dispatch, resolution and close, in their language.

``on_case_event`` listens to ``case_event_committed``, so a rolled-back action never
sends anything. It writes an OutboundMessage row (no number, no text) and enqueues
``deliver_notification`` with that row's id only: the task queue never holds a number
either. The task decrypts the phone in memory, renders the template and hands both to
the backend. This is a delivery by the system, not a reveal to a person: nobody sees the
number and it is never logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from minsheng.cases.models import Case, EventKind
from minsheng.contacts.selectors import has_phone, phone_for_delivery
from minsheng.intake.models import (
    DeliveryStatus,
    NotificationKind,
    OutboundMessage,
    SmsTemplate,
)
from minsheng.intake.sms_backends import SmsError, get_backend
from minsheng.intake.sms_defaults import DEFAULT_TEMPLATES

logger = logging.getLogger(__name__)

NOTIFIED_EVENTS = {
    EventKind.DISPATCHED: NotificationKind.DISPATCHED,
    EventKind.RESOLVED: NotificationKind.RESOLVED,
    EventKind.CLOSED: NotificationKind.CLOSED,
}
ERROR_MAX = 300


def on_case_event(sender, event, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Receiver of case_event_committed. Never raises: the action has already committed."""
    kind = NOTIFIED_EVENTS.get(event.kind)
    if kind is None:
        return
    try:
        queue_notification(event=event, kind=kind)
    except Exception:
        logger.exception("could not queue the SMS notification for event %s", event.pk)


# Set while the demo loads: its residents' phone numbers are invented, and an invented
# mobile number may well be a real person's. Their messages are recorded, never sent.
_RECORD_ONLY: ContextVar[str] = ContextVar("sms_record_only", default="")


@contextmanager
def recorded_not_sent(reason: str) -> Iterator[None]:
    """Within this block (and the commit callbacks it runs), notifications are written as
    skipped with ``reason`` and never handed to the SMS backend."""
    token = _RECORD_ONLY.set(reason)
    try:
        yield
    finally:
        _RECORD_ONLY.reset(token)


def queue_notification(*, event, kind: str) -> OutboundMessage | None:  # type: ignore[no-untyped-def]
    """Log and enqueue one SMS for this event, if the resident left a phone number.

    At most one message per event, however often the signal arrives.
    """
    if not has_phone(event.case_id):
        return None
    language = Case.objects.values_list("language", flat=True).get(pk=event.case_id)
    not_sent = _RECORD_ONLY.get()
    message, created = OutboundMessage.objects.get_or_create(
        event=event,
        defaults={
            "case_id": event.case_id,
            "kind": kind,
            "language": language,
            "backend": settings.MINSHENG_SMS_BACKEND,
            **({"status": DeliveryStatus.SKIPPED, "error": not_sent} if not_sent else {}),
        },
    )
    if created and not not_sent:
        deliver_notification.enqueue(message.pk)
    return message


@task()
def deliver_notification(message_id: int) -> str:
    """Send one queued notification; returns the status it ended in."""
    claimed = OutboundMessage.objects.filter(pk=message_id, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING
    )
    if not claimed:
        return "not queued"
    message = OutboundMessage.objects.select_related("case").get(pk=message_id)
    try:
        phone = phone_for_delivery(message.case_id)
    except InvalidToken:
        # Left "sending", the message was later marked as cut off by a stopped worker,
        # which hid the cause: a contact key that is not the one the number was saved with.
        logger.error("outbound message %s: the contact key cannot read the number", message.pk)
        return _finish(
            message, DeliveryStatus.FAILED, "the contact key does not match the stored number"
        )
    if not phone:
        # Purged (or never left) since the message was queued: nobody to write to.
        return _finish(message, DeliveryStatus.SKIPPED, "no phone number any more")
    text = render_notification(kind=message.kind, case=message.case)
    try:
        get_backend().send(phone, text)
    except SmsError as exc:
        return _finish(message, DeliveryStatus.FAILED, str(exc))
    except Exception as exc:
        # A misconfiguration or a bug: log it for the operator, without the number.
        logger.exception("SMS backend failed for outbound message %s", message.pk)
        return _finish(message, DeliveryStatus.FAILED, type(exc).__name__)
    return _finish(message, DeliveryStatus.SENT)


# A delivery that has been waiting or sending this long was lost by a stopped worker.
STUCK_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Recovery:
    requeued: int  # queued messages whose task had been lost: enqueued again
    interrupted: int  # sends cut off mid-way: marked failed, never sent twice


def recover_interrupted_deliveries(*, now: dt.datetime | None = None) -> Recovery:
    """Make deliveries that a crashed or killed worker left behind visible and finished.

    A message still *queued* long after it was written lost its task (the worker died
    before taking it, or the queue was emptied): enqueue it again; the claim in
    ``deliver_notification`` makes a doubled task harmless. A message left *sending* may
    or may not have reached the gateway, so it is marked failed with the reason instead
    of risking a second SMS to the resident; operators see it in the outgoing-SMS list.
    """
    cutoff = (now or timezone.now()) - STUCK_AFTER
    interrupted = OutboundMessage.objects.filter(
        status=DeliveryStatus.SENDING, created_at__lt=cutoff
    ).update(status=DeliveryStatus.FAILED, error="interrupted: the worker stopped while sending")
    waiting = list(
        OutboundMessage.objects.filter(
            status=DeliveryStatus.QUEUED, created_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for message_id in waiting:
        deliver_notification.enqueue(message_id)
    if interrupted or waiting:
        logger.warning(
            "SMS recovery: %s queued message(s) enqueued again, %s interrupted send(s) "
            "marked failed",
            len(waiting),
            interrupted,
        )
    return Recovery(requeued=len(waiting), interrupted=interrupted)


def render_notification(*, kind: str, case: Case) -> str:
    """The template for this moment in the case's language, filled in for this case."""
    template = template_for(kind=kind, language=case.language)
    return template.render(
        code=case.tracking_code, url=tracking_url(case), hotline=settings.MINSHENG_HOTLINE
    )


def template_for(*, kind: str, language: str) -> SmsTemplate:
    """The administrator's text, else the site's language, else the shipped default."""
    rows = {
        row.language: row
        for row in SmsTemplate.objects.filter(
            kind=kind, language__in=[language, settings.LANGUAGE_CODE]
        )
    }
    for lang in (language, settings.LANGUAGE_CODE):
        if lang in rows:
            return rows[lang]
        if (kind, lang) in DEFAULT_TEMPLATES:
            return SmsTemplate(kind=kind, language=lang, text=DEFAULT_TEMPLATES[(kind, lang)])
    return SmsTemplate(kind=kind, language="en", text=DEFAULT_TEMPLATES[(kind, "en")])


def tracking_url(case: Case) -> str:
    return settings.MINSHENG_PUBLIC_URL + reverse("intake:case", args=[case.tracking_code])


def send_reply(*, to: str, text: str, case: Case | None, language: str) -> OutboundMessage:
    """Answer a text message right away, logged without the number or the text.

    Sent in the webhook's own request rather than through the task queue: a queued task
    would have to store the sender's number, and there is no case contact to look it up.
    """
    message = OutboundMessage.objects.create(
        case=case,
        kind=NotificationKind.REPLY,
        language=language,
        backend=settings.MINSHENG_SMS_BACKEND,
        status=DeliveryStatus.SENDING,
    )
    try:
        get_backend().send(to, text)
    except SmsError as exc:
        _finish(message, DeliveryStatus.FAILED, str(exc))
    except Exception as exc:
        logger.exception("SMS backend failed for outbound message %s", message.pk)
        _finish(message, DeliveryStatus.FAILED, type(exc).__name__)
    else:
        _finish(message, DeliveryStatus.SENT)
    return message


# --- helpers -----------------------------------------------------------------------------


def _finish(message: OutboundMessage, status: str, error: str = "") -> str:
    message.status = status
    message.error = error[:ERROR_MAX]
    message.sent_at = timezone.now() if status == DeliveryStatus.SENT else None
    message.save(update_fields=["status", "error", "sent_at"])
    return status
