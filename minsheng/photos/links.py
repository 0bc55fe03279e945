"""Photos as the pages link them: a thumbnail that opens the full picture, both served by
``minsheng.photos.views`` behind the same check as the page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from minsheng.photos.images import THUMB_SIDE
from minsheng.photos.models import Photo


@dataclass(frozen=True)
class PhotoLink:
    url: str
    thumbnail_url: str
    thumbnail_width: int
    thumbnail_height: int
    alt: str


def _thumbnail_size(photo: Photo) -> tuple[int, int]:
    scale = min(1.0, THUMB_SIDE / max(photo.width, photo.height, 1))
    return max(1, round(photo.width * scale)), max(1, round(photo.height * scale))


def _links(photos: list[Photo], view: str, args: list) -> list[PhotoLink]:  # type: ignore[type-arg]
    links = []
    for n, photo in enumerate(photos, start=1):
        width, height = _thumbnail_size(photo)
        links.append(
            PhotoLink(
                url=reverse(f"photos:{view}", args=[*args, photo.uid]),
                thumbnail_url=reverse(f"photos:{view}_thumbnail", args=[*args, photo.uid]),
                thumbnail_width=width,
                thumbnail_height=height,
                alt=_("Photo %(n)d of %(total)d") % {"n": n, "total": len(photos)},
            )
        )
    return links


def staff_links(photos: Iterable[Photo], *, case_id: int) -> list[PhotoLink]:
    """Links for the staff case page of ``case_id`` (the photos' case, or the one a
    duplicate was merged into)."""
    return _links(list(photos), "staff", [case_id])


def holder_links(photos: Iterable[Photo], *, code: str) -> list[PhotoLink]:
    """Links for the resident's tracking page: the code is the key, as for the page."""
    return _links(list(photos), "holder", [code])
