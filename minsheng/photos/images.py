"""Turning an uploaded picture into a photo fit to keep: decoded, upright, downscaled and
re-encoded as a plain JPEG that carries no metadata.

A phone photo tells more than its picture: EXIF holds the GPS position of the resident's
house, the camera's serial number and the time, XMP and comments hold more. Re-encoding the
pixels into a new image is the only way to be sure none of it survives, so nothing of the
uploaded file is kept. This module touches no database: callers prepare photos *before*
an action opens its transaction (decoding takes a second; the write lock should not wait).
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from minsheng.cases.errors import InvalidInput

MAX_PHOTOS = 3  # per report, note or resolution
MAX_BYTES = 10 * 1024 * 1024  # per uploaded file
LONG_SIDE = 1600  # px: enough to read a house number, small enough for a village connection
THUMB_SIDE = 360  # px: the thumbnails on case pages (2× a 180-px box)
QUALITY = 82
THUMB_QUALITY = 75
# Decompression bombs: a small file that claims an enormous picture. The claimed size is
# refused above MAX_CLAIMED_PIXELS (a 108-megapixel phone photo passes); what is actually
# decoded (JPEGs decode straight to a reduced size, see Image.draft) is refused above
# MAX_DECODED_PIXELS, about 160 MB of memory.
MAX_CLAIMED_PIXELS = 150_000_000
MAX_DECODED_PIXELS = 40_000_000
# Formats phones and cameras send. HEIC is not among them: browsers convert it to JPEG when
# a page asks for image/*; Pillow cannot read it without a plug-in.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")  # JPEG includes MPO (several pictures in one)
FIELD = "photos"

_SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: the clean JPEG, its thumbnail, and the facts kept with it."""

    data: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class PhotoBatch:
    """The photos sent with one form or request: prepared, or the reason they were refused.

    The refusal is kept rather than raised so the action reports it together with the
    form's other problems (an empty description and a PDF are both shown at once).
    """

    photos: tuple[PreparedPhoto, ...] = ()
    problem: InvalidInput | None = None
    sent: int = 0  # how many files arrived, also when they were refused

    def checked(self) -> tuple[PreparedPhoto, ...]:
        if self.problem is not None:
            raise self.problem
        return self.photos


NO_PHOTOS = PhotoBatch()


def prepare_photos(files: Sequence[UploadedFile]) -> PhotoBatch:
    """Prepare every uploaded file, or record why the batch is refused (the first bad file
    refuses them all: the resident chooses again, nothing is half-kept)."""
    files = [f for f in files if f is not None and getattr(f, "name", None) is not None]
    if not files:
        return NO_PHOTOS
    if len(files) > MAX_PHOTOS:
        message = ngettext(
            "At most %(max)d photo can be sent at once; you chose %(n)d.",
            "At most %(max)d photos can be sent at once; you chose %(n)d.",
            MAX_PHOTOS,
        ) % {"max": MAX_PHOTOS, "n": len(files)}
        return PhotoBatch(problem=InvalidInput(message, field=FIELD), sent=len(files))
    prepared = []
    for upload in files:
        try:
            prepared.append(prepare_photo(upload))
        except InvalidInput as exc:
            return PhotoBatch(problem=exc, sent=len(files))
    return PhotoBatch(photos=tuple(prepared), sent=len(files))


def prepare_photo(upload: UploadedFile) -> PreparedPhoto:
    """One upload as a clean, upright JPEG of at most LONG_SIDE px; InvalidInput if it is
    too large, not a picture, or a picture too big to decode safely."""
    name = _display_name(upload)
    if upload.size is not None and upload.size > MAX_BYTES:
        raise InvalidInput(
            _("“%(name)s” is too large: at most %(max)d MB per photo.")
            % {"name": name, "max": MAX_BYTES // (1024 * 1024)},
            field=FIELD,
        )
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            # Pillow warns from 89 megapixels and refuses from 179; the limits above decide.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=FORMATS)
            if image.width * image.height > MAX_CLAIMED_PIXELS:
                raise _too_many_pixels(name)
            if image.format in ("JPEG", "MPO"):
                image.draft("RGB", _draft_size(image.size))
            if image.width * image.height > MAX_DECODED_PIXELS:
                raise _too_many_pixels(name)
            image.load()
            clean, thumbnail = _reencode(image)
    except InvalidInput:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(name) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InvalidInput(
            _(
                "“%(name)s” is not a photo this site can read. Please send a JPEG, PNG or "
                "WebP picture."
            )
            % {"name": name},
            field=FIELD,
        ) from exc
    data, width, height = clean
    return PreparedPhoto(
        data=data,
        thumbnail=thumbnail,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _display_name(upload: UploadedFile) -> str:
    # Only the last part, shortened: it is echoed in the page's error message.
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name if len(name) <= 40 else name[:37] + "…"


def _too_many_pixels(name: str) -> InvalidInput:
    return InvalidInput(
        _("“%(name)s” has too many pixels to be read safely. Please send a smaller picture.")
        % {"name": name},
        field=FIELD,
    )


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The smallest size the JPEG decoder may hand back and still fill LONG_SIDE."""
    scale = min(1.0, LONG_SIDE / max(size))
    return (math.ceil(size[0] * scale), math.ceil(size[1] * scale))


def _reencode(image: Image.Image) -> tuple[tuple[bytes, int, int], bytes]:
    """The photo and its thumbnail as new JPEGs made from the pixels alone."""
    # Phones store a photo sideways plus an orientation tag; the tag goes with the EXIF, so
    # it is applied to the pixels first.
    upright = ImageOps.exif_transpose(image)
    rgb = _as_srgb(upright)
    rgb.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    # A new image holds only pixels: no info dictionary (EXIF, XMP, comment, ICC profile)
    # can ride along into the saved file.
    pixels = Image.new("RGB", rgb.size)
    pixels.paste(rgb)
    data = _jpeg(pixels, QUALITY)
    thumb = pixels.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return (data, pixels.width, pixels.height), _jpeg(thumb, THUMB_QUALITY)


def _as_srgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB: colour profiles (a phone's Display P3, a print CMYK) applied, so dropping
    the profile does not change the colours; transparency on white."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: keep the colours as they are
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()
