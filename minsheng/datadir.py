"""Where an installation keeps its database, uploads and keys.

The embedded setup must work with no configuration at all, so missing secrets are
generated on first use and kept in the data directory, readable only by its owner.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def data_dir() -> Path:
    configured = os.environ.get("MINSHENG_DATA_DIR")
    if configured:
        path = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "minsheng"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
