"""The running program's own source, offered to everyone who uses it over the network.

minsheng is licensed under the GNU AGPL, whose section 13 asks that users interacting with
it remotely can get the Corresponding Source. Serving the archive from the installation
itself keeps that promise true for modified deployments too: what is served is what runs.
"""

from __future__ import annotations

import functools
import io
import tarfile
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

PACKAGE_DIR = Path(settings.BASE_DIR)
# Present in a checkout, absent in an installed wheel; whatever exists is included.
PROJECT_FILES = ("pyproject.toml", "README.md", "LICENSE", "manage.py")
PROJECT_DIRS = ("scripts", "docs", "benchmarks", "tests", ".ci")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".ruff_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def source_files() -> list[tuple[Path, str]]:
    """(file on disk, name inside the archive) for every source file of this installation."""
    root = PACKAGE_DIR.parent
    found: list[tuple[Path, str]] = []

    def add_tree(directory: Path) -> None:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(root)
            if not path.is_file() or SKIPPED_PARTS.intersection(relative.parts):
                continue
            if path.suffix in SKIPPED_SUFFIXES:
                continue
            found.append((path, f"minsheng-source/{relative.as_posix()}"))

    add_tree(PACKAGE_DIR)
    is_checkout = (root / "pyproject.toml").is_file()
    if is_checkout:
        for name in PROJECT_FILES:
            if (root / name).is_file():
                found.append((root / name, f"minsheng-source/{name}"))
        for name in PROJECT_DIRS:
            if (root / name).is_dir():
                add_tree(root / name)
    return found


@functools.lru_cache(maxsize=1)
def source_archive() -> bytes:
    """A gzipped tar of the source; built once per process because the code cannot change
    under a running process."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, name in source_files():
            archive.add(path, arcname=name, recursive=False)
    return buffer.getvalue()


@require_safe
def download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(source_archive(), content_type="application/gzip")
    response["Content-Disposition"] = 'attachment; filename="minsheng-source.tar.gz"'
    return response
