"""Cleaning an upload: what is kept of a phone photo, and what is refused."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from PIL import Image

from minsheng.photos.images import (
    LONG_SIDE,
    MAX_PHOTOS,
    THUMB_SIDE,
    prepare_photo,
    prepare_photos,
)
from tests.photos.pictures import (
    SECRET_COMMENT,
    SERIAL,
    jpeg_bytes,
    not_an_image,
    oversized_upload,
    photo_upload,
    png_claiming,
    upload,
)


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_phone_photo_loses_every_piece_of_metadata():
    prepared = prepare_photo(photo_upload())
    image = _open(prepared.data)
    assert len(image.getexif()) == 0
    assert not {"exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"} & set(image.info)
    for secret in (b"Exif", SERIAL.encode(), b"PhoneModel", SECRET_COMMENT, b"2026:11:20"):
        assert secret not in prepared.data
        assert secret not in prepared.thumbnail


def test_phone_photo_stands_upright():
    prepared = prepare_photo(photo_upload())
    image = _open(prepared.data).convert("RGB")
    # Stored 800×600 sideways with "turn clockwise": it is 600 wide and 800 high, and the
    # half that was on top is now on the right.
    assert (prepared.width, prepared.height) == image.size == (600, 800)
    right = image.getpixel((550, 400))
    left = image.getpixel((50, 400))
    assert right[0] > 150 and right[2] < 100, right  # red
    assert left[2] > 150 and left[0] < 100, left  # blue


def test_large_photo_is_downscaled_and_thumbnailed():
    prepared = prepare_photo(upload(jpeg_bytes(size=(4000, 3000))))
    assert (prepared.width, prepared.height) == (LONG_SIDE, 1200)
    assert _open(prepared.data).size == (LONG_SIDE, 1200)
    assert max(_open(prepared.thumbnail).size) == THUMB_SIDE
    assert len(prepared.sha256) == 64


def test_transparent_png_is_flattened_to_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(out, "PNG")
    prepared = prepare_photo(upload(out.getvalue(), "screenshot.png", "image/png"))
    image = _open(prepared.data)
    assert image.format == "JPEG"
    assert image.getpixel((10, 10))[0] > 240  # white, not black


def test_non_image_is_refused_by_name():
    batch = prepare_photos([not_an_image("letter.pdf")])
    assert batch.photos == ()
    assert batch.problem.field == "photos"
    assert "letter.pdf" in str(batch.problem.message)
    assert "not a photo" in str(batch.problem.message)


def test_file_over_ten_megabytes_is_refused():
    batch = prepare_photos([oversized_upload()])
    assert "too large" in str(batch.problem.message)
    assert "10 MB" in str(batch.problem.message)


@pytest.mark.parametrize("size", [(20_000, 20_000), (10_000, 5_000)])
def test_decompression_bomb_is_refused(size):
    batch = prepare_photos([upload(png_claiming(*size), "bomb.png", "image/png")])
    assert "too many pixels" in str(batch.problem.message)


def test_more_than_three_photos_are_refused_together():
    batch = prepare_photos([photo_upload(f"p{n}.jpg") for n in range(MAX_PHOTOS + 1)])
    assert batch.photos == ()
    assert batch.sent == MAX_PHOTOS + 1
    assert "At most 3 photos" in str(batch.problem.message)


def test_one_bad_file_refuses_the_whole_batch():
    batch = prepare_photos([photo_upload(), not_an_image()])
    assert batch.photos == ()
    assert batch.problem is not None


def test_no_files_is_no_photos():
    batch = prepare_photos([])
    assert batch.checked() == ()
