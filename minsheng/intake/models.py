"""What the SMS door and the QR posters keep: a short code per village, the resident SMS
templates, and logs of messages in and out.

Neither log holds a phone number or a message body: the only place a resident's number
lives is the case's encrypted contact (minsheng.contacts), so it is purged with it.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Villages and communities get a poster and an SMS code; residents report there.
POSTER_AREA_KINDS = ("village", "community")

# Short enough to type on a feature phone, long enough for a county of a few hundred
# villages to stay far from collisions; a region that fills five digits moves to six.
SMS_CODE_LENGTHS = (5, 6)


def draw_sms_code(model, area):  # type: ignore[no-untyped-def]
    """The area's code from ``model`` (AreaSmsCode, or its historical version in a data
    migration), drawn now if it has none yet; safe against a concurrent draw."""
    existing = model.objects.filter(area=area).first()
    if existing is not None:
        return existing
    for length in SMS_CODE_LENGTHS:
        for _attempt in range(20):
            # No leading zero: people drop it, and spreadsheets too.
            code = str(secrets.randbelow(9 * 10 ** (length - 1)) + 10 ** (length - 1))
            try:
                with transaction.atomic():
                    return model.objects.create(area=area, code=code)
            except IntegrityError:
                # Either the code is taken (draw again) or another request just gave
                # this area its code (use that one).
                existing = model.objects.filter(area=area).first()
                if existing is not None:
                    return existing
    raise RuntimeError("no free SMS code left")


class AreaSmsCode(models.Model):
    """The number printed on a village's poster; an SMS starting with it lands there.

    Drawn once, when the village or community is created (``intake.receivers``; older
    ones by the data migration 0003), and never changed: posters already on the wall keep
    working, and residents can text before any poster is printed.
    """

    area = models.OneToOneField(
        "directory.Area",
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="sms_code",
    )
    code = models.CharField(_("SMS code"), max_length=6, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS code of a village")
        verbose_name_plural = _("SMS codes of villages")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.area}"

    @classmethod
    def for_area(cls, area) -> AreaSmsCode:  # type: ignore[no-untyped-def]
        """The area's code, drawn now if it has none yet (safe against a concurrent draw)."""
        return draw_sms_code(cls, area)


class NotificationKind(models.TextChoices):
    """The moments a resident who left a number hears from us, and replies to their texts."""

    DISPATCHED = "dispatched", _("dispatched to a unit")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    REPLY = "reply", _("reply to an SMS")


TEMPLATE_KINDS = (NotificationKind.DISPATCHED, NotificationKind.RESOLVED, NotificationKind.CLOSED)
# Placeholders an administrator may use in a template; anything else in braces is refused.
TEMPLATE_PLACEHOLDERS = ("code", "url", "hotline")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
SMS_TEMPLATE_MAX = 300


class SmsTemplate(models.Model):
    """The text sent at dispatch, resolution and close, one per language."""

    kind = models.CharField(
        _("when"),
        max_length=16,
        choices=[(k.value, k.label) for k in TEMPLATE_KINDS],
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    text = models.TextField(
        _("text"),
        max_length=SMS_TEMPLATE_MAX,
        help_text=_(
            "Keep it short: one SMS holds 70 Chinese characters. Placeholders: {code} the "
            "tracking code, {url} the tracking page, {hotline} the hotline number."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SMS template")
        verbose_name_plural = _("SMS templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="sms_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"

    def clean(self) -> None:
        unknown = sorted(
            {name for name in _PLACEHOLDER.findall(self.text or "")} - set(TEMPLATE_PLACEHOLDERS)
        )
        if unknown:
            raise ValidationError(
                {
                    "text": _("Unknown placeholder: %(names)s. Use {code}, {url} or {hotline}.")
                    % {"names": ", ".join("{" + n + "}" for n in unknown)}
                }
            )

    def render(self, **values: str) -> str:
        """The text with its placeholders filled; unknown braces are left as they are."""
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.text)


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class OutboundMessage(models.Model):
    """One SMS we sent or tried to send. No number and no text: only what and when."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The event a notification announces; unique so a repeated signal sends nothing twice.
    event = models.OneToOneField(
        "cases.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices)
    language = models.CharField(_("language"), max_length=8, blank=True)
    backend = models.CharField(_("backend"), max_length=16)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing SMS")
        verbose_name_plural = _("outgoing SMS")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id or ''} {self.status}"


class InboundReply(models.TextChoices):
    """What we answered to a text message."""

    CASE_CREATED = "case_created", _("case created")
    ASK_CODE = "ask_code", _("asked for the village code")
    ASK_TEXT = "ask_text", _("asked to describe the problem")
    RATE_ON_PAGE = "rate_on_page", _("sent to the tracking page to rate")
    RATED = "rated", _("rating recorded")
    STATUS = "status", _("told the case's status")
    REFUSED = "refused", _("refused with a reason")


class InboundMessage(models.Model):
    """One text message received. Neither the sender's number nor the text is kept."""

    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    code_matched = models.BooleanField(_("village code recognised"), default=False)
    area = models.ForeignKey(
        "directory.Area",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.CharField(_("reply"), max_length=16, choices=InboundReply.choices)

    class Meta:
        verbose_name = _("incoming SMS")
        verbose_name_plural = _("incoming SMS")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.reply}"
