"""Where outgoing SMS go: a file in the data directory (default) or a generic HTTP gateway.

A backend has a ``name`` and one method, ``send(to, text) -> None``, which returns once
the message is handed over and raises ``SmsError`` otherwise. Error messages never carry
the phone number: they end up in the outbound log that staff can read.

``MINSHENG_SMS_BACKEND`` chooses: ``file`` or ``http``.
"""

from __future__ import annotations

import json
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


class FileBackend:
    """Appends each message to ``sms-outbox.log`` in the data directory.

    For a demonstration or development setup: nothing leaves the machine, and the number
    is masked down to its last four digits, so the file is no register of residents.
    """

    name = "file"
    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(settings.DATA_DIR) / "sms-outbox.log"

    def send(self, to: str, text: str) -> None:
        line = "{time}\t{to}\t{text}\n".format(
            time=timezone.localtime().isoformat(timespec="seconds"),
            to=mask_number(to),
            text=" ".join(text.split()),
        )
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as outbox:
                outbox.write(line)
        except OSError as exc:
            raise SmsError(f"cannot write {self.path}: {exc.strerror}") from exc


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
