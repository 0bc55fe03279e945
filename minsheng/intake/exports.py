"""Exports of the cases within a user's scope, to CSV and Excel.

Rows come from ``permissions.visible_cases`` only, so an export never shows a case its
reader could not open. No column holds contact details: the resident's name and phone stay
in ``contacts`` and are never joined here, and phone and ID numbers or e-mail addresses
typed into a case's words are masked.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minsheng.accounts.models import User
from minsheng.accounts.permissions import visible_cases
from minsheng.cases.models import RUNNING_STATUSES, Case, Feedback
from minsheng.cases.redaction import redact
from minsheng.directory.models import Area, Category

logger = logging.getLogger(__name__)

CHUNK = 2000


@dataclass(frozen=True)
class ExportFilters:
    status: str = ""
    category: Category | None = None
    area: Area | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def export_cases(*, user: User, filters: ExportFilters | None = None) -> QuerySet[Case]:
    """The cases a user may export: their visible cases, narrowed by the filters, oldest
    first, each with its latest rating."""
    filters = filters or ExportFilters()
    qs = visible_cases(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    if filters.area is not None:
        qs = qs.filter(area_path__startswith=filters.area.path)
    zone = timezone.get_current_timezone()
    if filters.date_from is not None:
        start = dt.datetime.combine(filters.date_from, dt.time(0), tzinfo=zone)
        qs = qs.filter(created_at__gte=start)
    if filters.date_to is not None:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        qs = qs.filter(created_at__lt=end)
    return for_export(qs)


def for_export(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Cases ready for ``export_rows``: oldest first, each with its latest rating."""
    latest_rating = Feedback.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        qs.select_related("category", "current_unit")
        .annotate(latest_rating=Subquery(latest_rating.values("rating")[:1]))
        .order_by("created_at", "pk")
    )


def columns() -> list[str]:
    """Column headings, in the active language. Deliberately no contact field."""
    return [
        _("Tracking code"),
        _("Raised at"),
        _("Status"),
        _("Category"),
        _("Area"),
        _("Channel"),
        _("Current unit"),
        _("Deadline"),
        _("Overdue"),
        _("Escalations"),
        _("Title"),
        _("Description"),
        _("Resolution"),
        _("Resolved at"),
        _("Closed at"),
        _("Latest rating"),
    ]


class _AreaNames:
    """Full area names ("County / Township / Village") from one query of all areas."""

    def __init__(self) -> None:
        self.labels = {a.pk: a.label for a in Area.objects.only("id", "name", "name_en", "name_ug")}
        self.cache: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        name = self.cache.get(path)
        if name is None:
            ids = [int(p) for p in path.strip("/").split("/") if p]
            name = self.cache[path] = " / ".join(self.labels.get(i, "?") for i in ids)
        return name


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets know no time zones: write the local wall-clock time, to the minute.
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0)


def export_rows(qs: QuerySet[Case]) -> Iterator[list[Any]]:
    """One list of values per case, in the order of ``columns()``; dates as naive local
    datetimes, read in chunks so a large export stays small in memory."""
    area_name = _AreaNames()
    statuses = dict(Case._meta.get_field("status").choices)
    channels = dict(Case._meta.get_field("channel").choices)
    now = timezone.now()
    yes, no = _("yes"), _("no")
    for case in qs.iterator(chunk_size=CHUNK):
        overdue = (
            case.status in RUNNING_STATUSES and case.deadline is not None and case.deadline < now
        )
        yield [
            case.tracking_code,
            _local(case.created_at),
            str(statuses.get(case.status, case.status)),
            case.category.label,
            area_name(case.area_path),
            str(channels.get(case.channel, case.channel)),
            case.current_unit.name if case.current_unit_id else "",
            _local(case.deadline),
            yes if overdue else no,
            case.escalation_count,
            # A file travels (by e-mail, on a stick): numbers residents typed into their
            # words stay on the case page, behind the staff login, and out of the file.
            redact(case.title),
            redact(case.description),
            redact(case.resolution),
            _local(case.resolved_at),
            _local(case.closed_at),
            case.latest_rating,
        ]


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    # A cell starting with = + - @ would run as a formula when the file is opened in Excel.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """The export as UTF-8 CSV with a byte-order mark (so Excel reads the Chinese right),
    produced piece by piece for a streaming response."""
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow(columns()).encode()
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([csv_cell(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def write_csv(qs: QuerySet[Case], out: IO[bytes]) -> int:
    """Write the CSV export to a binary file; returns the number of cases."""
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for row in export_rows(qs):
            count += 1
            yield row

    for chunk in csv_chunks(counted()):
        out.write(chunk)
    return count


def write_xlsx(qs: QuerySet[Case], out: IO[bytes] | str) -> int:
    """Write the export as an Excel workbook in openpyxl's write-only mode, which streams
    rows to disk, so 100,000 cases do not sit in memory. Returns the number of cases."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cases"))
    widths = [12, 17, 10, 14, 30, 10, 18, 17, 8, 8, 30, 60, 40, 17, 17, 8]
    for position, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(position + 1)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in columns():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    date_columns = {1, 7, 13, 14}
    for row in export_rows(qs):
        cells = []
        for position, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text as written, never a formula
            if position in date_columns and value is not None:
                cell.number_format = "yyyy-mm-dd hh:mm"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def log_export(*, user: User, fmt: str, count: int | None = None) -> None:
    # Who exported what is worth knowing; no case content goes into the log.
    logger.info("export user=%s format=%s cases=%s", user.pk, fmt, count)
