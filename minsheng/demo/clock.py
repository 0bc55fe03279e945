"""A controlled clock, so the demo's history is written by the real actions in the past.

The lifecycle actions stamp cases and events with ``django.utils.timezone.now()``, read at
call time. To replay six months of a county in a few seconds, the demo generator runs each
step of a case with that function temporarily replaced by one that returns the step's
moment. This is for the demo generator only — never for code that serves requests — and
it is not thread-safe: run it in a management command or a test, not beside a live server
in the same process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


@contextmanager
def frozen_clock(at: dt.datetime) -> Iterator[dt.datetime]:
    """Make ``timezone.now()`` return ``at`` inside the block; the real clock always returns.

    Code that did ``from django.utils.timezone import now`` keeps the real function, and a
    model field declared ``default=timezone.now`` captured the real function when its class
    was built; the generator corrects the one such timestamp it meets (Feedback.created_at).
    """
    if timezone.is_naive(at):
        raise ValueError("frozen_clock needs an aware datetime")
    real_now = timezone.now
    timezone.now = lambda: at  # type: ignore[assignment]
    try:
        yield at
    finally:
        timezone.now = real_now  # type: ignore[assignment]
