"""The monthly report as an Excel workbook: the same figures as the PDF, as numbers a
township's office can sort, sum and paste into its own summary.

One sheet per part of the report. Rates are stored as fractions with a percent format,
times as numbers of hours or working days, so every cell calculates.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import get_language_bidi, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from minsheng.insight.report import MonthlyReport, Ranked

HEAD_FONT = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="B3261E")
TITLE_FONT = Font(bold=True, size=14, color="B3261E")
NUMBER_FORMATS = {
    "count": "#,##0",
    "rate": "0.0%",
    "hours": "0.0",
    "days": "0.0",
    "rating": "0.00",
}
# Excel refuses sheet names over 31 characters and a few punctuation marks.
_SHEET_NAME_LIMIT = 31


def render_xlsx(report: MonthlyReport) -> bytes:
    """The report as .xlsx bytes, in the active language."""
    book = Workbook()
    _summary(book.active, report)
    _trend(book.create_sheet(_sheet(_("Twelve months"))), report)
    _breakdown(book.create_sheet(_sheet(_("Categories and channels"))), report)
    _rankings(book.create_sheet(_sheet(_("Rankings"))), report)
    _oldest(book.create_sheet(_sheet(_("Oldest open cases"))), report)
    _highlights(book.create_sheet(_sheet(_("Resolved highlights"))), report)
    _projects(book.create_sheet(_sheet(_("Projects"))), report)
    if get_language_bidi():
        for sheet in book.worksheets:
            sheet.sheet_view.rightToLeft = True
    book.properties.title = report.title
    book.properties.creator = "minsheng"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(name: str) -> str:
    for bad in "[]:*?/\\":
        name = name.replace(bad, " ")
    return name[:_SHEET_NAME_LIMIT]


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=col, value=title)
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)


def _widths(ws: Worksheet, widths: list[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _put(ws: Worksheet, row: int, values: list[Any], formats: dict[int, str] | None = None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        if formats and col in formats:
            cell.number_format = formats[col]
        cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str))


def _tidy(value: float | int | None) -> float | int | None:
    # 20.2 - 19.0 is 1.1999999999999993 in binary floating point; the cell should say 1.2.
    return round(value, 9) if isinstance(value, float) else value


def _with_unit(fmt: str, unit: str) -> str:
    """The number format with its unit written after the number, in the reader's language
    (the words come from the figures' own texts: "21.9 h", "+3.6 pp")."""
    words = {
        "hours": _("%(n)s h"),
        "days": _("%(n)s working days"),
        "points": _("%(n)s pp"),
    }.get(unit)
    if words is None:
        return fmt
    suffix = (words % {"n": ""}).strip().replace('"', "")
    return f'{fmt}" {suffix}"'


def _signed(fmt: str) -> str:
    """The number format with a plus sign on increases: +12, -3.5%, 0."""
    return f"+{fmt};-{fmt};{fmt}"


def _title(ws: Worksheet, report: MonthlyReport, heading: str) -> int:
    ws.cell(row=1, column=1, value=heading).font = TITLE_FONT
    ws.cell(row=2, column=1, value=f"{report.scope_name} · {report.month_label}")
    line = report.period_label
    if report.is_partial:
        line += " · " + _("The month is not over: figures up to %(day)s.") % {
            "day": date_format(report.period.end, "DATE_FORMAT")
        }
    ws.cell(row=3, column=1, value=line)
    return 5


def _summary(ws: Worksheet, report: MonthlyReport) -> None:
    ws.title = _sheet(_("Headline figures"))
    row = _title(ws, report, report.title)
    _header(
        ws,
        row,
        [
            _("Indicator"),
            report.month_label,
            _("Last month"),
            pgettext("report", "Change"),
            _("Definition"),
        ],
    )
    for h in report.headlines:
        row += 1
        fmt = _with_unit(NUMBER_FORMATS[h.unit], h.unit)
        change, change_fmt = _tidy(h.change), _signed(fmt)
        if h.unit == "rate" and change is not None:
            # A change of rates is in percentage points, as the PDF says: not "+3.6%",
            # which reads as a relative change.
            change = _tidy(change * 100)
            change_fmt = _signed(_with_unit("0.0", "points"))
        _put(
            ws,
            row,
            [h.label, h.value, h.previous, change, h.definition],
            {2: fmt, 3: fmt, 4: change_fmt},
        )
    row += 2
    ws.cell(row=row, column=1, value=_("Open cases at month end, by age")).font = Font(bold=True)
    row += 1
    _header(ws, row, [_("Age"), report.month_label, _("Last month")])
    for bucket in report.backlog:
        row += 1
        _put(ws, row, [bucket.label, bucket.value, bucket.previous])
    row += 1
    ws.cell(row=row, column=1, value=report.backlog_definition)
    _widths(ws, [34, 14, 14, 14, 90])
    ws.freeze_panes = "A6"


def _trend(ws: Worksheet, report: MonthlyReport) -> None:
    row = _title(ws, report, _("Twelve months"))
    first = row + 1
    _header(
        ws,
        row,
        [
            pgettext("report", "Month"),
            _("Cases raised"),
            _("Cases resolved"),
            _("On-time rate"),
            _("Satisfaction rate"),
        ],
    )
    for month in report.trend:
        row += 1
        _put(
            ws,
            row,
            [
                month.label,
                month.raised,
                month.resolved,
                month.on_time_rate,
                month.satisfaction_rate,
            ],
            {4: "0.0%", 5: "0.0%"},
        )
    _widths(ws, [12, 14, 14, 14, 16])
    bars = BarChart()
    bars.title = _("Cases raised and resolved each month")
    bars.add_data(
        Reference(ws, min_col=2, max_col=3, min_row=first - 1, max_row=row), titles_from_data=True
    )
    bars.set_categories(Reference(ws, min_col=1, min_row=first, max_row=row))
    bars.height, bars.width = 7.5, 18
    ws.add_chart(bars, "G5")
    lines = LineChart()
    lines.title = _("On-time rate and satisfaction rate each month")
    lines.add_data(
        Reference(ws, min_col=4, max_col=5, min_row=first - 1, max_row=row), titles_from_data=True
    )
    lines.set_categories(Reference(ws, min_col=1, min_row=first, max_row=row))
    lines.y_axis.number_format = "0%"
    lines.y_axis.scaling.min, lines.y_axis.scaling.max = 0, 1
    lines.height, lines.width = 7.5, 18
    ws.add_chart(lines, "G21")


def _breakdown(ws: Worksheet, report: MonthlyReport) -> None:
    row = _title(ws, report, _("Categories and channels"))
    _header(ws, row, [_("Category"), report.month_label, _("Last month")])
    for c in report.by_category:
        row += 1
        _put(ws, row, [c.label, c.value, c.previous])
    row += 2
    _header(ws, row, [_("Channel"), report.month_label, _("Last month")])
    for c in report.by_channel:
        row += 1
        _put(ws, row, [c.label, c.value, c.previous])
    _widths(ws, [28, 14, 14])


def _ranking_rows(
    ws: Worksheet, row: int, caption: str, who: str, items: list[Ranked], report: MonthlyReport
) -> int:
    ws.cell(row=row, column=1, value=caption).font = Font(bold=True)
    row += 1
    _header(
        ws,
        row,
        [
            "#",
            who,
            report.rank_indicator,
            pgettext("report", "Resolved"),
            pgettext("report", "Late"),
        ],
    )
    for place, r in enumerate(items, start=1):
        row += 1
        _put(ws, row, [place, r.name, r.on_time_rate, r.resolved, r.late], {3: "0.0%"})
    if not items:
        row += 1
        ws.cell(row=row, column=2, value=_("Nobody to rank this month."))
    return row + 2


def _rankings(ws: Worksheet, report: MonthlyReport) -> None:
    row = _title(ws, report, _("Rankings by %(indicator)s") % {"indicator": report.rank_indicator})
    ws.cell(row=row - 1, column=1, value=report.rank_definition)
    unit, area = _("Unit"), _("Area")
    row = _ranking_rows(ws, row, _("Best units"), unit, report.best_units, report)
    row = _ranking_rows(ws, row, _("Weakest units"), unit, report.worst_units, report)
    row = _ranking_rows(ws, row, _("Best areas"), area, report.best_areas, report)
    _ranking_rows(ws, row, _("Weakest areas"), area, report.worst_areas, report)
    _widths(ws, [6, 30, 14, 12, 12])


def _oldest(ws: Worksheet, report: MonthlyReport) -> None:
    row = _title(ws, report, _("The ten oldest open cases"))
    _header(
        ws,
        row,
        [
            _("Tracking code"),
            _("Title"),
            _("Category"),
            _("Area"),
            _("Current unit"),
            pgettext("report", "Raised"),
            _("Days open"),
            _("Status at month end"),
        ],
    )
    for case in report.oldest_open:
        row += 1
        _put(
            ws,
            row,
            [
                case.tracking_code,
                case.title,
                case.category,
                case.area,
                case.unit,
                case.raised_on,
                case.age_days,
                case.status,
            ],
            {6: "yyyy-mm-dd"},
        )
    _widths(ws, [14, 36, 16, 16, 20, 12, 10, 12])


def _highlights(ws: Worksheet, report: MonthlyReport) -> None:
    row = _title(ws, report, _("Resolved highlights"))
    _header(
        ws,
        row,
        [
            _("Tracking code"),
            _("Title"),
            _("Category"),
            _("Area"),
            _("Current unit"),
            pgettext("report", "Raised"),
            # A date here; "Resolved" in the rankings is a count (办结数).
            pgettext("report date", "Resolved"),
            _("Working days"),
            pgettext("report", "Rating"),
            _("Resolution"),
        ],
    )
    for case in report.highlights:
        row += 1
        _put(
            ws,
            row,
            [
                case.tracking_code,
                case.title,
                case.category,
                case.area,
                case.unit,
                case.raised_on,
                case.resolved_on,
                case.resolve_days,
                case.rating,
                case.resolution,
            ],
            {6: "yyyy-mm-dd", 7: "yyyy-mm-dd", 8: "0.0"},
        )
    _widths(ws, [14, 32, 16, 16, 20, 12, 12, 12, 8, 50])


def _projects(ws: Worksheet, report: MonthlyReport) -> None:
    row = _title(ws, report, _("Projects' progress"))
    _header(
        ws,
        row,
        [
            pgettext("report", "Project"),
            pgettext("report", "Status"),
            pgettext("report", "Progress"),
            _("Budget (yuan)"),
            _("Spent (yuan)"),
            _("Milestones done"),
            _("Milestones"),
            _("Next milestone"),
            _("Due"),
            _("Linked cases"),
        ],
    )
    for p in report.projects:
        row += 1
        _put(
            ws,
            row,
            [
                p.name,
                p.status_label,
                p.progress / 100,
                p.budget,
                p.spent,
                p.milestones_done,
                p.milestones_total,
                p.next_milestone,
                p.next_milestone_due,
                p.linked_cases,
            ],
            {3: "0%", 4: "#,##0.00", 5: "#,##0.00", 9: "yyyy-mm-dd"},
        )
    if not report.projects:
        ws.cell(row=row + 1, column=1, value=_("No projects in this area during the month."))
    _widths(ws, [30, 12, 10, 14, 14, 10, 10, 28, 12, 10])
