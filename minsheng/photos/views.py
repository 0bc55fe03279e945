"""The only way a photo leaves the server: for staff who may read the case page, or for
the holder of the case's tracking code. Anything else is a 404, the same answer as for a
photo that does not exist."""

from __future__ import annotations

import uuid

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from minsheng.cases.views import staff_required
from minsheng.photos.models import Photo
from minsheng.photos.selectors import photo_for_holder, photo_for_staff
from minsheng.photos.storage import photo_storage
from minsheng.throttle.actions import TooManyTries, client_ip


def photo_response(photo: Photo | None, *, thumbnail: bool) -> FileResponse:
    """The stored JPEG, kept in no shared cache (``private``)."""
    if photo is None:
        raise Http404
    name = photo.thumbnail_name if thumbnail else photo.file_name
    try:
        handle = photo_storage().open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="{photo.uid.hex}.jpg"'
    # A photo never changes; only its readers may keep a copy.
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@staff_required
def staff(request: HttpRequest, pk: int, uid: uuid.UUID) -> FileResponse:
    return photo_response(photo_for_staff(user=request.user, case_id=pk, uid=uid), thumbnail=False)


@require_GET
@staff_required
def staff_thumbnail(request: HttpRequest, pk: int, uid: uuid.UUID) -> FileResponse:
    return photo_response(photo_for_staff(user=request.user, case_id=pk, uid=uid), thumbnail=True)


def _holder_response(
    request: HttpRequest, code: str, uid: uuid.UUID, *, thumbnail: bool
) -> HttpResponse:
    try:
        photo = photo_for_holder(code=code, uid=uid, client=client_ip(request))
    except TooManyTries as exc:
        response = HttpResponse(str(exc.message), status=429, content_type="text/plain")
        response["Retry-After"] = str(exc.retry_after)
        return response
    return photo_response(photo, thumbnail=thumbnail)


@require_GET
def holder(request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
    return _holder_response(request, code, uid, thumbnail=False)


@require_GET
def holder_thumbnail(request: HttpRequest, code: str, uid: uuid.UUID) -> HttpResponse:
    return _holder_response(request, code, uid, thumbnail=True)
