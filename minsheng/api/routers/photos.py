"""Staff endpoints on a case's photos: list them, add some (multipart), fetch one.

Adding goes through ``cases.actions.add_photos`` like every other change; the files are
decoded and cleaned (``photos.images``) before it opens its transaction. Photos are read
with the same check as the case page (``photos.selectors.photo_for_staff``).
"""

from __future__ import annotations

import uuid

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy
from ninja import File, Form, Router, Status, UploadedFile

from minsheng.accounts.models import User
from minsheng.api import render, selectors
from minsheng.api.auth import STAFF_AUTH
from minsheng.api.routers import ERRORS_STAFF
from minsheng.api.schemas import PhotoOut
from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.photos import selectors as photo_selectors
from minsheng.photos.forms import with_limits
from minsheng.photos.images import prepare_photos
from minsheng.photos.views import photo_response

router = Router(tags=["photos"], auth=STAFF_AUTH)

JPEG = {"200": {"description": "The photo (JPEG).", "content": {"image/jpeg": {}}}}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _photos(case: Case) -> list[dict]:
    """The case's own photos, then those of the cases merged into it."""
    own = photo_selectors.photos_of_case(case)
    merged = photo_selectors.photos_of_merged_cases(case)
    return [render.photo(p, shown_on=case.pk) for p in [*own, *merged]]


@router.get(
    "/cases/{case_id}/photos",
    response={200: list[PhotoOut], **ERRORS_STAFF},
    summary=gettext_lazy("A case's photos"),
    description=gettext_lazy(
        "Every photo of the case, oldest first, then those of the cases merged into it. "
        "Each names the event that added it; image_url and thumbnail_url fetch the JPEG."
    ),
)
def list_photos(request: HttpRequest, case_id: int) -> list[dict]:
    return _photos(selectors.staff_case(_user(request), case_id))


@router.post(
    "/cases/{case_id}/photos",
    response={201: list[PhotoOut], **ERRORS_STAFF},
    summary=gettext_lazy("Add photos"),
    description=with_limits(
        gettext_lazy(
            "multipart/form-data with up to %(max)d files named photos (at most %(mb)d MB "
            "each) and an optional expected_version. The photos are stored without their "
            "metadata (place, time, camera), upright and at most 1600 px on the long side, "
            "and written to the case's internal timeline. Returns all the case's photos."
        )
    ),
)
def add_photos(
    request: HttpRequest,
    case_id: int,
    photos: File[list[UploadedFile]],
    expected_version: Form[int | None] = None,
) -> Status:
    user = _user(request)
    case = selectors.staff_case(user, case_id)
    actions.add_photos(
        actor=user,
        case=case.pk,
        photos=prepare_photos(photos),
        expected_version=expected_version,
    )
    return Status(201, _photos(case))


@router.get(
    "/cases/{case_id}/photos/{photo_id}/image",
    response=ERRORS_STAFF,
    url_name="photo_image",
    summary=gettext_lazy("A photo"),
    openapi_extra={"responses": JPEG},
)
def image(request: HttpRequest, case_id: int, photo_id: uuid.UUID) -> FileResponse:
    found = photo_selectors.photo_for_staff(user=_user(request), case_id=case_id, uid=photo_id)
    return photo_response(found, thumbnail=False)


@router.get(
    "/cases/{case_id}/photos/{photo_id}/thumbnail",
    response=ERRORS_STAFF,
    url_name="photo_thumbnail",
    summary=gettext_lazy("A photo's thumbnail"),
    openapi_extra={"responses": JPEG},
)
def thumbnail(request: HttpRequest, case_id: int, photo_id: uuid.UUID) -> FileResponse:
    found = photo_selectors.photo_for_staff(user=_user(request), case_id=case_id, uid=photo_id)
    return photo_response(found, thumbnail=True)
