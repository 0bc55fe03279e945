"""The year's holiday notice entered at once, and the running deadlines it moves."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Event, EventKind
from minsheng.directory.calendar import WorkingCalendar, year_awaiting_notice
from minsheng.directory.calendar_notice import parse_notice
from minsheng.directory.models import CalendarDay


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _running_case(county, submit) -> Case:  # type: ignore[no-untyped-def]
    return actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)


def _last_counted_day(case: Case) -> dt.date:
    """The last working day the case's deadline counts (its own day, or the day before a
    deadline at the end of a day)."""
    return (timezone.localtime(case.deadline) - dt.timedelta(seconds=1)).date()


# --- reading the notice ------------------------------------------------------------------


def test_notice_lines_in_the_forms_administrators_copy_them():
    notice = parse_notice(
        "# 2027年春节\n"
        "2027-02-06 上班 春节\n"
        "\n"
        "2027年2月10日 至 2027年2月12日 休 春节\n"
        "2027/2/20 班\n"
        "2027.10.09上班\n"
    )
    assert notice.ok, notice.problems
    assert [(d.date.isoformat(), d.is_working_day, d.note) for d in notice.days] == [
        ("2027-02-06", True, "春节"),
        ("2027-02-10", False, "春节"),
        ("2027-02-11", False, "春节"),
        ("2027-02-12", False, "春节"),
        ("2027-02-20", True, ""),
        ("2027-10-09", True, ""),
    ]


def test_every_bad_line_is_named_with_its_number():
    notice = parse_notice(
        "2027-02-06 上班\n"
        "2027-02-30 休\n"
        "2027-02-07 maybe\n"
        "tomorrow 休\n"
        "2027-02-12 至 2027-02-10 休\n"
        "2027-02-06 休\n"
    )
    assert not notice.ok
    assert [line for line, _message in notice.problems] == [2, 3, 4, 5, 6]


# --- the page ----------------------------------------------------------------------------


def test_page_checks_the_notice_and_writes_nothing_until_told(county):
    client = login(county.admin)
    response = client.post(
        reverse("directory:calendar"), {"text": "2099-02-06 上班 春节", "check": "1"}
    )
    assert response.status_code == 200
    assert "Checked: 1 day, nothing written yet" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_one_bad_line_writes_nothing_and_names_the_line(county):
    client = login(county.admin)
    response = client.post(
        reverse("directory:calendar"),
        {"text": "2099-02-06 上班 春节\n2099-02-31 休 春节", "save": "1"},
    )
    assert response.status_code == 400
    assert "1 problem: nothing was written" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_entering_the_notice_moves_the_deadlines_it_touches_and_says_how_many(county, submit):
    case = _running_case(county, submit)
    old = case.deadline
    day = _last_counted_day(case)
    client = login(county.admin)
    response = client.post(
        reverse("directory:calendar"), {"text": f"{day} 休 测试假日", "save": "1"}, follow=True
    )
    html = response.content.decode()
    assert "1 day entered in the calendar; the deadline of 1 running case moved." in html
    assert CalendarDay.objects.get(date=day).is_working_day is False
    case.refresh_from_db()
    assert case.deadline > old
    assert case.deadline == WorkingCalendar.load().add_working_days(
        case.events.get(kind=EventKind.DISPATCHED).created_at,
        case.category.limit_for(case.current_unit.level),
    )
    event = case.events.get(kind=EventKind.DEADLINE)
    assert dt.datetime.fromisoformat(event.data["from"]) == old and event.is_public


def test_entering_the_same_notice_again_moves_nothing(county, submit):
    case = _running_case(county, submit)
    text = f"{_last_counted_day(case)} 休"
    client = login(county.admin)
    client.post(reverse("directory:calendar"), {"text": text, "save": "1"})
    events = Event.objects.count()
    response = client.post(reverse("directory:calendar"), {"text": text, "save": "1"}, follow=True)
    assert "0 days entered in the calendar; the deadlines of 0 running cases moved." in (
        response.content.decode()
    )
    assert Event.objects.count() == events


def test_a_day_outside_a_deadline_window_leaves_the_case_alone(county, submit):
    case = _running_case(county, submit)
    later = timezone.localtime(case.deadline).date() + dt.timedelta(days=3)
    login(county.admin).post(reverse("directory:calendar"), {"text": f"{later} 休", "save": "1"})
    assert not case.events.filter(kind=EventKind.DEADLINE).exists()


def test_only_administrators_enter_the_notice(county):
    response = login(county.supervisor).get(reverse("directory:calendar"))
    assert response.status_code == 403


def test_a_day_changed_in_the_administration_moves_deadlines_too(county, submit):
    case = _running_case(county, submit)
    old = case.deadline
    response = login(county.admin).post(
        reverse("admin:directory_calendarday_add"),
        {"date": _last_counted_day(case).isoformat(), "note": "测试"},  # unticked: day off
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.deadline > old
    assert case.events.filter(kind=EventKind.DEADLINE).count() == 1


# --- the command -------------------------------------------------------------------------


def test_command_enters_a_notice_file_and_counts_what_moved(county, submit, tmp_path):
    case = _running_case(county, submit)
    notice = tmp_path / "notice.txt"
    notice.write_text(f"{_last_counted_day(case)} 休 测试\n2099-02-06 上班\n", encoding="utf-8")
    out = io.StringIO()
    call_command("calendar", "import", str(notice), stdout=out)
    assert CalendarDay.objects.count() == 2
    assert case.events.filter(kind=EventKind.DEADLINE).count() == 1
    assert "1" in out.getvalue()


def test_command_writes_nothing_when_a_line_is_wrong(county, tmp_path):
    notice = tmp_path / "notice.txt"
    notice.write_text("2099-02-06 上班\n2099-13-01 休\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("calendar", "import", str(notice), stdout=io.StringIO(), stderr=err)
    assert not CalendarDay.objects.exists()


# --- the reminder ------------------------------------------------------------------------


def test_from_november_the_coming_year_awaits_its_notice_until_one_is_entered(db):
    # chinese_calendar will not know 2099 for a long time.
    assert year_awaiting_notice(dt.date(2098, 10, 31)) is None
    assert year_awaiting_notice(dt.date(2098, 11, 1)) == 2099
    CalendarDay.objects.create(date=dt.date(2099, 1, 1), is_working_day=False, note="元旦")
    assert year_awaiting_notice(dt.date(2098, 12, 1)) is None


def test_a_year_the_packages_know_awaits_nothing(db):
    assert year_awaiting_notice(dt.date(2025, 11, 15)) is None  # 2026 ships with the package


def test_overview_tells_administrators_only_when_next_year_awaits_its_notice(county):
    awaiting = year_awaiting_notice()
    admin_page = login(county.admin).get(reverse("staff:supervise")).content.decode()
    supervisor_page = login(county.supervisor).get(reverse("staff:supervise")).content.decode()
    notice = "are not known yet"
    assert (notice in admin_page) == (awaiting is not None)
    assert notice not in supervisor_page
    if awaiting is not None:
        assert f"The official working days of {awaiting}" in admin_page
        assert reverse("directory:calendar") in admin_page
