"""Where photo files live, and writing them next to their rows.

The ``photos`` entry of STORAGES (default: a FileSystemStorage in the data directory's
``uploads/photos``, readable only by the server's user). The storage has no public URL on
purpose: every photo is served by a view that checks who asks.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from minsheng.photos.images import PreparedPhoto
from minsheng.photos.models import Photo

STORAGE_ALIAS = "photos"


def photo_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def store_photos(*, event, photos: Sequence[PreparedPhoto]) -> list[Photo]:  # type: ignore[no-untyped-def]
    """Write the files and one Photo row each for ``event``'s case, added by its actor.

    Only ``minsheng.cases.actions`` calls this, inside the action's transaction and after
    every check passed. Files are written before their rows; if writing fails part-way the
    files already written are removed, so a refusal keeps nothing. (Should the surrounding
    transaction roll back afterwards, the files stay behind without rows: unreferenced,
    unguessable, and never shown anywhere.)
    """
    storage = photo_storage()
    written: list[str] = []
    rows: list[Photo] = []
    try:
        for prepared in photos:
            photo = Photo(
                case_id=event.case_id,
                event=event,
                added_by=event.actor,
                added_by_kind=event.actor_kind,
                width=prepared.width,
                height=prepared.height,
                bytes=prepared.size,
                sha256=prepared.sha256,
                created_at=event.created_at,
            )
            # One folder per month keeps directories small; the uuid makes the name.
            stem = f"{event.created_at:%Y/%m}/{photo.uid.hex}"
            photo.file_name = storage.save(f"{stem}.jpg", ContentFile(prepared.data))
            written.append(photo.file_name)
            thumbnail = ContentFile(prepared.thumbnail)
            photo.thumbnail_name = storage.save(f"{stem}-thumb.jpg", thumbnail)
            written.append(photo.thumbnail_name)
            rows.append(photo)
        return Photo.objects.bulk_create(rows)
    except BaseException:
        for name in written:
            storage.delete(name)
        raise
