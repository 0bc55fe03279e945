"""Static file URLs that carry a hash of the file's content.

A village phone on a slow connection should not ask for the stylesheet again on every
page: with the content's hash in the URL (``style.css?v=1a2b3c4d5e6f``) a browser may keep
each file for a year, and a new release changes the URL of every file it changed. Unlike
Django's manifest storage this needs no collectstatic step, which the embedded setup
(``minsheng run`` serving from the app directories) does not have.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage


def _content_hash(name: str) -> str:
    path = finders.find(name)
    if not path:
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


_cached_hash = lru_cache(maxsize=None)(_content_hash)


class VersionedStaticFilesStorage(StaticFilesStorage):
    def url(self, name: str | None) -> str:
        url = super().url(name)
        # While developing, files change under a running server: hash them every time.
        version = _content_hash(name) if settings.DEBUG else _cached_hash(name)
        return f"{url}?v={version}" if version else url
