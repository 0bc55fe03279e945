"""Helpers for the KPI tests: a controlled clock that also delivers committed events."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest

from minsheng.demo.clock import frozen_clock

TZ = ZoneInfo("Asia/Shanghai")


def moment(day: int, hour: int, minute: int = 0, *, month: int = 6) -> dt.datetime:
    """A moment in June 2025 (9–13 June are plain working days), Beijing time."""
    return dt.datetime(2025, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def at(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``with at(moment):`` runs actions at that moment and delivers their committed events
    (the test transaction never commits, so the on-commit callbacks are run by hand)."""

    @contextmanager
    def _at(when: dt.datetime):  # type: ignore[no-untyped-def]
        with frozen_clock(when), django_capture_on_commit_callbacks(execute=True):
            yield when

    return _at
