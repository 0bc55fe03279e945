"""The attempt counter: a sliding window per client (and per client and subject)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from minsheng.throttle import actions as throttle
from minsheng.throttle.models import Failure

LOGIN = throttle.LOGIN


def fail(times: int, *, client: str = "10.0.0.1", subject: str = "handler", at=None) -> None:  # type: ignore[no-untyped-def]
    for _ in range(times):
        throttle.record_failure(LOGIN, client=client, subject=subject, now=at)


def test_a_client_is_locked_at_the_limit_and_not_before(db):
    fail(9)
    assert throttle.locked_until(LOGIN, client="10.0.0.1", subject="handler") is None
    fail(1)
    assert throttle.locked_until(LOGIN, client="10.0.0.1", subject="handler") is not None


def test_the_lock_ends_when_the_failure_that_reached_the_limit_leaves_the_window(db):
    start = timezone.now() - dt.timedelta(minutes=20)
    fail(5, at=start)  # already out of the window
    reached = timezone.now() - dt.timedelta(minutes=5)
    fail(10, at=reached)
    until = throttle.locked_until(LOGIN, client="10.0.0.1", subject="handler")
    assert until == reached + LOGIN.window
    later = until + dt.timedelta(seconds=1)
    assert throttle.locked_until(LOGIN, client="10.0.0.1", subject="handler", now=later) is None


def test_usernames_differing_in_case_are_one_subject(db):
    fail(5, subject="Handler")
    fail(5, subject=" handler ")
    assert throttle.locked_until(LOGIN, client="10.0.0.1", subject="HANDLER") is not None


def test_the_address_locks_for_every_username_at_its_own_limit(db):
    for n in range(LOGIN.per_client):
        throttle.record_failure(LOGIN, client="10.0.0.1", subject=f"user{n}")
    assert throttle.locked_until(LOGIN, client="10.0.0.1", subject="somebody-else") is not None
    assert throttle.locked_until(LOGIN, client="10.0.0.2", subject="somebody-else") is None


def test_success_clears_only_that_username_from_that_address(db):
    fail(9, subject="handler")
    fail(9, subject="operator")
    fail(9, client="10.0.0.2", subject="handler")
    throttle.clear_failures(LOGIN, client="10.0.0.1", subject="handler")
    assert Failure.objects.count() == 18


def test_nothing_readable_is_stored(db):
    fail(1, client="203.0.113.9", subject="handler")
    row = Failure.objects.get()
    assert "203.0.113.9" not in (row.client, row.subject)
    assert "handler" not in (row.client, row.subject)


def test_old_failures_are_forgotten(db):
    fail(3, at=timezone.now() - dt.timedelta(hours=1))
    fail(2)
    assert throttle.forget_old_failures() == 3
    assert Failure.objects.count() == 2


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # no proxy: the header is ignored
        (1, "127.0.0.1", "203.0.113.1", "203.0.113.1"),
        (1, "127.0.0.1", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # the client wrote 6.6.6.6
        (2, "127.0.0.1", "6.6.6.6, 203.0.113.1, 10.0.0.5", "203.0.113.1"),
        (1, "127.0.0.1", "", "127.0.0.1"),
        (0, "2001:db8:1:2:a:b:c:d", "", "2001:db8:1:2::/64"),
        (0, "::ffff:198.51.100.7", "", "198.51.100.7"),
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):  # type: ignore[no-untyped-def]
    settings.MINSHENG_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == expected
