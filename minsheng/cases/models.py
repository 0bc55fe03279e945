"""Case, its append-only Event timeline, and the resident's Feedback."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# No 0/O, 1/I/L: residents read these codes over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code() -> str:
    return "MS" + "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    DISPATCHED = "dispatched", _("dispatched")
    ACCEPTED = "accepted", _("accepted")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")
    RETURNED = "returned", _("returned")
    ESCALATED = "escalated", _("escalated")
    REOPENED = "reopened", _("reopened")
    MERGED = "merged", _("merged")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


# Statuses in which a unit holds the case and its deadline runs.
RUNNING_STATUSES = (
    Status.DISPATCHED,
    Status.ACCEPTED,
    Status.IN_PROGRESS,
    Status.ESCALATED,
    Status.REOPENED,
)
# Statuses waiting for an operator to route the case.
TRIAGE_STATUSES = (Status.SUBMITTED, Status.RETURNED)
FINAL_STATUSES = (Status.CLOSED, Status.MERGED, Status.DECLINED, Status.WITHDRAWN)
OPEN_STATUSES = TRIAGE_STATUSES + RUNNING_STATUSES + (Status.RESOLVED,)
# Statuses in which the holding unit may still need to call the resident: while it works
# the case, and once resolved, for the call-back that asks for the rating. Not once the
# case has ended (closed, merged, declined, withdrawn), nor while it waits for dispatch.
CALL_BACK_STATUSES = RUNNING_STATUSES + (Status.RESOLVED,)


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    QR = "qr", _("QR code")
    PHONE = "phone", _("phone")
    VISIT = "visit", _("home visit")
    MEETING = "meeting", _("meeting")
    SMS = "sms", _("SMS")
    API = "api", _("API")
    IMPORT = "import", _("import")


class Priority(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


class Case(models.Model):
    tracking_code = models.CharField(
        _("tracking code"), max_length=12, unique=True, default=new_tracking_code, editable=False
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        "directory.Category", verbose_name=_("category"), on_delete=models.PROTECT
    )
    area = models.ForeignKey(
        "directory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="cases"
    )
    # Copy of area.path so scope filters need no join; areas do not move once cases exist.
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    language = models.CharField(_("resident's language"), max_length=8, default="zh-hans")
    current_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("current unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    # Set when a case at the top of the ladder runs out of time, so the sweep says so once.
    overdue_at_top = models.BooleanField(_("overdue at the top level"), default=False)
    # Staff may keep a case off the public board (with a recorded reason); it stays in
    # every staff view and in the resident's own tracking page.
    hidden_from_board = models.BooleanField(_("hidden from the public board"), default=False)
    escalation_count = models.PositiveSmallIntegerField(_("times escalated"), default=0)
    # Granted extensions (延期) over the case's life; see ``Extension``.
    extension_count = models.PositiveSmallIntegerField(_("times extended"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    resolution = models.TextField(_("resolution"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A client-chosen key that makes a repeated submission return the first case.
    submission_key = models.CharField(
        _("submission key"), max_length=64, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("raised at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Optimistic concurrency: every action bumps it and refuses a stale expected version.
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["current_unit", "status", "deadline"], name="case_queue"),
            models.Index(fields=["status", "deadline"], name="case_status_deadline"),
            models.Index(fields=["area_path", "status"], name="case_scope_status"),
            # Dispatch lists read the few cases awaiting routing, oldest first.
            models.Index(fields=["status", "created_at"], name="case_status_created"),
            # Overdue lists and deadline-ordered queues read only running cases.
            models.Index(
                fields=["deadline", "id"],
                condition=models.Q(status__in=[s.value for s in RUNNING_STATUSES]),
                name="case_running_deadline",
            ),
            # The public board subtracts the few hidden cases of an area from its rollups.
            models.Index(
                fields=["area_path"],
                condition=models.Q(hidden_from_board=True),
                name="case_hidden_from_board",
            ),
            # The board's map shows the newest cases that carry a point; without this an
            # area whose reports have no point would be read through to find none.
            models.Index(
                fields=["-created_at", "-id"],
                condition=models.Q(latitude__isnull=False),
                name="case_located_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_dispatch(self) -> bool:
        return self.status in TRIAGE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in RUNNING_STATUSES
            and self.deadline is not None
            and self.deadline < timezone.now()
        )


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    DISPATCHED = "dispatched", _("dispatched")
    ACCEPTED = "accepted", _("accepted")
    NOTE = "note", _("progress note")
    RETURNED = "returned", _("returned")
    ESCALATED = "escalated", _("escalated")
    OVERDUE = "overdue", _("overdue at the top level")
    RESOLVED = "resolved", _("resolved")
    RATED = "rated", _("rated")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    MERGED = "merged", _("merged")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")
    CONTACT_REVEALED = "contact_revealed", _("contact details revealed")
    CONTACT_PURGED = "contact_purged", _("contact details purged")
    HIDDEN = "hidden", _("hidden from the public board")
    SHOWN = "shown", _("shown on the public board again")
    PROJECT = "project", _("project")
    EXTENSION_REQUESTED = "extension_requested", _("more time requested")
    EXTENSION_GRANTED = "extension_granted", _("deadline extended")
    EXTENSION_REFUSED = "extension_refused", _("more time refused")
    DEADLINE = "deadline", _("deadline recalculated")
    PHOTOS = "photos", _("photos added")


class ActorKind(models.TextChoices):
    STAFF = "staff", _("staff")
    RESIDENT = "resident", _("resident")
    SYSTEM = "system", _("system")


# The dispatcher's note is addressed to the unit ("note for the unit"), and why a unit
# handed a case back or up is a matter between offices (a contractor's money trouble, a
# colleague's mistake): residents and the public see that the case moved and to whom,
# not what staff wrote to each other.
# Why a unit asks for more time (a contractor, parts on order) and why it was granted or
# refused is the same kind of talk between offices: the resident sees the new deadline.
STAFF_NOTE_KINDS = frozenset(
    {
        EventKind.DISPATCHED,
        EventKind.RETURNED,
        EventKind.ESCALATED,
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_GRANTED,
        EventKind.EXTENSION_REFUSED,
    }
)
# What a resident writes when rating, reopening or withdrawing their case is between them
# and the staff: the code holder sees it, the public board and Open311 see only the event.
RESIDENT_NOTE_KINDS = frozenset({EventKind.RATED, EventKind.REOPENED, EventKind.WITHDRAWN})


class Event(models.Model):
    """One line of a case's timeline. Rows are only ever inserted."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    # Shown on the resident's public timeline; internal notes and audit rows are not.
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise ValueError("Events are append-only")

    @property
    def text(self) -> str:
        """The note in the reader's language. A project's line stored as a code (see
        ``projects.models.describe_case_note``) is worded now; other notes as written."""
        if self.kind == EventKind.PROJECT and self.data:
            from minsheng.projects.models import describe_case_note

            return describe_case_note(self.data, self.note) or self.note
        return self.note

    @property
    def holder_note(self) -> str:
        """The note as the resident holding the tracking code may read it (before redaction)."""
        return "" if self.kind in STAFF_NOTE_KINDS else self.text

    @property
    def public_note(self) -> str:
        """The note as anyone may read it on the public board or through Open311."""
        if self.kind in RESIDENT_NOTE_KINDS and self.actor_kind == ActorKind.RESIDENT:
            return ""
        return self.holder_note


class Feedback(models.Model):
    """The resident's rating of a resolved case; a case may collect several after reopening."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("rating"))
    is_solved = models.BooleanField(_("problem solved"))
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rating}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("awaiting a decision")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")
    # The case moved on (escalated, returned, resolved…) before anyone decided.
    LAPSED = "lapsed", _("lapsed")


class Extension(models.Model):
    """A holding unit's request for more time (延期) and the decision on it.

    Only ``cases.actions`` writes these rows; each change also writes the case's event.
    A case has at most one pending request (a partial unique constraint).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="extensions")
    unit = models.ForeignKey(
        "directory.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    old_deadline = models.DateTimeField(_("deadline when asked"))
    requested_deadline = models.DateTimeField(_("requested deadline"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    granted_deadline = models.DateTimeField(_("granted deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_case",
            )
        ]
        indexes = [
            models.Index(
                fields=["requested_at"],
                condition=models.Q(status="pending"),
                name="extension_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status} {self.requested_deadline:%Y-%m-%d}"


class SweepRecord(models.Model):
    """When the deadline sweep last finished (one row), so staff pages and the health URL
    can tell that no worker is running: without sweeps, deadlines stop climbing."""

    ONLY = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=ONLY, editable=False)
    finished_at = models.DateTimeField()
    summary = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("deadline sweep")
        verbose_name_plural = _("deadline sweeps")

    def __str__(self) -> str:
        return f"{self.finished_at:%Y-%m-%d %H:%M:%S} {self.summary}"
