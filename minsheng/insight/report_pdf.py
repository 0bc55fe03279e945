"""The monthly report as an A4 PDF, laid out with reportlab's platypus and its charts.

Chinese is set in reportlab's built-in CID font STSong-Light, as on the QR posters, so no
font file ships with minsheng (PDF readers and printers supply the glyphs); Latin text and
figures are set in Helvetica. The CID font has no bold face: headings are set larger and in
colour instead. Tables flow across pages and repeat their heading row.

In a right-to-left language (Uyghur) platypus's Paragraph would neither order nor join the
letters, so every text is set by the posters' ``rtl_text`` (bidirectional order, HarfBuzz
shaping, the embedded Noto Sans Arabic), tables run from right to left, and the charts'
words are drawn over them the same way.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from xml.sax.saxutils import escape

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language, get_language_bidi, pgettext
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from minsheng.insight.numbers import fixed, percent
from minsheng.insight.report import Headline, MonthlyReport, Ranked, ReportCase
from minsheng.intake.rtl import rtl_lines, rtl_text, uyghur_fonts

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"

RED = HexColor("#b3261e")
INK = HexColor("#1f1f1f")
MUTED = HexColor("#5f5f5f")
PALE = HexColor("#fbeeed")
RULE = HexColor("#d9b8b5")
GRID = HexColor("#e4e4e4")
SLATE = HexColor("#3d5a80")
GOOD = HexColor("#1b7f3b")
BAD = RED

PAGE_W, PAGE_H = A4
MARGIN = 42
WIDTH = PAGE_W - 2 * MARGIN
# The key figures shown large on the first page.
KEY_FIGURES = ("raised", "resolved", "on_time_rate", "satisfaction_rate")
LABEL_W = 150  # room for the category names beside the bars


# Whether the document being laid out runs right to left; set by ``render_pdf`` for the
# length of one rendering (each request renders in its own context).
_RTL: ContextVar[bool] = ContextVar("report_rtl", default=False)
# rtl_text's line height, as a multiple of the font size.
RTL_LEADING = 1.32


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK))


@contextmanager
def _direction(rtl: bool) -> Iterator[None]:
    token = _RTL.set(rtl)
    try:
        yield
    finally:
        _RTL.reset(token)


def _in_reading_order(cells: list) -> list:
    """A table row's cells (or its column widths) from where reading starts: the first
    column stands on the right in a right-to-left document."""
    return list(reversed(cells)) if _RTL.get() else list(cells)


def _is_cjk(ch: str) -> bool:
    """Whether a character needs the CID font: whatever Helvetica's encoding lacks."""
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


def _markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup that sets Chinese runs in the CID font and the rest in Helvetica."""
    out: list[str] = []
    run, run_cjk = "", False
    for ch in str(text):
        cjk = _is_cjk(ch)
        if run and cjk != run_cjk:
            out.append(_font_run(run, run_cjk, bold))
            run = ""
        run += ch
        run_cjk = cjk
    if run:
        out.append(_font_run(run, run_cjk, bold))
    return "".join(out)


def _font_run(run: str, cjk: bool, bold: bool) -> str:
    font = CJK if cjk else (LATIN_BOLD if bold else LATIN)
    return f'<font name="{font}">{escape(run)}</font>'


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("base", fontName=LATIN, fontSize=9, leading=12.5, textColor=INK)
        self.body = base
        self.small = ParagraphStyle("small", base, fontSize=7.5, leading=10)
        self.muted = ParagraphStyle("muted", base, fontSize=8, leading=11, textColor=MUTED)
        self.cell = ParagraphStyle("cell", base, fontSize=8, leading=10.5)
        self.cell_right = ParagraphStyle("cell_r", self.cell, alignment=2)
        self.head = ParagraphStyle("head", self.cell, textColor=white)
        self.head_right = ParagraphStyle("head_r", self.head, alignment=2)
        self.title = ParagraphStyle("title", base, fontSize=22, leading=28, textColor=RED)
        self.subtitle = ParagraphStyle("subtitle", base, fontSize=12, leading=16)
        self.h2 = ParagraphStyle(
            "h2", base, fontSize=13, leading=17, textColor=RED, spaceBefore=10, spaceAfter=5
        )
        self.h3 = ParagraphStyle("h3", base, fontSize=10, leading=13, spaceBefore=4, spaceAfter=3)
        self.tile_value = ParagraphStyle(
            "tile_v", base, fontSize=20, leading=24, textColor=RED, alignment=1
        )
        self.tile_label = ParagraphStyle("tile_l", base, fontSize=8.5, leading=11, alignment=1)
        self.tile_change = ParagraphStyle(
            "tile_c", base, fontSize=8, leading=10, alignment=1, textColor=MUTED
        )


def _p(
    text: str, style: ParagraphStyle, *, bold: bool = False, color: Color | None = None
) -> Flowable:
    alignment = style.alignment
    if _RTL.get():
        if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in str(text)):
            return _RtlParagraph(str(text), style, bold=bold, color=color)
        # A text without a right-to-left letter (a Chinese case title, a date, a figure)
        # reads left to right, set flush with the start of the line: its right end.
        alignment = {0: 2, 2: 0, 4: 2}.get(alignment, alignment)
    markup = _markup(text, bold=bold)
    if color is not None:
        markup = f'<font color="{color.hexval()}">{markup}</font>'
    # Chinese has no spaces to break at: let lines break between any two characters.
    wrap = "CJK" if any(_is_cjk(ch) for ch in str(text)) else None
    return Paragraph(markup, ParagraphStyle(style.name, style, wordWrap=wrap, alignment=alignment))


# A style's alignment in a left-to-right document, and where that puts the text in a
# right-to-left one: the start of a line is its right end there, and numbers set flush
# with a column's end go to its left.
_MIRRORED_ALIGN = {0: "right", 1: "center", 2: "left", 4: "right"}


# A sign before a number is a neutral character: in right-to-left text "+43 (+12%)" would
# show as "(%12+) 43+". A left-to-right mark before the sign keeps the figure as written.
_SIGNED_NUMBER = re.compile(r"(?<![\w.])([+\-\u2212±]\d)")


class _RtlParagraph(Flowable):
    """A paragraph set right to left, letters shaped and joined, with Chinese names and
    numbers inside it keeping their own direction."""

    def __init__(
        self, text: str, style: ParagraphStyle, *, bold: bool, color: Color | None
    ) -> None:
        super().__init__()
        self.text = _SIGNED_NUMBER.sub("\u200e\\1", text)
        self.style = style
        self.bold = bold
        self.color = color or style.textColor

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        size = self.style.fontSize
        lines = rtl_lines(self.text, size, available_width, self.bold)
        self.width = available_width
        self.height = len(lines) * size * RTL_LEADING
        return self.width, self.height

    def draw(self) -> None:
        rtl_text(
            self.canv,
            self.text,
            0,
            self.height,
            self.width,
            self.style.fontSize,
            self.color,
            bold=self.bold,
            align=_MIRRORED_ALIGN.get(self.style.alignment, "right"),
        )

    def getSpaceBefore(self) -> float:  # noqa: N802 - platypus's name
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802 - platypus's name
        return self.style.spaceAfter


@dataclass(frozen=True)
class _Label:
    """A chart's word, drawn over the chart: ``top`` is the top of its line box."""

    text: str
    x: float
    top: float
    width: float
    size: float
    align: str = "right"
    color: Color = INK


class _Figure(Flowable):
    """A chart whose words are set by ``rtl_text`` on top of it: reportlab's charts draw
    their strings left to right and unjoined."""

    def __init__(self, drawing: Drawing, labels: list[_Label]) -> None:
        super().__init__()
        self.drawing = drawing
        self.labels = labels
        self.width, self.height = drawing.width, drawing.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        renderPDF.draw(self.drawing, self.canv, 0, 0)
        for label in self.labels:
            rtl_text(
                self.canv,
                _fit_rtl(label.text, label.size, label.width),
                label.x,
                label.top,
                label.width,
                label.size,
                label.color,
                max_lines=1,
                align=label.align,
            )


def _fit_rtl(text: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis at a word where it would take more than one line."""
    if len(rtl_lines(text, size, width, False)) == 1:
        return text
    words = text.split()
    while len(words) > 1 and len(rtl_lines(" ".join(words) + "…", size, width, False)) > 1:
        words.pop()
    return " ".join(words) + "…"


def _chart(drawing: Drawing, labels: list[_Label]) -> Flowable:
    return _Figure(drawing, labels) if _RTL.get() else drawing


# --- the document -----------------------------------------------------------------------


def render_pdf(report: MonthlyReport) -> bytes:
    """The report as PDF bytes, in the active language."""
    _register_fonts()
    rtl = get_language_bidi()
    if rtl:
        uyghur_fonts()  # registers the Arabic-script font with reportlab
    with _direction(rtl):
        return _render(report, rtl)


def _render(report: MonthlyReport, rtl: bool) -> bytes:
    s = _Styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 8,
        bottomMargin=MARGIN,
        title=report.title,
        author="minsheng",
        subject=_("Monthly report"),
        pageCompression=1,
        lang=get_language() if rtl else None,
    )
    story: list = []
    story += _cover(report, s)
    story += _headlines(report, s)
    story += _charts(report, s)
    story += _rankings(report, s)
    story += _case_tables(report, s)
    story += _projects(report, s)
    story += _definitions(report, s)

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        _page_frame(canvas, document, report)

    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _page_frame(canvas: Canvas, doc: SimpleDocTemplate, report: MonthlyReport) -> None:
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    top = PAGE_H - MARGIN + 6
    canvas.line(MARGIN, top, PAGE_W - MARGIN, top)
    canvas.setFillColor(MUTED)
    page = _("Page %(n)d") % {"n": doc.page}
    made = _("Made by minsheng on %(when)s") % {
        "when": date_format(report.generated_at, "DATETIME_FORMAT")
    }
    if _RTL.get():
        # Mirrored: the title and the maker at the right, where reading starts.
        half = WIDTH / 2
        for text, x, baseline, width, align in (
            (report.title, MARGIN, top + 4, WIDTH, "right"),
            (made, MARGIN + half, MARGIN - 22, half, "right"),
            (page, MARGIN, MARGIN - 22, half, "left"),
        ):
            # rtl_text takes the top of the line box: the baseline is one size below it.
            rtl_text(canvas, text, x, baseline + 7.5, width, 7.5, MUTED, max_lines=1, align=align)
    else:
        canvas.setFont(CJK, 7.5)
        canvas.drawString(MARGIN, top + 4, report.title)
        canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 22, page)
        canvas.drawString(MARGIN, MARGIN - 22, made)
    canvas.restoreState()


def _cover(report: MonthlyReport, s: _Styles) -> list:
    items = [
        _p(_("Monthly report"), s.title),
        _p(report.scope_name, s.subtitle),
        _p(f"{report.month_label} · {report.period_label}", s.muted),
    ]
    if report.is_partial:
        items.append(
            _p(
                _("The month is not over: figures up to %(day)s.")
                % {"day": date_format(report.period.end, "DATE_FORMAT")},
                s.muted,
                color=RED,
            )
        )
    items.append(Spacer(1, 10))
    tiles = _in_reading_order([_tile(report.headline(key), s) for key in KEY_FIGURES])
    table = Table([tiles], colWidths=[WIDTH / len(tiles)] * len(tiles))
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PALE),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.8, white),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    items.append(table)
    return items


def _tile(h: Headline, s: _Styles) -> list:
    return [
        _p(h.value_text, s.tile_value),
        _p(h.label, s.tile_label),
        _p(
            _("%(change)s on last month") % {"change": h.change_text},
            s.tile_change,
            color=_verdict_color(h),
        ),
    ]


def _verdict_color(h: Headline) -> Color:
    return {"better": GOOD, "worse": BAD}.get(h.verdict, MUTED)


def _verdict_mark(h: Headline) -> str:
    # ↑ ↓ are in the CID font's character set; a reader without colour still sees the way.
    change = h.change
    if change is None or abs(change) < 1e-9:
        return ""
    return "↑ " if change > 0 else "↓ "


def _table(rows: list[list], widths: list[float], *, zebra: bool = True) -> Table:
    rows = [_in_reading_order(row) for row in rows]
    table = Table(rows, colWidths=_in_reading_order(widths), repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), RED),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, GRID),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if zebra:
        style += [
            ("BACKGROUND", (0, row), (-1, row), HexColor("#faf7f7"))
            for row in range(2, len(rows), 2)
        ]
    table.setStyle(TableStyle(style))
    return table


def _head(texts: list[str], s: _Styles, right_from: int = 99) -> list:
    return [
        _p(t, s.head_right if i >= right_from else s.head, bold=True) for i, t in enumerate(texts)
    ]


def _headlines(report: MonthlyReport, s: _Styles) -> list:
    rows = [
        _head(
            [_("Indicator"), report.month_label, _("Last month"), pgettext("report", "Change")],
            s,
            right_from=1,
        )
    ]
    for h in report.headlines:
        rows.append(
            [
                _p(h.label, s.cell),
                _p(h.value_text, s.cell_right, bold=True),
                _p(h.previous_text, s.cell_right),
                _p(_verdict_mark(h) + h.change_text, s.cell_right, color=_verdict_color(h)),
            ]
        )
    return [
        _p(_("Headline figures"), s.h2),
        _table(rows, [WIDTH * 0.43, WIDTH * 0.17, WIDTH * 0.17, WIDTH * 0.23]),
        Spacer(1, 3),
        _p(
            _(
                "Green: better than last month; red: worse. How each figure is counted is "
                "explained at the end of the report."
            ),
            s.muted,
        ),
    ]


# --- charts -----------------------------------------------------------------------------


def _legend(x: float, y: float, pairs: list[tuple[Color, str]]) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName = CJK
    legend.fontSize = 8
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.dx = legend.dy = 7
    legend.colorNamePairs = pairs
    return legend


def _add_legend(d: Drawing, x: float, y: float, pairs: list[tuple[Color, str]]) -> list[_Label]:
    """The chart's legend, its top left corner at (x, y); in a right-to-left document its
    swatches are drawn here and its words returned to be set over the chart, the first
    entry rightmost."""
    if not _RTL.get():
        d.add(_legend(x, y, pairs))
        return []
    labels = []
    right = d.width - 4
    for color, name in pairs:
        d.add(Rect(right - 7, y - 7, 7, 7, fillColor=color, strokeColor=None))
        labels.append(_Label(name, right - 91, y + 1, 80, 8))
        right -= 95
    return labels


def _category_labels(chart, size: float, *, horizontal: bool) -> list[_Label]:  # type: ignore[no-untyped-def]
    """The category names of a bar chart, to be set over it right to left; the chart's
    own are blanked. Beside the bars of a horizontal chart (bottom up), under the bars of
    a vertical one."""
    names = list(chart.categoryAxis.categoryNames)
    chart.categoryAxis.categoryNames = [""] * len(names)
    labels = []
    for i, name in enumerate(names):
        if horizontal:
            middle = chart.y + chart.height * (i + 0.5) / len(names)
            labels.append(_Label(name, 4, middle + size * 0.66, chart.x - 10, size))
        else:
            step = chart.width / len(names)
            labels.append(_Label(name, chart.x + step * i, chart.y - 3, step, size, "center"))
    return labels


def _nice_top(value: float) -> float:
    for candidate in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        if value <= candidate:
            return candidate
    magnitude = 10 ** (len(str(int(value))) - 1)
    return float((int(value) // magnitude + 1) * magnitude)


def _volume_chart(report: MonthlyReport) -> Flowable:
    height = 170
    d = Drawing(WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 22, WIDTH - 44, height - 46
    chart.data = [[m.raised for m in report.trend], [m.resolved for m in report.trend]]
    chart.categoryAxis.categoryNames = [m.label for m in report.trend]
    chart.categoryAxis.labels.fontName = LATIN
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_top(max([1, *chart.data[0], *chart.data[1]]))
    chart.valueAxis.labels.fontName = LATIN
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.visibleGrid = True
    chart.bars[0].fillColor = RED
    chart.bars[1].fillColor = SLATE
    chart.bars.strokeColor = None
    chart.groupSpacing = 6
    d.add(chart)
    labels = _add_legend(
        d, WIDTH - 190, height - 8, [(RED, _("Cases raised")), (SLATE, _("Cases resolved"))]
    )
    return _chart(d, labels)


def _rates_chart(report: MonthlyReport) -> Flowable:
    height = 150
    d = Drawing(WIDTH, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 34, 22, WIDTH - 44, height - 46
    chart.data = [
        [None if m.on_time_rate is None else m.on_time_rate * 100 for m in report.trend],
        [None if m.satisfaction_rate is None else m.satisfaction_rate * 100 for m in report.trend],
    ]
    chart.categoryAxis.categoryNames = [m.label for m in report.trend]
    chart.categoryAxis.labels.fontName = LATIN
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 25
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.labels.fontName = LATIN
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.lines[0].strokeColor = RED
    chart.lines[1].strokeColor = SLATE
    chart.lines.strokeWidth = 1.6
    # A line needs two points: with fewer in a series, show only the markers.
    chart.joinedLines = int(all(sum(v is not None for v in data) >= 2 for data in chart.data))
    chart.lines[0].symbol = makeMarker("FilledCircle", size=3.5, fillColor=RED)
    chart.lines[1].symbol = makeMarker("FilledSquare", size=3.5, fillColor=SLATE)
    d.add(chart)
    labels = _add_legend(
        d, WIDTH - 190, height - 8, [(RED, _("On-time rate")), (SLATE, _("Satisfaction rate"))]
    )
    return _chart(d, labels)


def _category_chart(report: MonthlyReport) -> Flowable | None:
    rows = [c for c in report.by_category if c.value or c.previous]
    if not rows:
        return None
    rows = list(reversed(rows))  # the chart draws from the bottom up: largest on top
    bar_h = 17
    height = 34 + bar_h * len(rows)
    d = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = LABEL_W + 10, 18
    chart.width, chart.height = WIDTH - LABEL_W - 30, bar_h * len(rows)
    chart.data = [[c.previous for c in rows], [c.value for c in rows]]
    chart.categoryAxis.categoryNames = [
        c.label if _RTL.get() else _fit(c.label, CJK, 7.5, LABEL_W) for c in rows
    ]
    chart.categoryAxis.labels.fontName = CJK
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_top(max([1, *chart.data[0], *chart.data[1]]))
    chart.valueAxis.labels.fontName = LATIN
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.bars[0].fillColor = HexColor("#c9c9c9")
    chart.bars[1].fillColor = RED
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = LATIN
    chart.barLabels.fontSize = 6.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    labels = _category_labels(chart, 7.5, horizontal=True) if _RTL.get() else []
    d.add(chart)
    labels += _add_legend(
        d,
        WIDTH - 190,
        height - 6,
        [(RED, report.month_label), (HexColor("#c9c9c9"), _("Last month"))],
    )
    return _chart(d, labels)


def _backlog_chart(report: MonthlyReport) -> Flowable:
    height = 130
    width = WIDTH * 0.55
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 22, width - 40, height - 36
    chart.data = [[b.value for b in report.backlog]]
    chart.categoryAxis.categoryNames = [b.label for b in report.backlog]
    chart.categoryAxis.labels.fontName = CJK
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = _nice_top(max([1, *chart.data[0]]))
    chart.valueAxis.labels.fontName = LATIN
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.bars[0].fillColor = SLATE
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = LATIN
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    labels = _category_labels(chart, 7, horizontal=False) if _RTL.get() else []
    d.add(chart)
    return _chart(d, labels)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """The text, cut with an ellipsis where it would run wider than ``width``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _charts(report: MonthlyReport, s: _Styles) -> list:
    items: list = [
        CondPageBreak(250),
        _p(_("Twelve months"), s.h2),
        KeepTogether([_p(_("Cases raised and resolved each month"), s.h3), _volume_chart(report)]),
        KeepTogether(
            [_p(_("On-time rate and satisfaction rate each month"), s.h3), _rates_chart(report)]
        ),
    ]
    category = _category_chart(report)
    items.append(
        KeepTogether(
            [
                _p(_("Cases raised by category"), s.h2),
                category if category is not None else _p(_("No cases raised."), s.muted),
            ]
        )
    )
    channel_rows = [_head([_("Channel"), report.month_label, _("Last month")], s, right_from=1)]
    for c in report.by_channel:
        channel_rows.append(
            [
                _p(c.label, s.cell),
                _p(number_format(c.value, 0, force_grouping=True), s.cell_right),
                _p(number_format(c.previous, 0, force_grouping=True), s.cell_right),
            ]
        )
    backlog_block = [
        _p(_("Open cases at month end, by age"), s.h3),
        _backlog_chart(report),
    ]
    channel_block = [
        _p(_("Cases raised by channel"), s.h3),
        _table(channel_rows, [WIDTH * 0.2, WIDTH * 0.1, WIDTH * 0.1])
        if len(channel_rows) > 1
        else _p(_("No cases raised."), s.muted),
    ]
    side = Table(
        [_in_reading_order([backlog_block, channel_block])],
        colWidths=_in_reading_order([WIDTH * 0.57, WIDTH * 0.43]),
        hAlign="RIGHT" if _RTL.get() else "LEFT",
    )
    side.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    items += [CondPageBreak(170), side]
    return items


# --- rankings and lists -------------------------------------------------------------------


def _ranking_table(
    caption: str, who: str, items: list[Ranked], report: MonthlyReport, s: _Styles
) -> list:
    if not items:
        return [_p(caption, s.h3), _p(_("Nobody to rank this month."), s.muted)]
    width = WIDTH / 2 - 8
    rows = [
        _head(
            [
                "#",
                who,
                report.rank_indicator,
                pgettext("report", "Resolved"),
                pgettext("report", "Late"),
            ],
            s,
            right_from=2,
        )
    ]
    for place, r in enumerate(items, start=1):
        rows.append(
            [
                _p(str(place), s.cell),
                _p(r.name, s.cell),
                _p(percent(r.on_time_rate), s.cell_right, bold=True),
                _p(number_format(r.resolved, 0, force_grouping=True), s.cell_right),
                _p(number_format(r.late, 0, force_grouping=True), s.cell_right),
            ]
        )
    table = _table(rows, [width * 0.08, width * 0.36, width * 0.2, width * 0.18, width * 0.18])
    return [_p(caption, s.h3), table]


def _rankings(report: MonthlyReport, s: _Styles) -> list:
    unit, area = _("Unit"), _("Area")
    grid = Table(
        [
            _in_reading_order(
                [
                    _ranking_table(_("Best units"), unit, report.best_units, report, s),
                    _ranking_table(_("Weakest units"), unit, report.worst_units, report, s),
                ]
            ),
            _in_reading_order(
                [
                    _ranking_table(_("Best areas"), area, report.best_areas, report, s),
                    _ranking_table(_("Weakest areas"), area, report.worst_areas, report, s),
                ]
            ),
        ],
        colWidths=[WIDTH / 2, WIDTH / 2],
    )
    # The gap between the two tables of a row is on the side where reading goes on.
    after, before = (
        ("LEFTPADDING", "RIGHTPADDING") if _RTL.get() else ("RIGHTPADDING", "LEFTPADDING")
    )
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                (before, (0, 0), (-1, -1), 0),
                (after, (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [
        CondPageBreak(260),
        _p(_("Rankings by %(indicator)s") % {"indicator": report.rank_indicator}, s.h2),
        _p(report.rank_definition, s.muted),
        Spacer(1, 4),
        grid,
    ]


def _case_title(case: ReportCase, s: _Styles, extra: str = "") -> list:
    cell = [_p(case.title, s.cell), _p(case.category, s.small, color=MUTED)]
    if extra:
        cell.append(_p(extra, s.small, color=MUTED))
    return cell


def _case_tables(report: MonthlyReport, s: _Styles) -> list:
    items: list = [CondPageBreak(200), _p(_("The ten oldest open cases"), s.h2)]
    items.append(
        _p(
            _("Cases still open at the end of %(day)s, longest open first.")
            % {"day": date_format(report.period.end, "DATE_FORMAT")},
            s.muted,
        )
    )
    items.append(Spacer(1, 4))
    if report.oldest_open:
        rows = [
            _head(
                [
                    _("Tracking code"),
                    pgettext("report", "Case"),
                    _("Area and unit"),
                    pgettext("report", "Raised"),
                    _("Days open"),
                    _("Status at month end"),
                ],
                s,
            )
        ]
        for case in report.oldest_open:
            rows.append(
                [
                    _p(case.tracking_code, s.cell),
                    _case_title(case, s),
                    [_p(case.area, s.cell), _p(case.unit, s.small, color=MUTED)],
                    _p(f"{case.raised_on:%Y-%m-%d}", s.cell),
                    _p(str(case.age_days), s.cell_right, bold=True),
                    _p(case.status, s.cell),
                ]
            )
        items.append(
            _table(
                rows,
                [w * WIDTH for w in (0.14, 0.32, 0.2, 0.12, 0.09, 0.13)],
            )
        )
    else:
        items.append(_p(_("No case was open at the end of the month."), s.muted))

    items += [CondPageBreak(160), _p(_("Resolved highlights"), s.h2)]
    items.append(
        _p(
            _(
                "Problems solved this month that had waited longest, among the resolutions "
                "the resident confirmed (closed, never reopened)."
            ),
            s.muted,
        )
    )
    items.append(Spacer(1, 4))
    if report.highlights:
        rows = [
            _head(
                [
                    _("Tracking code"),
                    _("Case and resolution"),
                    _("Area and unit"),
                    _("Raised and resolved"),
                    _("Working days"),
                    pgettext("report", "Rating"),
                ],
                s,
            )
        ]
        for case in report.highlights:
            rating = "★" * case.rating if case.rating else _("closed unrated")
            rows.append(
                [
                    _p(case.tracking_code, s.cell),
                    _case_title(case, s, _short(case.resolution, 90)),
                    [_p(case.area, s.cell), _p(case.unit, s.small, color=MUTED)],
                    [
                        _p(f"{case.raised_on:%Y-%m-%d}", s.cell),
                        _p(f"{case.resolved_on:%Y-%m-%d}", s.cell),
                    ],
                    _p(fixed(case.resolve_days or 0, 1), s.cell_right, bold=True),
                    _p(rating, s.cell, color=RED if case.rating else MUTED),
                ]
            )
        items.append(_table(rows, [w * WIDTH for w in (0.14, 0.32, 0.18, 0.14, 0.1, 0.12)]))
    else:
        items.append(_p(_("No confirmed resolution this month."), s.muted))
    return items


def _progress_bar(percent: int, width: float = 48) -> Drawing:
    """The bar fills from where reading starts (the right in a right-to-left document),
    the figure beside its end."""
    filled = width * percent / 100
    figure = f"{percent}%"
    if _RTL.get():
        room = pdfmetrics.stringWidth(figure, LATIN, 7.5) + 3
        d = Drawing(width + room, 14)
        d.add(Rect(room, 3, width, 7, fillColor=GRID, strokeColor=None))
        d.add(Rect(room + width - filled, 3, filled, 7, fillColor=RED, strokeColor=None))
        d.add(String(0, 3.5, figure, fontName=LATIN, fontSize=7.5, fillColor=INK))
        return d
    d = Drawing(width, 14)
    d.add(Rect(0, 3, width, 7, fillColor=GRID, strokeColor=None))
    d.add(Rect(0, 3, filled, 7, fillColor=RED, strokeColor=None))
    d.add(String(width + 3, 3.5, figure, fontName=LATIN, fontSize=7.5, fillColor=INK))
    return d


def _money(value: Decimal) -> str:
    # Grouped by thousands whatever the locale: 1,280,000 reads at a glance in Chinese too.
    return f"{value:,.0f}"


def _projects(report: MonthlyReport, s: _Styles) -> list:
    items: list = [CondPageBreak(120), _p(_("Projects' progress"), s.h2)]
    if not report.projects:
        return [*items, _p(_("No projects in this area during the month."), s.muted)]
    rows = [
        _head(
            [
                pgettext("report", "Project"),
                pgettext("report", "Progress"),
                _("Budget / spent (yuan)"),
                _("Milestones"),
                _("Next milestone"),
                _("Linked cases"),
            ],
            s,
        )
    ]
    for p in report.projects:
        due = date_format(p.next_milestone_due, "DATE_FORMAT") if p.next_milestone_due else ""
        rows.append(
            [
                [_p(p.name, s.cell), _p(p.status_label, s.small, color=MUTED)],
                _progress_bar(p.progress),
                _p(f"{_money(p.budget)} / {_money(p.spent)}", s.cell),
                _p(f"{p.milestones_done} / {p.milestones_total}", s.cell),
                [_p(p.next_milestone or "—", s.cell), _p(due, s.small, color=MUTED)],
                _p(str(p.linked_cases), s.cell_right),
            ]
        )
    items.append(_table(rows, [w * WIDTH for w in (0.25, 0.17, 0.17, 0.1, 0.21, 0.1)]))
    return items


def _definitions(report: MonthlyReport, s: _Styles) -> list:
    rows = [[_p(h.label, s.small), _p(h.definition, s.small)] for h in report.headlines]
    rows.append([_p(_("Open cases by age"), s.small), _p(report.backlog_definition, s.small)])
    table = Table(
        [_in_reading_order(row) for row in rows],
        colWidths=_in_reading_order([WIDTH * 0.28, WIDTH * 0.72]),
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [
        CondPageBreak(200),
        KeepTogether([_p(_("How the figures are counted"), s.h2), table]),
        Spacer(1, 6),
        _p(
            _(
                "Figures come from the case timelines in minsheng. Contact details are never "
                "part of a report; phone numbers, ID numbers and e-mail addresses in case "
                "texts are masked."
            ),
            s.muted,
        ),
    ]
