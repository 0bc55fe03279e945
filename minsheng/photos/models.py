"""Photo: a picture that belongs to a case and to the event that added it.

Rows are only ever inserted, like the events they belong to. The picture itself lives in
the ``photos`` storage (see ``minsheng.photos.storage``) under an unguessable name; only
``minsheng.photos.views`` and the API read it back, after checking who asks.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import ActorKind


class Photo(models.Model):
    # In addresses and file names instead of the id: nothing about a photo can be guessed.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="photos"
    )
    event = models.ForeignKey(
        "cases.Event", verbose_name=_("event"), on_delete=models.PROTECT, related_name="photos"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by_kind = models.CharField(_("added by"), max_length=10, choices=ActorKind.choices)
    # Names inside the photos storage, not FileFields: the storage is looked up when a file
    # is read, so a deployment (or a test) can point it elsewhere at any time.
    file_name = models.CharField(max_length=200, editable=False)
    thumbnail_name = models.CharField(max_length=200, editable=False)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    bytes = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="photo_case_time")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.uid}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Photos are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[override]
        raise ValueError("Photos are never deleted")
