"""Where outgoing SMS go: a file in the data directory (default) or a generic HTTP gateway.

A backend has a ``name`` and one method, ``send(to, text) -> None``, which returns once
the message is handed over and raises ``SmsError`` otherwise. Error messages never carry
the phone number: they end up in the outbound log that staff can read.

``MINSHENG_SMS_BACKEND`` chooses: ``file`` or ``http``.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# Long digit runs in anything a gateway says back may be a phone number.
_DIGIT_RUN = re.compile(r"\d{5,}")


class SmsError(Exception):
    """The message could not be handed over; the text says why, without the number."""


class SmsBackend(Protocol):
    name: str

    def send(self, to: str, text: str) -> None: ...


def mask_number(number: str) -> str:
    """All digits but the last four hidden: enough to tell two test phones apart."""
    digits = re.sub(r"\D", "", number)
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def _scrub(text: str) -> str:
    return _DIGIT_RUN.sub(lambda m: "*" * len(m.group(0)), text)


# The outbox file keeps messages this long; the deadline sweep prunes older lines.
OUTBOX_KEEP_DAYS = 30


def outbox_path() -> Path:
    return Path(settings.DATA_DIR) / "sms-outbox.log"


def _open_outbox(path: Path) -> int:
    """The outbox opened for appending, readable by its owner only, and locked against the
    other processes that write or prune it (web processes and workers)."""
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


class FileBackend:
    """Appends each message to ``sms-outbox.log`` in the data directory.

    For a demonstration or development setup: nothing leaves the machine, and the number
    is masked down to its last four digits, so the file is no register of residents. Still,
    messages carry tracking codes: the file is readable by its owner only, and lines older
    than ``OUTBOX_KEEP_DAYS`` are pruned by the deadline sweep.
    """

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or outbox_path()

    def send(self, to: str, text: str) -> None:
        line = "{time}\t{to}\t{text}\n".format(
            time=timezone.localtime().isoformat(timespec="seconds"),
            to=mask_number(to),
            text=" ".join(text.split()),
        )
        try:
            with self._lock:
                fd = _open_outbox(self.path)
                try:
                    os.write(fd, line.encode("utf-8"))
                finally:
                    os.close(fd)
        except OSError as exc:
            raise SmsError(f"cannot write {self.path}: {exc.strerror}") from exc


def prune_outbox(*, now: dt.datetime | None = None, path: Path | None = None) -> int:
    """Drop outbox lines older than ``OUTBOX_KEEP_DAYS``; returns how many were dropped.

    Rewrites the file in place under its lock, so a message another process is appending
    meanwhile lands after the kept lines rather than in a replaced file.
    """
    path = path or outbox_path()
    if not path.exists():
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=OUTBOX_KEEP_DAYS)
    with FileBackend._lock:
        fd = _open_outbox(path)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(os.dup(fd), "r+b") as outbox:
                lines = outbox.read().splitlines(keepends=True)
                kept = [line for line in lines if not _older_than(line, cutoff)]
                if len(kept) < len(lines):
                    outbox.seek(0)
                    outbox.truncate()
                    outbox.write(b"".join(kept))
        finally:
            os.close(fd)
    return len(lines) - len(kept)


def _older_than(line: bytes, cutoff: dt.datetime) -> bool:
    stamp = line.split(b"\t", 1)[0].decode("ascii", "replace")
    try:
        sent = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return False  # not a line this backend wrote: leave it for whoever did
    return sent.tzinfo is not None and sent < cutoff


class HttpGatewayBackend:
    """POSTs ``{"to": …, "text": …}`` as JSON to ``MINSHENG_SMS_GATEWAY_URL``.

    Sends ``Authorization: Bearer <MINSHENG_SMS_GATEWAY_TOKEN>`` when a token is set. Any
    2xx answer counts as handed over; anything else, a timeout or a refused connection
    raises SmsError.
    """

    name = "http"

    def __init__(
        self, url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url if url is not None else settings.MINSHENG_SMS_GATEWAY_URL
        self.token = token if token is not None else settings.MINSHENG_SMS_GATEWAY_TOKEN
        self.timeout = timeout if timeout is not None else settings.MINSHENG_SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise ImproperlyConfigured(
                "MINSHENG_SMS_BACKEND=http needs MINSHENG_SMS_GATEWAY_URL (the gateway's address)"
            )

    def send(self, to: str, text: str) -> None:
        body = json.dumps({"to": to, "text": text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(1024)
        except urllib.error.HTTPError as exc:
            detail = _scrub(exc.read(200).decode("utf-8", "replace")).strip()
            raise SmsError(
                f"gateway answered HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else "")
            ) from exc
        except urllib.error.URLError as exc:
            raise SmsError(f"gateway unreachable: {_scrub(str(exc.reason))}") from exc
        except TimeoutError as exc:
            raise SmsError(f"gateway did not answer within {self.timeout:g} s") from exc
        except OSError as exc:
            raise SmsError(f"gateway connection failed: {_scrub(str(exc))}") from exc


BACKENDS = {"file": FileBackend, "http": HttpGatewayBackend}


def get_backend() -> SmsBackend:
    name = settings.MINSHENG_SMS_BACKEND
    try:
        cls = BACKENDS[name]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"MINSHENG_SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}"
        ) from exc
    return cls()
