from __future__ import annotations

from pathlib import Path

import pytest

from minsheng.photos.models import Photo
from minsheng.photos.storage import photo_storage


@pytest.fixture(autouse=True)
def photo_dir(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """Every photo test stores into its own directory, never the data directory's."""
    location = tmp_path / "photos"
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


def stored_files(location: Path) -> list[Path]:
    return sorted(p for p in location.rglob("*") if p.is_file()) if location.exists() else []


def read_photo(photo: Photo, *, thumbnail: bool = False) -> bytes:
    name = photo.thumbnail_name if thumbnail else photo.file_name
    with photo_storage().open(name, "rb") as handle:
        return handle.read()
