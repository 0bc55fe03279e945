"""Counting failed attempts and refusing more once a client has failed too often.

A sliding window over rows in the database (not a per-process cache): with several web
processes behind a proxy, each must see the failures the others counted. Only failures
are counted, so residents behind one carrier NAT are not locked out by ordinary use, and a
locked client is refused before its attempt is even checked, so a right guess made while
locked tells it nothing.

The limits (see ``LOGIN`` and ``TRACKING``):

- sign-in (staff login page, administration site, POST /api/auth/token): 10 failures for
  one username from one address, or 50 from one address for any usernames, within 15
  minutes. The per-address pair, not the username alone, is locked, so nobody can lock a
  colleague out by typing wrong passwords under their name from elsewhere.
- tracking codes (resident pages, /api/public/cases/…, SMS): 30 unknown codes from one
  address (for SMS: one sender number) within 10 minutes.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from minsheng.cases.errors import CaseError
from minsheng.throttle.models import Failure


@dataclass(frozen=True)
class Limit:
    scope: str
    window: dt.timedelta
    per_client: int
    per_subject: int | None = None


LOGIN = Limit("login", window=dt.timedelta(minutes=15), per_client=50, per_subject=10)
TRACKING = Limit("tracking", window=dt.timedelta(minutes=10), per_client=30)
LIMITS = (LOGIN, TRACKING)


class TooManyTries(CaseError):
    """Refused before trying: this client failed too often. ``until`` is when it may try
    again."""

    status_code = 429
    default_message = _("Too many failed attempts. Please try again later.")

    def __init__(self, message: object = None, *, until: dt.datetime) -> None:
        super().__init__(message)
        self.until = until

    @property
    def retry_after(self) -> int:
        """Seconds until the client may try again, for a Retry-After header."""
        return max(1, int((self.until - timezone.now()).total_seconds()) + 1)


def clock_time(moment: dt.datetime) -> str:
    """The local time of day a refusal names ("14:05"): the same in every language."""
    return timezone.localtime(moment).strftime("%H:%M")


# --- who is asking ---------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or, behind ``MINSHENG_TRUSTED_PROXIES`` reverse
    proxies, the address the outermost of them saw.

    Each proxy appends the address it was contacted from to X-Forwarded-For, so the
    entries a client sends itself come first and cannot be trusted; the n-th entry from
    the right is the one our own n-th proxy wrote. IPv6 addresses count by their /64: one
    household or phone holds a whole /64.
    """
    address = request.META.get("REMOTE_ADDR") or ""
    hops = settings.MINSHENG_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(kind: str, value: str) -> str:
    return salted_hmac(f"minsheng.throttle.{kind}", value, algorithm="sha256").hexdigest()


def _subject_key(subject: str) -> str:
    # Usernames differing only in case or spaces are one username to a guesser.
    return _key("subject", subject.strip().lower()) if subject else ""


# --- counting --------------------------------------------------------------------------------


def locked_until(
    limit: Limit, *, client: str, subject: str = "", now: dt.datetime | None = None
) -> dt.datetime | None:
    """When ``client`` (for ``subject``) may try again, or None if it may try now.

    A client is locked while the window holds as many failures as the limit; it unlocks
    when the failure that reached the limit leaves the window.
    """
    now = now or timezone.now()
    recent = Failure.objects.filter(
        scope=limit.scope, client=_key("client", client), failed_at__gt=now - limit.window
    )
    ends = [_lock_end(recent, limit.per_client, limit.window)]
    if subject and limit.per_subject:
        mine = recent.filter(subject=_subject_key(subject))
        ends.append(_lock_end(mine, limit.per_subject, limit.window))
    ends = [end for end in ends if end is not None]
    return max(ends) if ends else None


def _lock_end(recent, allowed: int, window: dt.timedelta) -> dt.datetime | None:  # type: ignore[no-untyped-def]
    newest = recent.order_by("-failed_at").values_list("failed_at", flat=True)
    reaching = list(newest[allowed - 1 : allowed])
    return reaching[0] + window if reaching else None


def record_failure(
    limit: Limit, *, client: str, subject: str = "", now: dt.datetime | None = None
) -> None:
    """Count one failed attempt by ``client`` (for ``subject``)."""
    Failure.objects.create(
        scope=limit.scope,
        client=_key("client", client),
        subject=_subject_key(subject),
        failed_at=now or timezone.now(),
    )


def clear_failures(limit: Limit, *, client: str, subject: str) -> None:
    """Forget ``client``'s failures for ``subject`` after a success (someone who mistyped
    their password a few times and then got it right starts afresh)."""
    Failure.objects.filter(
        scope=limit.scope, client=_key("client", client), subject=_subject_key(subject)
    ).delete()


def forget_old_failures(*, now: dt.datetime | None = None) -> int:
    """Delete failures older than the longest window; the deadline sweep calls this."""
    now = now or timezone.now()
    longest = max(limit.window for limit in LIMITS)
    deleted, _by_model = Failure.objects.filter(failed_at__lte=now - longest).delete()
    return deleted
