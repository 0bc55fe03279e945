"""The State Council's holiday notice, pasted as lines, into calendar adjustments.

One line per day or run of days, as an administrator copies them out of the notice::

    2027-02-06 上班 春节
    2027-02-10 至 2027-02-16 休 春节
    2027年10月9日 班

A date (2027-02-06, 2027/2/6, 2027.2.6 or 2027年2月6日), optionally "至", "~" or ".."
and a last date, then whether those days are worked (上班, 班, 补班, work) or off (休,
放假, 假, rest, off), then an optional note. Empty lines and lines starting with # are
skipped. Every line is checked before anything is written: one mistake writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.directory.models import CalendarDay

WORK_WORDS = {"上班", "班", "补班", "工作日", "工作", "work", "working", "workday"}
REST_WORDS = {"休", "休息", "放假", "假", "休假", "rest", "off", "holiday"}
# A notice's longest run of days off is about a week; a month is surely a typing mistake.
LONGEST_RUN_DAYS = 31
NOTE_MAX = CalendarDay._meta.get_field("note").max_length

_DATE = r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
_LINE = re.compile(
    rf"^\s*{_DATE}(?:\s*(?:至|到|~|～|\.\.|—|–)\s*{_DATE})?\s*([^\s\d]\S*)(?:\s+(.*?))?\s*$"
)


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    is_working_day: bool
    note: str
    line: int


@dataclass
class Notice:
    days: list[NoticeDay] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.days)


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_notice(text: str) -> Notice:
    """Every line checked; the days in date order, or the problems with their lines."""
    notice = Notice()
    seen: dict[dt.date, NoticeDay] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            notice.problems.append(
                (
                    number,
                    _(
                        "Not understood: write a date, then 上班 (worked) or 休 (day off), "
                        "then a note if you like, e.g. “2027-02-06 上班 春节”."
                    ),
                )
            )
            continue
        groups = match.groups()
        first = _date(*groups[0:3])
        last = _date(*groups[3:6]) if groups[3] else first
        word, note = groups[6], (groups[7] or "").strip()
        if first is None or last is None:
            notice.problems.append((number, _("There is no such date.")))
            continue
        if word.lower() in WORK_WORDS:
            working = True
        elif word.lower() in REST_WORDS:
            working = False
        else:
            notice.problems.append(
                (
                    number,
                    _("“%(word)s” is neither 上班 (worked) nor 休 (day off).") % {"word": word},
                )
            )
            continue
        if last < first:
            notice.problems.append((number, _("The last date comes before the first.")))
            continue
        if (last - first).days >= LONGEST_RUN_DAYS:
            notice.problems.append(
                (number, _("More than %(n)d days in one line.") % {"n": LONGEST_RUN_DAYS})
            )
            continue
        if len(note) > NOTE_MAX:
            notice.problems.append(
                (number, _("The note is longer than %(n)d characters.") % {"n": NOTE_MAX})
            )
            continue
        day = first
        while day <= last:
            earlier = seen.get(day)
            if earlier is not None and earlier.is_working_day != working:
                notice.problems.append(
                    (
                        number,
                        _("%(date)s is also on line %(line)d, the other way round.")
                        % {"date": day.isoformat(), "line": earlier.line},
                    )
                )
                break
            seen[day] = NoticeDay(date=day, is_working_day=working, note=note, line=number)
            day += dt.timedelta(days=1)
    if not seen and not notice.problems:
        notice.problems.append((0, _("There are no dates to enter.")))
    notice.days = sorted(seen.values(), key=lambda d: d.date)
    return notice


@transaction.atomic
def save_notice_days(days: list[NoticeDay]) -> int:
    """Write the days as calendar adjustments (replacing what an earlier entry said of the
    same dates). Returns how many rows were created or changed."""
    existing = {
        row.date: row for row in CalendarDay.objects.filter(date__in=[d.date for d in days])
    }
    changed = 0
    for day in days:
        row = existing.get(day.date)
        if row is None:
            CalendarDay.objects.create(
                date=day.date, is_working_day=day.is_working_day, note=day.note
            )
            changed += 1
        elif (row.is_working_day, row.note) != (day.is_working_day, day.note or row.note):
            row.is_working_day = day.is_working_day
            row.note = day.note or row.note
            row.save(update_fields=["is_working_day", "note"])
            changed += 1
    return changed
