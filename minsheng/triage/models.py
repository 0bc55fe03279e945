"""Trained suggestion models, their history, and what operators did with each suggestion.

A model is stored in the database (not in the data directory) so every web and worker
process of a county reads the same bytes; rows are never deleted, so any earlier version
can be made active again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ModelKind(models.TextChoices):
    CATEGORY = "category", _("category")
    UNIT = "unit", _("responsible unit")


class ModelState(models.TextChoices):
    ACTIVE = "active", _("active")
    # Trained but not activated: it did worse than the active one on the held-out cases.
    KEPT = "kept", _("kept, not activated")
    # Was active; a newer (or rolled-back-to) version took over.
    RETIRED = "retired", _("retired")


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("schedule")
    PAGE = "page", _("models page")
    COMMAND = "command", _("command")


class TriageModel(models.Model):
    """One trained version of the category or the unit model, with its held-out figures."""

    kind = models.CharField(_("kind"), max_length=16, choices=ModelKind.choices)
    version = models.PositiveIntegerField(_("version"))
    # Identifies the bytes for the per-process cache, also across test databases.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(_("trained at"), default=timezone.now)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trained by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.CharField(_("started by"), max_length=16, choices=Trigger.choices)
    examples = models.JSONField(_("examples per label"), default=dict)
    n_train = models.PositiveIntegerField(_("training cases"), default=0)
    n_held_out = models.PositiveIntegerField(_("held-out cases"), default=0)
    # Fingerprint of the labelled cases it was trained from: no retraining while it holds.
    examples_digest = models.CharField(max_length=64, blank=True, editable=False)
    accuracy = models.FloatField(_("accuracy"), null=True, blank=True)
    macro_f1 = models.FloatField(_("macro-F1"), null=True, blank=True)
    confident_coverage = models.FloatField(_("confident coverage"), null=True, blank=True)
    confident_precision = models.FloatField(_("confident precision"), null=True, blank=True)
    threshold = models.FloatField(_("confidence threshold"))
    train_seconds = models.FloatField(_("training time (s)"), default=0)
    data = models.BinaryField(editable=False)
    is_active = models.BooleanField(_("active"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=ModelState.choices)

    class Meta:
        verbose_name = _("triage model")
        verbose_name_plural = _("triage models")
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="triage_model_version"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_active=True), name="triage_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"


class ChangeAction(models.TextChoices):
    TRAINED = "trained", _("trained")
    ACTIVATED = "activated", _("activated")
    KEPT = "kept", _("kept inactive: not better than the active version")
    ROLLED_BACK = "rolled_back", _("rolled back to this version")
    SKIPPED = "skipped", _("not trained")
    FAILED = "failed", _("training failed")
    # The installation's switch "dispatch automatically when sure" (no model, no kind).
    AUTO_ON = "auto_on", _("automatic dispatch turned on")
    AUTO_OFF = "auto_off", _("automatic dispatch turned off")


class ModelChange(models.Model):
    """Who did what to which model, when: the models' own append-only history.

    Turning automatic dispatch on or off is written here too, with an empty kind."""

    kind = models.CharField(_("kind"), max_length=16, choices=ModelKind.choices, blank=True)
    model = models.ForeignKey(
        TriageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("what"), max_length=16, choices=ChangeAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    trigger = models.CharField(_("started by"), max_length=16, choices=Trigger.choices)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("triage model change")
        verbose_name_plural = _("triage model changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class TriageSettings(models.Model):
    """The installation's triage choices: one row, changed only from the models page.

    Every change is also written to `ModelChange` (who, when); this row is the current
    state the worker reads. Without the row every choice has its default.
    """

    ROW = 1

    auto_dispatch = models.BooleanField(_("dispatch automatically when sure"), default=False)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("triage settings")
        verbose_name_plural = _("triage settings")

    def __str__(self) -> str:
        return f"triage settings (automatic dispatch {'on' if self.auto_dispatch else 'off'})"

    @classmethod
    def current(cls) -> TriageSettings:
        """The stored row, or an unsaved one with the defaults."""
        return cls.objects.filter(pk=cls.ROW).first() or cls(pk=cls.ROW)


class Stage(models.TextChoices):
    INTAKE = "intake", _("intake")
    DISPATCH = "dispatch", _("dispatch")


class SuggestionRecord(models.Model):
    """What was suggested for a case at intake or dispatch, and what the operator chose."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="triage_suggestions"
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # Empty in keyword mode (no learned model was active).
    category_model = models.ForeignKey(
        TriageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_model = models.ForeignKey(
        TriageModel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("mode"), max_length=16)
    # [[code, probability], …] best first.
    categories = models.JSONField(default=list)
    units = models.JSONField(default=list)
    confident = models.BooleanField(_("category confident"), default=False)
    unit_confident = models.BooleanField(_("unit confident"), default=False)
    chosen_category = models.ForeignKey(
        "directory.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_unit = models.ForeignKey(
        "directory.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The operator's choice equals the top suggestion (category at intake, unit at
    # dispatch); empty when nothing was suggested.
    followed = models.BooleanField(_("followed"), null=True)

    class Meta:
        verbose_name = _("suggestion record")
        verbose_name_plural = _("suggestion records")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "stage"], name="triage_suggestion_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage}"
