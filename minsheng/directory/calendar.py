"""Working time on the mainland-China public holiday calendar.

Sources, in order of authority for a given date:
1. ``CalendarDay`` rows an administrator entered (the State Council's notice for a year);
2. ``chinese_calendar`` (official adjusted days, but only for the years it ships);
3. ``holidays.China`` (computes the lunar holidays for any year, adjustments where known);
4. plain Monday–Friday.
So the calendar never fails for a year a package does not cover.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

import chinese_calendar
import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def package_is_working_day(day: dt.date) -> bool:
    """Working day according to the packages alone (no administrator overrides)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        pass
    try:
        return bool(_holidays_for(day.year).is_working_day(day))
    except Exception:  # noqa: BLE001 - an unknown year must not stop deadlines
        return day.weekday() < 5


class WorkingCalendar:
    """Answers "is this a working day" with administrator overrides loaded once."""

    def __init__(self, overrides: dict[dt.date, bool] | None = None) -> None:
        self.overrides = overrides if overrides is not None else {}

    @classmethod
    def load(cls) -> WorkingCalendar:
        from minsheng.directory.models import CalendarDay

        return cls(dict(CalendarDay.objects.values_list("date", "is_working_day")))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return package_is_working_day(day)

    def working_days(self, start: dt.date, end: dt.date) -> Iterable[dt.date]:
        day = start
        while day <= end:
            if self.is_working_day(day):
                yield day
            day += dt.timedelta(days=1)

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The deadline ``days`` working days after ``start``.

        From a working day the deadline keeps the clock time on the n-th following
        working day (Monday 10:00 + 1 → Tuesday 10:00). A case raised on a rest day
        starts counting on the next working day and is due at the end of the n-th.
        """
        if days <= 0:
            return start
        local = timezone.localtime(start)
        tz = local.tzinfo
        day = local.date()
        if self.is_working_day(day):
            counted = 0
            while counted < days:
                day += dt.timedelta(days=1)
                if self.is_working_day(day):
                    counted += 1
            return dt.datetime.combine(day, local.time(), tzinfo=tz)
        counted = 0
        while True:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == days:
                    break
        end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
        return end_of_day

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Elapsed working time between two instants, in working days (24 h each)."""
        if end <= start:
            return 0.0
        start_l, end_l = timezone.localtime(start), timezone.localtime(end)
        tz = start_l.tzinfo
        total = 0.0
        day = start_l.date()
        while day <= end_l.date():
            if self.is_working_day(day):
                day_start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
                day_end = day_start + dt.timedelta(days=1)
                lo, hi = max(day_start, start_l), min(day_end, end_l)
                if hi > lo:
                    total += (hi - lo).total_seconds() / 86400
            day += dt.timedelta(days=1)
        return total


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    return WorkingCalendar.load().add_working_days(start, days)


def packages_know(year: int) -> bool:
    """Whether chinese_calendar ships the official days of ``year`` (with 调休)."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


# The State Council publishes next year's notice in November or December.
NOTICE_WATCH_FROM_MONTH = 11


def year_awaiting_notice(today: dt.date | None = None) -> int | None:
    """The coming year, from November on, if neither the packages nor the administrator
    know its official days yet (its adjusted working weekends would count as days off)."""
    from minsheng.directory.models import CalendarDay

    today = today or timezone.localdate()
    if today.month < NOTICE_WATCH_FROM_MONTH:
        return None
    year = today.year + 1
    if packages_know(year) or CalendarDay.objects.filter(date__year=year).exists():
        return None
    return year
