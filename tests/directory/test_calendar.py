"""Working-time calendar: holidays, adjusted working days, unknown years, admin overrides."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.directory.calendar import WorkingCalendar, package_is_working_day
from minsheng.directory.models import CalendarDay

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def test_national_day_week_is_not_working_time():
    cal = WorkingCalendar()
    # 2026-09-30 is a Wednesday; National Day holidays run 1–7 October 2026.
    assert cal.add_working_days(at(2026, 9, 30), 1) == at(2026, 10, 8)


def test_adjusted_working_saturday_counts_as_a_working_day():
    cal = WorkingCalendar()
    # Spring Festival 2026: Saturday 14 February is an adjusted working day.
    assert cal.is_working_day(dt.date(2026, 2, 14))
    assert cal.add_working_days(at(2026, 2, 13), 1) == at(2026, 2, 14)


def test_ordinary_weekend_is_skipped():
    cal = WorkingCalendar()
    # Friday 2026-11-20 + 1 working day → Monday 2026-11-23 at the same time.
    assert cal.add_working_days(at(2026, 11, 20, 15, 30), 1) == at(2026, 11, 23, 15, 30)


def test_case_raised_on_a_rest_day_is_due_at_end_of_nth_working_day():
    cal = WorkingCalendar()
    # Saturday 2026-11-21 + 1 → end of Monday 23rd (= Tuesday 00:00).
    assert cal.add_working_days(at(2026, 11, 21), 1) == at(2026, 11, 24, 0, 0)


def test_december_2026_case_gets_a_2027_deadline_without_failing():
    cal = WorkingCalendar()
    deadline = cal.add_working_days(at(2026, 12, 30), 5)
    # 1 January 2027 is New Year's Day (computed by the holidays package); weekends skipped.
    assert deadline.year == 2027
    assert not cal.is_working_day(dt.date(2027, 1, 1))
    assert deadline == at(2027, 1, 7)


@pytest.mark.parametrize("year", [2027, 2030, 2099])
def test_years_no_package_fully_covers_never_fail(year):
    cal = WorkingCalendar()
    assert cal.add_working_days(at(year, 3, 2), 3) > at(year, 3, 2)


@pytest.mark.django_db
def test_administrator_adjustment_overrides_the_packages():
    # Suppose the State Council declares Saturday 2027-02-20 a working day.
    CalendarDay.objects.create(date=dt.date(2027, 2, 20), is_working_day=True, note="调休上班")
    CalendarDay.objects.create(date=dt.date(2027, 2, 22), is_working_day=False, note="春节")
    cal = WorkingCalendar.load()
    assert cal.is_working_day(dt.date(2027, 2, 20))
    assert not cal.is_working_day(dt.date(2027, 2, 22))
    # Friday 19th + 1 → the adjusted Saturday 20th.
    assert cal.add_working_days(at(2027, 2, 19), 1) == at(2027, 2, 20)


def test_packages_agree_on_a_known_holiday():
    assert not package_is_working_day(dt.date(2026, 10, 1))
    assert package_is_working_day(dt.date(2026, 10, 9))


days = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=SH)
)


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=15))
def test_deadline_is_later_and_spans_exactly_n_working_days(start, n):
    cal = WorkingCalendar()
    deadline = cal.add_working_days(start, n)
    assert deadline > start
    # The working time between start and deadline is exactly n days (24 h per working day).
    assert cal.working_days_between(start, deadline) == pytest.approx(n, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(start=days, a=st.integers(min_value=1, max_value=8), b=st.integers(min_value=1, max_value=8))
def test_more_working_days_never_gives_an_earlier_deadline(start, a, b):
    cal = WorkingCalendar()
    lo, hi = sorted((a, b))
    assert cal.add_working_days(start, lo) <= cal.add_working_days(start, hi)
