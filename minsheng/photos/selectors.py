"""Reads of photos, each behind the same door as the case it belongs to.

Staff: whoever may read the case page (``permissions.can_view_case``) sees its photos and
those of the cases merged into it. The resident (the tracking code's holder): their own
photos and the resolution's. Nobody else: the public board, Open311 and the exports read
no photos at all.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from django.db.models import QuerySet

from minsheng.accounts.models import User
from minsheng.accounts.permissions import can_view_case
from minsheng.cases.models import Case, EventKind
from minsheng.cases.selectors import case_for_resident
from minsheng.photos.models import Photo

# The events whose photos the resident sees: what they sent, and the proof of the work
# they are asked to rate. Notes' photos stay among staff (they show the site while work
# goes on, often with neighbours and passers-by).
RESIDENT_EVENT_KINDS = (EventKind.SUBMITTED, EventKind.RESOLVED)


def photos_of_case(case: Case) -> QuerySet[Photo]:
    return (
        Photo.objects.filter(case_id=case.pk).select_related("event").order_by("created_at", "id")
    )


def photos_by_event(case: Case) -> dict[int, list[Photo]]:
    """The case's photos grouped by the event that added them, in one query."""
    grouped: dict[int, list[Photo]] = defaultdict(list)
    for photo in photos_of_case(case):
        grouped[photo.event_id].append(photo)
    return dict(grouped)


def photos_of_merged_cases(case: Case) -> QuerySet[Photo]:
    """Photos of the duplicates merged into ``case``: the same problem, seen by others."""
    return (
        Photo.objects.filter(case__merged_into_id=case.pk)
        .select_related("case", "event", "added_by")
        .order_by("case_id", "created_at", "id")
    )


def resident_photos(case: Case) -> dict[str, list[Photo]]:
    """What the tracking page shows: ``sent`` (the resident's own) and ``resolution`` (those
    of the latest resolution, the one the resident rates)."""
    sent: list[Photo] = []
    by_resolution: dict[int, list[Photo]] = defaultdict(list)
    for photo in photos_of_case(case).filter(event__kind__in=RESIDENT_EVENT_KINDS):
        if photo.event.kind == EventKind.SUBMITTED:
            sent.append(photo)
        else:
            by_resolution[photo.event_id].append(photo)
    # Events are numbered in order: the highest id is the latest resolution.
    latest = max(by_resolution, default=None)
    return {"sent": sent, "resolution": by_resolution.get(latest, [])}


def photo_for_staff(*, user: User, case_id: int, uid: uuid.UUID) -> Photo | None:
    """The photo as shown on case ``case_id``'s page, if ``user`` may read that page: a photo
    of the case itself or of a case merged into it. None for anything else."""
    photo = Photo.objects.select_related("case").filter(uid=uid).first()
    if photo is None or case_id not in (photo.case_id, photo.case.merged_into_id):
        return None
    case = photo.case if photo.case_id == case_id else Case.objects.get(pk=case_id)
    return photo if can_view_case(user, case) else None


def photo_for_holder(*, code: str, uid: uuid.UUID, client: str) -> Photo | None:
    """The photo if the tracking code opens its case and the resident may see it.

    An unknown code counts against ``client`` like one typed on the tracking page
    (TooManyTries once it guessed too often): photo addresses are no side door for codes.
    """
    case = case_for_resident(code, client=client)
    if case is None:
        return None
    return (
        Photo.objects.filter(uid=uid, case_id=case.pk, event__kind__in=RESIDENT_EVENT_KINDS)
        .select_related("case")
        .first()
    )
