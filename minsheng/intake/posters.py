"""Printable A4 posters, one per village or community: a QR code that opens the report form
with the village already chosen, the village's SMS code, the hotline and the categories.

Drawn with reportlab, in Chinese (default), English or Uyghur. Chinese uses reportlab's
built-in CID font STSong-Light, so no font file is needed (PDF readers and printers supply
the glyphs).

Uyghur is written right to left in the Arabic script, its letters joined. reportlab 5.1 can
shape through uharfbuzz, but it gives every joined letter form a private-use character in
the PDF's text (which then cannot be searched or copied), and it orders right-to-left text
only through another optional package, so Uyghur posters are typeset here: the Unicode
bidirectional algorithm (implemented below) orders each line, HarfBuzz (uharfbuzz) shapes each
run into the joined letter forms of Noto Sans Arabic (shipped by the pip package
fontpkg-noto-sans-arabic, with every Uyghur letter), and the glyphs are placed one by one
where HarfBuzz says. The font is embedded (subset) in the PDF, and each glyph's text in it
is the letter it stands for, so the poster's text can still be searched and copied.
Chinese place names without a Uyghur name are set in STSong-Light within the line; numbers,
the QR code and the address under it stay left to right. The whole page is mirrored: the
QR code stands on the right, text is aligned to the right.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from minsheng.directory.models import Area, AreaKind
from minsheng.directory.selectors import active_categories
from minsheng.intake.language import LANGUAGE_PARAMETER
from minsheng.intake.models import POSTER_AREA_KINDS, AreaSmsCode
from minsheng.intake.rtl import (
    CJK_FONT,
    rtl_lines,
    rtl_text,
    uyghur_fonts,
)

POSTER_LANGUAGES = ("zh-hans", "en", "ug")
RTL_LANGUAGES = ("ug",)
LATIN_BOLD = "Helvetica-Bold"
LATIN = "Helvetica"

RED = HexColor("#b3261e")
INK = HexColor("#1f1f1f")
MUTED = HexColor("#5f5f5f")
PALE = HexColor("#fbeeed")
RULE = HexColor("#d9b8b5")

PAGE_W, PAGE_H = A4
MARGIN = 40


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def report_url(area: Area, *, language: str) -> str:
    """The absolute address the poster's QR code opens: the form, this village chosen, in
    the poster's language (whatever language the phone is set to; see intake.language)."""
    query = urlencode({"area": area.code, LANGUAGE_PARAMETER: language})
    return f"{settings.MINSHENG_PUBLIC_URL}{reverse('intake:report')}?{query}"


def poster_language(requested: str | None) -> str:
    return requested if requested in POSTER_LANGUAGES else "zh-hans"


def township_villages(township: Area) -> list[Area]:
    """The villages and communities below a township, in code order (the print order)."""
    return list(
        Area.objects.filter(kind__in=POSTER_AREA_KINDS, path__startswith=township.path)
        .select_related("parent")
        .order_by("code")
    )


def render_posters(areas: Iterable[Area], *, language: str = "zh-hans") -> bytes:
    """One PDF, one A4 page per village or community."""
    _register_fonts()
    language = poster_language(language)
    rtl = language in RTL_LANGUAGES
    if rtl:
        uyghur_fonts()
    buffer = io.BytesIO()
    # Only the Uyghur poster names its language, so the other two stay byte for byte as before.
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, lang=language if rtl else None)
    with translation.override(language):
        categories = [c.label for c in active_categories()]
        names = []
        for area in areas:
            _draw_poster(canvas, _PosterData.of(area, categories, language=language, rtl=rtl))
            canvas.showPage()
            names.append(area.label)
        canvas.setTitle(" · ".join(names[:3]) + (" …" if len(names) > 3 else ""))
        canvas.setSubject(_("Report a problem"))
    canvas.save()
    return buffer.getvalue()


@dataclass
class _PosterData:
    area: Area
    place: str  # the township (and county) above the village
    url: str
    sms_code: str
    categories: list[str]
    rtl: bool = False  # a right-to-left poster (Uyghur): mirrored page, shaped text

    @classmethod
    def of(
        cls, area: Area, categories: list[str], *, language: str, rtl: bool = False
    ) -> _PosterData:
        above = [a.label for a in area.ancestors()[:-1] if a.kind != AreaKind.GRID]
        return cls(
            area=area,
            place=" ".join(above),
            url=report_url(area, language=language),
            sms_code=AreaSmsCode.for_area(area).code,
            categories=categories,
            rtl=rtl,
        )


# --- drawing -----------------------------------------------------------------------------


def _draw_poster(c: Canvas, data: _PosterData) -> None:
    """Lay out one poster. Coordinates are those of the left-to-right page; on a right-to-left
    page every box is mirrored (``mx``, and ``_text`` with ``rtl``), the QR code not."""
    width = PAGE_W - 2 * MARGIN
    hotline = settings.MINSHENG_HOTLINE
    rtl = data.rtl

    def mx(x: float, w: float = 0) -> float:
        """The left edge of a box (or, with no width, a point) mirrored on an RTL page."""
        return PAGE_W - x - w if rtl else x

    def ltr(value: str) -> str:
        """A number inside a right-to-left sentence, between left-to-right marks: without
        them the bidirectional algorithm would set "0991 12345" as "12345 0991" there."""
        return f"\u200e{value}\u200e" if rtl else value

    def draw_string(x: float, y: float, text: str) -> None:
        """Left-to-right text (numbers, the address) starting at x, or ending there if RTL."""
        (c.drawRightString if rtl else c.drawString)(mx(x), y, text)

    # Header band, as tall as its text needs.
    title = _("Something wrong? Tell us.")
    promise = _(
        "Water, roads, clinics, schools and more: every report gets a number, a unit in "
        "charge and a deadline, and you can follow it."
    )
    band_h = (
        30
        + _text_height(title, width, 30, bold=True, rtl=rtl)
        + 6
        + _text_height(promise, width, 13, rtl=rtl)
    )
    band_h += 18
    c.setFillColor(RED)
    c.rect(0, PAGE_H - band_h, PAGE_W, band_h, stroke=0, fill=1)
    y = _text(c, title, MARGIN, PAGE_H - 30, width, 30, color=white, bold=True, rtl=rtl)
    _text(c, promise, MARGIN, y - 6, width, 13, color=white, rtl=rtl)

    # The village.
    y = PAGE_H - band_h - 22
    if data.place:
        y = _text(c, data.place, MARGIN, y, width, 15, color=MUTED, rtl=rtl)
    y = _text(c, data.area.label, MARGIN, y - 2, width, 32, bold=True, rtl=rtl)

    # QR code and the three steps beside it.
    qr_size = 212
    qr_top = y - 10
    _draw_qr(c, data.url, mx(MARGIN - 8, qr_size), qr_top - qr_size, qr_size)
    steps_x = MARGIN + qr_size + 14
    steps_w = PAGE_W - MARGIN - steps_x
    sy = _text(
        c, _("Scan to report"), steps_x, qr_top - 22, steps_w, 24, color=RED, bold=True, rtl=rtl
    )
    sy -= 12
    for number, step in enumerate(
        (
            _("Scan the code with your phone's camera or WeChat."),
            _(
                "Choose what kind of problem it is and describe it. The village is already "
                "filled in."
            ),
            _("Keep the tracking code you get, to follow your case and rate it when it is done."),
        ),
        start=1,
    ):
        c.setFillColor(RED)
        c.circle(mx(steps_x + 11), sy - 7, 11, stroke=0, fill=1)
        c.setFillColor(white)
        c.setFont(LATIN_BOLD, 13)
        c.drawCentredString(mx(steps_x + 11), sy - 11.5, str(number))
        sy = _text(c, step, steps_x + 30, sy, steps_w - 30, 14, rtl=rtl) - 12
    c.setFillColor(MUTED)
    c.setFont(LATIN, 8.5)
    draw_string(MARGIN, qr_top - qr_size - 4, data.url)

    # SMS and hotline.
    box_top = qr_top - qr_size - 18
    box_h = 118
    gap = 14
    sms_w = width * 0.62
    call_w = width - sms_w - gap
    _box(c, mx(MARGIN, sms_w), box_top - box_h, sms_w, box_h)
    _box(c, mx(MARGIN + sms_w + gap, call_w), box_top - box_h, call_w, box_h)
    bx = MARGIN + 16
    by = _text(
        c, _("No smartphone? Send a text message:"), bx, box_top - 16, sms_w - 32, 13, rtl=rtl
    )
    c.setFillColor(RED)
    c.setFont(LATIN_BOLD, 34)
    draw_string(bx, by - 36, data.sms_code)
    code_w = pdfmetrics.stringWidth(data.sms_code, LATIN_BOLD, 34)
    _text(
        c,
        _("+ your problem"),
        bx + code_w + 10,
        by - 14,
        sms_w - code_w - 50,
        17,
        bold=True,
        rtl=rtl,
    )
    _text(
        c,
        _("to %(number)s. Example: %(example)s")
        % {
            "number": ltr(settings.MINSHENG_SMS_NUMBER),
            "example": f"{ltr(data.sms_code)} " + _("the water pipe at the village gate is broken"),
        },
        bx,
        by - 48,
        sms_w - 32,
        11.5,
        color=MUTED,
        rtl=rtl,
    )
    cx = MARGIN + sms_w + gap + 16
    cy = _text(c, _("Or call the hotline:"), cx, box_top - 16, call_w - 32, 13, rtl=rtl)
    hotline_size = _fit(hotline, LATIN_BOLD, 36, call_w - 32)
    c.setFillColor(RED)
    c.setFont(LATIN_BOLD, hotline_size)
    draw_string(cx, cy - 38, hotline)

    # Categories.
    y = box_top - box_h - 18
    y = _text(c, _("You can report problems with"), MARGIN, y, width, 15, bold=True, rtl=rtl)
    y -= 6
    columns = 3
    col_w = width / columns
    for start in range(0, len(data.categories), columns):
        bottom = y
        for col, label in enumerate(data.categories[start : start + columns]):
            x = MARGIN + col * col_w
            c.setFillColor(RED)
            c.rect(mx(x, 6), y - 10, 6, 6, stroke=0, fill=1)
            bottom = min(bottom, _text(c, label, x + 13, y, col_w - 26, 12.5, max_lines=2, rtl=rtl))
        y = bottom - 5

    # Privacy and footer.
    privacy = _(
        "You may report without giving your name. A phone number you leave is encrypted, "
        "seen only by the unit handling your case to call you back, never published, and "
        "deleted %(days)d days after the case ends. Please describe the problem, not a "
        "person."
    ) % {"days": settings.MINSHENG_CONTACT_RETENTION_DAYS}
    top = 32 + _text_height(privacy, width, 9.5, rtl=rtl)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.8)
    c.line(MARGIN, top + 8, PAGE_W - MARGIN, top + 8)
    _text(c, privacy, MARGIN, top, width, 9.5, color=MUTED, rtl=rtl)
    c.setFillColor(MUTED)
    c.setFont(LATIN, 7.5)
    footer = f"{data.area.code} · SMS {data.sms_code} · {timezone.localdate():%Y-%m-%d}"
    if rtl:
        c.drawString(MARGIN, 20, footer)
    else:
        c.drawRightString(PAGE_W - MARGIN, 20, footer)


def _draw_qr(c: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (crisp at any printer resolution), with its quiet zone."""
    qr = segno.make_qr(data, error="m")
    matrix = qr.matrix
    modules = len(matrix) + 8  # four light modules of quiet zone on each side
    cell = size / modules
    c.setFillColor(white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(INK)
    path = c.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 4) * cell
        col = 0
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            # A hair of overlap so no white seams show between neighbouring squares.
            path.rect(x + (start + 4) * cell, top - cell - 0.05, (col - start) * cell, cell + 0.1)
    c.drawPath(path, stroke=0, fill=1)


def _box(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    c.setFillColor(PALE)
    c.setStrokeColor(RULE)
    c.setLineWidth(1)
    c.roundRect(x, y, w, h, 8, stroke=1, fill=1)


def _fit(text: str, font: str, size: float, width: float) -> float:
    while size > 8 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 1
    return size


def _text(
    c: Canvas,
    text: str,
    x: float,
    y: float,
    width: float,
    size: float,
    *,
    color=INK,  # type: ignore[no-untyped-def]
    bold: bool = False,
    max_lines: int | None = None,
    rtl: bool = False,
) -> float:
    """Draw wrapped text whose first baseline sits a line below ``y``; return the y under it.

    Chinese is set in the CID font and breaks between any two characters; Latin text is
    set in Helvetica and breaks at spaces. The CID font has no bold face, so bold Chinese
    is drawn as filled and stroked outlines. With ``rtl`` the box from ``x`` (``width``
    wide) is mirrored on the page and the text is set right to left (``rtl_text``).
    """
    if rtl:
        return rtl_text(
            c, text, PAGE_W - x - width, y, width, size, color, bold=bold, max_lines=max_lines
        )
    leading = size * 1.32
    lines = _wrap(text, size, width, bold)
    if max_lines is not None:
        lines = lines[:max_lines]
    c.setStrokeColor(color)
    c.setLineWidth(size / 40)
    t = c.beginText()
    t.setFillColor(color)
    for number, line in enumerate(lines):
        t.setTextOrigin(x, y - size - number * leading)
        for is_cjk, run in _runs(line):
            # The render mode is part of the graphics state: set it for every run.
            t.setTextRenderMode(2 if bold and is_cjk else 0)
            t.setFont(*_font(is_cjk, bold), size)
            t.textOut(run)
    t.setTextRenderMode(0)  # later text, drawn elsewhere, must not inherit the outline
    c.drawText(t)
    return y - size - (len(lines) - 1) * leading - (leading - size)


def _text_height(
    text: str, width: float, size: float, bold: bool = False, *, rtl: bool = False
) -> float:
    leading = size * 1.32
    count = len(rtl_lines(text, size, width, bold)) if rtl else len(_wrap(text, size, width, bold))
    return size + (count - 1) * leading + (leading - size)


def _font(is_cjk: bool, bold: bool) -> tuple[str]:
    return (CJK_FONT,) if is_cjk else (LATIN_BOLD if bold else LATIN,)


def _runs(line: str) -> list[tuple[bool, str]]:
    """Split a line into runs of Chinese and of Latin text."""
    runs: list[tuple[bool, str]] = []
    for ch in line:
        is_cjk = _is_cjk(ch)
        if runs and runs[-1][0] == is_cjk:
            runs[-1] = (is_cjk, runs[-1][1] + ch)
        else:
            runs.append((is_cjk, ch))
    return runs


def _width(text: str, size: float, bold: bool) -> float:
    return sum(
        pdfmetrics.stringWidth(run, _font(is_cjk, bold)[0], size) for is_cjk, run in _runs(text)
    )


def _wrap(text: str, size: float, width: float, bold: bool = False) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            candidate = line + ch
            if line and _width(candidate, size, bold) > width:
                head, sep, tail = line.rpartition(" ")
                # Break at the last space when the line has one and the word is Latin.
                if sep and head and not _is_cjk(ch):
                    lines.append(head)
                    line = (tail + ch).lstrip()
                else:
                    lines.append(line.rstrip())
                    line = ch.lstrip()
            else:
                line = candidate
        lines.append(line)
    return lines


def _is_cjk(ch: str) -> bool:
    """Whether a character needs the CID font: whatever Helvetica's encoding lacks."""
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False
