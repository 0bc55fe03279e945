"""Needs, offered resources and the projects made of them, with their append-only log.

A project is about a place and a service (pipe water to a village, pave its lanes); it
links to the cases that asked for it, never to the people who raised them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 14, "decimal_places": 2}


class AppendOnly(models.Model):
    """Rows that are only ever inserted: a log line cannot be edited or removed."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("This log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise ValueError("This log is append-only")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need status", "open")
    MATCHED = "matched", pgettext_lazy("need status", "matched")
    CLOSED = "closed", pgettext_lazy("need status", "closed")


class ResourceStatus(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("resource status", "available")
    MATCHED = "matched", pgettext_lazy("resource status", "matched")
    WITHDRAWN = "withdrawn", pgettext_lazy("resource status", "withdrawn")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("project status", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("project status", "in progress")
    COMPLETED = "completed", pgettext_lazy("project status", "completed")
    CANCELLED = "cancelled", pgettext_lazy("project status", "cancelled")


FINISHED_PROJECT_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.CANCELLED)


class Need(models.Model):
    """A problem of a place that one case cannot fix: many cases about it, or staff's own
    observation (no clinic in the village, lanes unpaved)."""

    area = models.ForeignKey(
        "directory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    # Copy of area.path: lists filter a subtree with one prefix match, like cases do.
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "directory.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("cases"), blank=True, related_name="needs"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area_path", "status"], name="need_scope_status")]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    """What a sponsor unit offers for an area: money, works or equipment."""

    sponsor_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("sponsor unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("what is offered"), max_length=120)
    description = models.TextField(_("details"), blank=True)
    amount = models.DecimalField(
        _("amount (yuan)"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    area = models.ForeignKey(
        "directory.Area",
        verbose_name=_("for area"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ResourceStatus.choices,
        default=ResourceStatus.AVAILABLE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area_path", "status"], name="resource_scope_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="resource_amount_ge_0")
        ]

    def __str__(self) -> str:
        return self.title


class Project(models.Model):
    """A larger piece of work with a budget, progress and milestones; cases link to it."""

    area = models.ForeignKey(
        "directory.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "directory.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = models.DecimalField(_("budget (yuan)"), **MONEY, default=Decimal("0"))
    spent = models.DecimalField(_("spent (yuan)"), **MONEY, default=Decimal("0"))
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    start_date = models.DateField(_("planned start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        "directory.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    units = models.ManyToManyField(
        "directory.Unit", verbose_name=_("units involved"), blank=True, related_name="projects"
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("from need"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("from resource"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # When it was completed or cancelled; a report counts it active up to that moment.
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Projects are public works and show on the public board; oversight may keep one off
    # (a site that must not be advertised, a plan not yet announced), with a logged reason.
    is_public = models.BooleanField(_("shown on the public board"), default=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area_path", "status"], name="project_scope_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="project_budget_ge_0"),
            models.CheckConstraint(condition=models.Q(spent__gte=0), name="project_spent_ge_0"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="project_progress_le_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_PROJECT_STATUSES


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("title"), max_length=120)
    due_date = models.DateField(_("due date"))
    done_date = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_date is not None


class OnCompletion(models.TextChoices):
    RESOLVE = "resolve", _("resolve the case when the project completes")
    NOTE = "note", _("add a note only")


class CaseLink(models.Model):
    """A case that the project answers. Unlinking keeps the row (with when and who), so
    the history of which cases the project covered is never lost."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="project_links")
    on_completion = models.CharField(
        _("when the project completes"),
        max_length=8,
        choices=OnCompletion.choices,
        default=OnCompletion.RESOLVE,
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)
    unlinked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unlinked_at = models.DateTimeField(null=True, blank=True)
    # What completing the project did to the case: resolved, noted, or why it could not,
    # as a code shown in the reader's language (``describe_outcome``); older rows hold text.
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("linked case")
        verbose_name_plural = _("linked cases")
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "case"],
                condition=models.Q(unlinked_at__isnull=True),
                name="caselink_one_live_link",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.case_id}"

    @property
    def outcome_text(self) -> str:
        return describe_outcome(self.outcome)

    @property
    def is_live(self) -> bool:
        return self.unlinked_at is None


class ProjectEventKind(models.TextChoices):
    NEED_RECORDED = "need_recorded", _("need recorded")
    NEED_CLOSED = "need_closed", _("need closed")
    RESOURCE_RECORDED = "resource_recorded", _("resource recorded")
    RESOURCE_WITHDRAWN = "resource_withdrawn", _("resource withdrawn")
    CREATED = "created", _("project created")
    MATCHED = "matched", _("need and resource matched")
    UPDATED = "updated", _("figures updated")
    MILESTONE_ADDED = "milestone_added", _("milestone added")
    MILESTONE_DONE = "milestone_done", _("milestone done")
    MILESTONE_REOPENED = "milestone_reopened", _("milestone reopened")
    CASE_LINKED = "case_linked", _("case linked")
    CASE_UNLINKED = "case_unlinked", _("case unlinked")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class ProjectEvent(AppendOnly):
    """One line of the log for a need, a resource or a project: who changed what, when.

    ``data["changes"]`` maps each changed field to ``[old, new]``, so a figure can be
    read as it stood on any past day.
    """

    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(max_length=24, choices=ProjectEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("project log entry")
        verbose_name_plural = _("project log")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def describe_outcome(code: str) -> str:
    """A linked case's outcome code (``projects.actions._finish_case``) in the reader's
    language; anything else (an error message, a row from before the codes) as it is."""
    from minsheng.cases.models import Status

    fixed = {
        "resolved": _("resolved"),
        "noted": _("note added"),
        "already_resolved": _("it was already resolved."),
        "not_holder": _("only its holding unit may resolve it."),
    }
    if code in fixed:
        return str(fixed[code])
    if code.startswith("status:") and code[7:] in Status.values:
        return _("it is “%(status)s”, which cannot be resolved.") % {
            "status": Status(code[7:]).label
        }
    if code.startswith("left:") and code[5:] in Status.values:
        return _("left as it was: it was already “%(status)s”.") % {
            "status": Status(code[5:]).label
        }
    return code


def describe_case_note(data: dict, stored: str = "") -> str:
    """A project's line on a linked case's timeline (``data`` of the case event, written by
    ``projects.actions._case_line``) in the reader's language; "" when it cannot be told,
    and the stored note is shown as written.

    Lines from before the codes carry only ``change``; a linked or unlinked one is still
    worded anew, with the project's name as the stored note quoted it (“…”)."""
    code = data.get("note")
    title = data.get("title", "")
    if not code and data.get("change") in ("linked", "unlinked"):
        quoted = re.search(r"“(.+)”", stored or "")
        if quoted is None:
            return ""
        code, title = data["change"], quoted.group(1)
    names = {"title": title}
    if code == "linked":
        return _("Part of the project “%(title)s”.") % names
    if code == "unlinked":
        return _("No longer part of the project “%(title)s”.") % names
    if code == "resolved":
        return _("Solved by the project “%(title)s”.") % names
    if code == "completed":
        return _("The project “%(title)s” has been completed: %(outcome)s") % {
            **names,
            "outcome": data.get("outcome", ""),
        }
    if code == "not_resolved":
        return _(
            "The project “%(title)s” has been completed, but this case could not be resolved "
            "automatically: %(why)s Please resolve it by hand."
        ) % {**names, "why": describe_outcome(str(data.get("why", "")))}
    if code == "cancelled":
        return _("The project “%(title)s” was cancelled; this case is handled on its own.") % names
    return ""
