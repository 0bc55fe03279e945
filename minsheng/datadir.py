"""Where an installation keeps its database, uploads and keys.

The embedded setup must work with no configuration at all, so missing secrets are
generated on first use and kept in the data directory, readable only by its owner.
The directory itself is created 0700 and the database 0600 (SQLite gives its -wal and
-shm files the database's mode), so no other account on the machine can read the cases.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path


def data_dir() -> Path:
    configured = os.environ.get("MINSHENG_DATA_DIR")
    if configured:
        path = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "minsheng"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only unless it exists (an empty file is an empty
    SQLite database, which SQLite then fills with the mode it found)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def tighten_permissions(path: Path) -> list[str]:
    """Make the data directory 0700 and the files directly in it 0600, for installations
    made before they were created so. Returns what was changed, for the start-up log."""
    changed = []
    if path.is_dir() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o700)
        changed.append(str(path))
    for entry in path.iterdir() if path.is_dir() else ():
        if entry.is_file() and not entry.is_symlink():
            if stat.S_IMODE(entry.stat().st_mode) & 0o077:
                entry.chmod(0o600)
                changed.append(entry.name)
    return changed


def read_or_create_secret(name: str, make: callable) -> str:  # type: ignore[valid-type]
    """Return the secret stored in the data directory under ``name``, creating it once."""
    path = data_dir() / name
    if path.exists():
        return path.read_text().strip()
    value = make()
    # O_EXCL so two processes starting together cannot write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def new_django_secret() -> str:
    return secrets.token_urlsafe(50)
