"""Real pictures made with Pillow for the photo tests, as a phone or a prankster sends them."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

RED = (220, 30, 30)
BLUE = (30, 30, 220)
GPS = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 5.0)}
SERIAL = "SN-4711-XYZ"
SECRET_COMMENT = b"taken at the house of Wang"


def jpeg_bytes(size: tuple[int, int] = (400, 300), color: tuple[int, int, int] = RED) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def phone_photo_bytes(size: tuple[int, int] = (800, 600)) -> bytes:
    """A photo as a phone stores it: sideways pixels (top half red, bottom half blue) with
    orientation 6 ("turn 90° clockwise to view"), the GPS position, camera model and serial
    number, the time taken, and a comment."""
    width, height = size
    image = Image.new("RGB", size, BLUE)
    image.paste(Image.new("RGB", (width, height // 2), RED), (0, 0))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Model] = "PhoneModel-9"
    exif[ExifTags.Base.GPSInfo] = GPS
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.BodySerialNumber] = SERIAL
    details[ExifTags.Base.DateTimeOriginal] = "2026:11:20 08:15:00"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, comment=SECRET_COMMENT)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels: a decompression bomb."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1), RED).save(out, "PNG")
    data = bytearray(out.getvalue())
    # The IHDR chunk starts at byte 8: length (4), type (4), width (4), height (4), …, CRC.
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, data, content_type=content_type)


def photo_upload(name: str = "photo.jpg"):  # type: ignore[no-untyped-def]
    return upload(phone_photo_bytes(), name)


def not_an_image(name: str = "report.pdf"):  # type: ignore[no-untyped-def]
    return upload(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", name, "application/pdf"
    )


def oversized_upload(name: str = "huge.jpg"):  # type: ignore[no-untyped-def]
    """A real JPEG padded past 10 MB (decoders ignore what follows the picture)."""
    return upload(jpeg_bytes() + b"\0" * (10 * 1024 * 1024), name)
