"""Right-to-left, shaped text for reportlab (Uyghur on the posters).

reportlab can shape through uharfbuzz, but it then writes each joined letter form as a
private-use character, so the PDF's text cannot be searched or copied, and its
right-to-left ordering needs another optional package. Here the Unicode bidirectional
algorithm (rules W1–I2 with bracket pairs, and L2 for a right-to-left paragraph without
explicit embeddings) orders each line, HarfBuzz shapes each run, and the embedded font
subset's text map sends every joined form back to its letter.

The font is Noto Sans Arabic (OFL-1.1) from the ``fontpkg-noto-sans-arabic`` package, so
nothing is installed outside pip.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import uharfbuzz
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

CJK_FONT = "STSong-Light"
UYGHUR_FONT = "NotoSansArabic"
UYGHUR_BOLD = "NotoSansArabic-Bold"

# --- right-to-left, shaped text (Uyghur) -------------------------------------------------
#
# A paragraph is wrapped into lines in logical order; the bidirectional algorithm gives each
# character its embedding level (1: right to left, 2: a left-to-right island such as a
# number, a Latin word or a Chinese name); each line is cut into runs of one level and one
# font, HarfBuzz shapes every run of the Arabic-script font in its direction (it returns
# the glyphs in visual order), and the runs are put in visual order by rule L2 of the
# algorithm. Glyphs are then placed exactly where HarfBuzz put them.

_NOTO_PACKAGE = "fontpkg_noto_sans_arabic"
_NOTO_FILE = "NotoSansArabic[wdth,wght].ttf"
# Bidi classes that rule X9 of the algorithm removes; dropped before layout so that levels
# and characters stay aligned (none of them has a glyph).
_BIDI_REMOVED = {"RLE", "LRE", "RLO", "LRO", "PDF", "BN", "RLI", "LRI", "FSI", "PDI"}


class _ShapingFont(TTFont):
    """A TrueType font whose glyphs are drawn as HarfBuzz shaped them.

    reportlab draws a TTF font by characters, and the joined forms of Arabic letters (and
    the dots Noto Sans Arabic places on them as separate glyphs) have no character. Each
    such glyph gets a private-use character of its own here, and the PDF's ToUnicode map
    says which text it stands for (the letter, or nothing for a dot), so copying and
    searching the poster's text give back the Uyghur words.
    """

    def __init__(self, name: str, data: bytes) -> None:
        file = io.BytesIO(data)
        file.name = f"{name}.ttf"  # reportlab names the embedded font file after it
        super().__init__(name, file, shapable=False)  # reportlab must not shape it again
        # The instances of a variable font share one PostScript name; keep them apart.
        self.face.name = name.encode("ascii")
        self.hb_font = uharfbuzz.Font(uharfbuzz.Face(data))
        self._scale = 1000 / self.face.unitsPerEm
        self._lock = threading.Lock()
        self._private: dict[tuple[int, str], int] = {}  # (glyph, text) -> character
        self.private_text: dict[int, str] = {}  # character -> the text it stands for
        self._next_private = 0xE000

    def has(self, ch: str) -> bool:
        return ord(ch) in self.face.charToGlyph

    def char(self, glyph: int, text: str) -> str:
        """A character that draws ``glyph``, and whose text in the PDF is ``text``."""
        if len(text) == 1 and self.face.charToGlyph.get(ord(text)) == glyph:
            return text
        with self._lock:
            code = self._private.get((glyph, text))
            if code is None:
                code = self._next_private
                while code in self.face.charToGlyph:
                    code += 1
                if code > 0xF8FF:
                    raise ValueError(f"{self.fontName}: no private-use character left")
                self._next_private = code + 1
                self.face.charToGlyph[code] = glyph
                self.face.charWidths[code] = self.face.hmetrics[glyph][0] * self._scale
                self.private_text[code] = text
                self._private[(glyph, text)] = code
        return chr(code)

    def addObjects(self, doc) -> None:  # type: ignore[no-untyped-def]
        """Embed the subsets as reportlab does, then say which text each glyph stands for."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for n, subset in enumerate(subsets):
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))
            base_name = base.decode("pdfdoc")
            cmap = doc.idToObject["toUnicodeCMap:" + base_name]
            cmap.content = _to_unicode_cmap(base_name, subset, self.private_text)


def _to_unicode_cmap(name: str, subset: list[int], texts: dict[int, str]) -> str:
    """A ToUnicode CMap: code i of the subset stands for the text of character subset[i]."""
    entries = []
    for code, char in enumerate(subset):
        text = texts.get(char, chr(char))
        entries.append(f"<{code:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{max(len(subset) - 1, 0):02X}>",
        "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):  # at most 100 entries a block
        block = entries[start : start + 100]
        lines += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


_FONTS_LOCK = threading.Lock()


def uyghur_fonts() -> tuple[_ShapingFont, _ShapingFont]:
    with _FONTS_LOCK:  # two requests at once must not load and register them twice
        return _load_uyghur_fonts()


@cache
def _load_uyghur_fonts() -> tuple[_ShapingFont, _ShapingFont]:
    """Noto Sans Arabic, regular and bold: static instances of the variable font the
    fontpkg-noto-sans-arabic package ships, cut by HarfBuzz's instancer, and registered."""
    try:
        data = resources.files(_NOTO_PACKAGE).joinpath("files", _NOTO_FILE).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise ImproperlyConfigured(
            "Uyghur posters need the font of the Python package fontpkg-noto-sans-arabic; "
            "install minsheng's dependencies again (pip install -e .)"
        ) from exc
    fonts = []
    for name, weight in ((UYGHUR_FONT, 400), (UYGHUR_BOLD, 700)):
        face = uharfbuzz.Face(data)
        pin = uharfbuzz.SubsetInput()
        pin.keep_everything()
        pin.pin_all_axes_to_default(face)
        pin.pin_axis_location(face, "wght", weight)
        font = _ShapingFont(name, uharfbuzz.subset(face, pin).blob.data)
        pdfmetrics.registerFont(font)
        fonts.append(font)
    return fonts[0], fonts[1]


@dataclass
class _Glyphs:
    """A run of one font in one direction, in visual order: for each glyph the character
    that draws it, its offset from the pen (x, y) and the pen's advance, in points."""

    font: str
    chars: list[str]
    offsets: list[tuple[float, float]]
    advances: list[float]
    level: int

    @property
    def width(self) -> float:
        return sum(self.advances)


def _uyghur_font(bold: bool) -> _ShapingFont:
    regular, heavy = uyghur_fonts()
    return heavy if bold else regular


def _font_of(ch: str, font: _ShapingFont) -> str:
    """The Arabic-script font for whatever it has (Latin and digits too), else the CJK one."""
    if font.has(ch) or ch.isspace() or unicodedata.category(ch) == "Cf":
        return font.fontName  # HarfBuzz makes invisible format characters (LRM) invisible
    return CJK_FONT


def _shape(text: str, font_name: str, size: float, level: int) -> _Glyphs:
    """Shape one run. Odd levels run right to left."""
    rtl = level % 2 == 1
    if font_name == CJK_FONT:
        # The CID font has no joining and no HarfBuzz face: a character is a glyph.
        chars = [_MIRRORED.get(ch, ch) for ch in reversed(text)] if rtl else list(text)
        advances = [pdfmetrics.stringWidth(ch, CJK_FONT, size) for ch in chars]
        return _Glyphs(font_name, chars, [(0.0, 0.0)] * len(chars), advances, level)
    font = pdfmetrics.getFont(font_name)
    assert isinstance(font, _ShapingFont)
    buf = uharfbuzz.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.language = "ug"
    uharfbuzz.shape(font.hb_font, buf, {"kern": True, "liga": True})
    # A cluster is the text from its start to the next cluster's start. HarfBuzz may draw it
    # with several glyphs (Noto Sans Arabic sets dots apart from their letters): the first
    # one that advances the pen stands for the text, the others for nothing.
    infos, positions = buf.glyph_infos, buf.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    carrier: dict[int, int] = {}
    for i, (info, pos) in enumerate(zip(infos, positions, strict=True)):
        first = carrier.setdefault(info.cluster, i)
        if pos.x_advance and not positions[first].x_advance:
            carrier[info.cluster] = i
    unit = size / font.face.unitsPerEm
    chars, offsets, advances = [], [], []
    for i, (info, pos) in enumerate(zip(infos, positions, strict=True)):
        cluster = info.cluster
        piece = text[cluster : ends[cluster]] if carrier[cluster] == i else ""
        chars.append(font.char(info.codepoint, piece))
        offsets.append((pos.x_offset * unit, pos.y_offset * unit))
        advances.append(pos.x_advance * unit)
    return _Glyphs(font_name, chars, offsets, advances, level)


# Paired brackets (rule N0) and the mirrored forms right-to-left runs of the CJK font use
# (HarfBuzz mirrors the Arabic-script font's own). Other brackets count as plain neutrals.
_BRACKETS = dict(
    zip(
        "([{\uff08\uff3b\uff5b\u3008\u300a\u300c\u300e\u3010\u3014\u3016\u3018\u301a"
        "\u2045\u2308\u230a\u2329",
        ")]}\uff09\uff3d\uff5d\u3009\u300b\u300d\u300f\u3011\u3015\u3017\u3019\u301b"
        "\u2046\u2309\u230b\u232a",
        strict=True,
    )
)
_MIRRORED = {
    **_BRACKETS,
    **{close: open_ for open_, close in _BRACKETS.items()},
    **dict(zip("<>«»‹›", "><»«›‹", strict=True)),
}


def bidi_levels(text: str) -> list[int]:
    """The embedding level of each character of a right-to-left paragraph: 1 for right to
    left, 2 for a left-to-right island (Latin, Chinese, numbers).

    Rules W1 to I2 of the Unicode bidirectional algorithm (UAX #9) for a paragraph of level 1
    without explicit embeddings or isolates (``_clean`` drops their controls), which makes
    the whole paragraph one isolating run sequence whose sos and eos are R.
    """
    types = [unicodedata.bidirectional(ch) or "L" for ch in text]
    n = len(types)
    # W1: a non-spacing mark takes the type of the character before it.
    for i in range(n):
        if types[i] == "NSM":
            types[i] = types[i - 1] if i else "R"
    # W2, W3: a European number after Arabic letters is an Arabic number; AL becomes R.
    strong = "R"
    for i in range(n):
        if types[i] in ("L", "R", "AL"):
            strong = types[i]
        elif types[i] == "EN" and strong == "AL":
            types[i] = "AN"
    types = ["R" if t == "AL" else t for t in types]
    # W4: a single separator between two numbers of one kind joins them.
    for i in range(1, n - 1):
        before, after = types[i - 1], types[i + 1]
        if types[i] == "ES" and before == after == "EN":
            types[i] = "EN"
        elif types[i] == "CS" and before == after and before in ("EN", "AN"):
            types[i] = before
    # W5: terminators next to a European number belong to it.
    i = 0
    while i < n:
        if types[i] == "ET":
            j = i
            while j < n and types[j] == "ET":
                j += 1
            if (i > 0 and types[i - 1] == "EN") or (j < n and types[j] == "EN"):
                types[i:j] = ["EN"] * (j - i)
            i = j
        else:
            i += 1
    # W6: the other separators and terminators are neutral.
    types = ["ON" if t in ("ES", "ET", "CS") else t for t in types]
    # W7: a European number after Latin text is Latin.
    strong = "R"
    for i in range(n):
        if types[i] in ("L", "R"):
            strong = types[i]
        elif types[i] == "EN" and strong == "L":
            types[i] = "L"
    # N0: paired brackets take the direction of what they enclose, or of what precedes them.
    original = [unicodedata.bidirectional(ch) for ch in text]
    for open_at, close_at in _bracket_pairs(text, types):
        inside = {_strong(t) for t in types[open_at + 1 : close_at]}
        if "R" in inside:
            direction = "R"
        elif "L" in inside:
            before = next((_strong(t) for t in reversed(types[:open_at]) if _strong(t)), "R")
            direction = "L" if before == "L" else "R"
        else:
            continue
        for at in (open_at, close_at):
            types[at] = direction
            k = at + 1  # marks on a bracket follow it
            while k < n and original[k] == "NSM":
                types[k] = direction
                k += 1
    # N1, N2: a run of neutrals between two strong types of one direction takes it, any
    # other the paragraph's (R). Numbers count as R; the paragraph's ends too.
    i = 0
    while i < n:
        if _strong(types[i]):
            i += 1
            continue
        j = i
        while j < n and not _strong(types[j]):
            j += 1
        before = _strong(types[i - 1]) if i else "R"
        after = _strong(types[j]) if j < n else "R"
        types[i:j] = [before if before == after else "R"] * (j - i)
        i = j
    # I2: on an odd level, left-to-right text and numbers go one level up.
    return [1 if t == "R" else 2 for t in types]


def _strong(bidi_type: str) -> str:
    """The direction a resolved type counts as in rules N0 and N1, or '' for a neutral."""
    if bidi_type == "L":
        return "L"
    if bidi_type in ("R", "EN", "AN"):
        return "R"
    return ""


def _bracket_pairs(text: str, types: list[str]) -> list[tuple[int, int]]:
    """Rule BD16: the positions of matching bracket pairs, in the order they open."""
    stack: list[tuple[str, int]] = []
    pairs = []
    for i, ch in enumerate(text):
        if types[i] != "ON":
            continue
        if ch in _BRACKETS:
            if len(stack) == 63:
                break
            stack.append((_BRACKETS[ch], i))
        else:
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == ch:
                    pairs.append((stack[depth][1], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _clean(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.bidirectional(ch) not in _BIDI_REMOVED)


@lru_cache(maxsize=4096)
def _measure(piece: str, size: float, bold: bool) -> float:
    """The width of a piece of a line (a word, a space, one Chinese character)."""
    font = _uyghur_font(bold)
    width = 0.0
    for font_name, run in _font_runs(piece, font):
        width += _shape(run, font_name, size, 1).width
    return width


def _font_runs(text: str, font: _ShapingFont) -> list[tuple[str, str]]:
    runs: list[tuple[str, str]] = []
    for ch in text:
        name = _font_of(ch, font)
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + ch)
        else:
            runs.append((name, ch))
    return runs


def _pieces(text: str, font: _ShapingFont) -> list[tuple[int, int]]:
    """Cut a paragraph where a line may break: around spaces, and around a character of the
    CJK font (Chinese breaks between any two characters). Returns (start, end) spans."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text):
            spans.append((start, i))
            break
        before, after = text[i - 1], text[i]
        if (
            before.isspace() != after.isspace()
            or _font_of(before, font) == CJK_FONT
            or _font_of(after, font) == CJK_FONT
        ):
            spans.append((start, i))
            start = i
    return [span for span in spans if span[0] < span[1]]


def rtl_lines(text: str, size: float, width: float, bold: bool) -> list[tuple[str, int, int]]:
    """Wrap a right-to-left text: (paragraph, start, end) of each line, in logical order."""
    font = _uyghur_font(bold)
    lines: list[tuple[str, int, int]] = []
    for paragraph in _clean(text).split("\n"):
        line_start = line_end = None
        line_w = 0.0
        pending = 0.0  # width of the spaces after the line so far
        for start, end in _pieces(paragraph, font):
            piece = paragraph[start:end]
            piece_w = _measure(piece, size, bold)
            if piece.isspace():
                if line_start is not None:
                    pending += piece_w
                continue
            if line_start is not None and line_w + pending + piece_w > width:
                lines.append((paragraph, line_start, line_end))
                line_start = None
            if line_start is None:
                # A word wider than the whole line is cut where it must be.
                while piece_w > width and end - start > 1:
                    cut = end - 1
                    while cut - start > 1 and _measure(paragraph[start:cut], size, bold) > width:
                        cut -= 1
                    lines.append((paragraph, start, cut))
                    start = cut
                    piece_w = _measure(paragraph[start:end], size, bold)
                line_start, line_w = start, piece_w
            else:
                line_w += pending + piece_w
            line_end = end
            pending = 0.0
        lines.append((paragraph, line_start or 0, line_end or 0))
    return lines


def visual_runs(
    paragraph: str, levels: list[int], start: int, end: int, bold: bool
) -> list[tuple[int, str, int, int]]:
    """The runs of one line, left to right: (level, font, start, end) of each."""
    font = _uyghur_font(bold)
    runs: list[tuple[int, str, int, int]] = []  # level, font, start, end
    for i in range(start, end):
        key = (levels[i], _font_of(paragraph[i], font))
        if runs and runs[-1][:2] == key:
            runs[-1] = (*key, runs[-1][2], i + 1)
        else:
            runs.append((*key, i, i + 1))
    # Rule L2: from the highest level down to the lowest odd one, reverse every stretch of
    # runs at that level or higher.
    order = list(range(len(runs)))
    if runs:
        highest = max(run[0] for run in runs)
        lowest_odd = min(run[0] for run in runs) | 1
        for level in range(highest, lowest_odd - 1, -1):
            i = 0
            while i < len(order):
                if runs[order[i]][0] >= level:
                    j = i
                    while j < len(order) and runs[order[j]][0] >= level:
                        j += 1
                    order[i:j] = reversed(order[i:j])
                    i = j
                else:
                    i += 1
    return [runs[k] for k in order]


def rtl_text(
    c: Canvas,
    text: str,
    x: float,
    y: float,
    width: float,
    size: float,
    color,  # type: ignore[no-untyped-def]
    *,
    bold: bool = False,
    max_lines: int | None = None,
    align: str = "right",
) -> float:
    """``_text`` for a right-to-left language: each line ends at the box's right edge, or
    is centred in the box, or starts at its left edge (``align``)."""
    leading = size * 1.32
    lines = rtl_lines(text, size, width, bold)
    if max_lines is not None:
        lines = lines[:max_lines]
    levels_of: dict[str, list[int]] = {}
    c.setStrokeColor(color)
    c.setLineWidth(size / 40)
    t = c.beginText()
    t.setFillColor(color)
    for number, (paragraph, start, end) in enumerate(lines):
        if paragraph not in levels_of:
            levels_of[paragraph] = bidi_levels(paragraph)
        baseline = y - size - number * leading
        shaped = [
            _shape(paragraph[s:e], font_name, size, level)
            for level, font_name, s, e in visual_runs(
                paragraph, levels_of[paragraph], start, end, bold
            )
        ]
        spare = width - sum(run.width for run in shaped)
        pen = x + {"right": spare, "center": spare / 2, "left": 0.0}[align]
        for run in shaped:
            # The CID font has no bold face: bold Chinese is outlined as in ``_text``.
            t.setTextRenderMode(2 if bold and run.font == CJK_FONT else 0)
            t.setFont(run.font, size)
            pen = _place(t, run, pen, baseline, size)
    t.setTextRenderMode(0)
    c.drawText(t)
    return y - size - (len(lines) - 1) * leading - (leading - size)


def _place(t: PDFTextObject, run: _Glyphs, pen: float, baseline: float, size: float) -> float:
    """Draw a run's glyphs from ``pen``; return the pen after it. Glyphs that sit where the
    PDF's own advance puts them share one text string; the others get their own origin."""
    font_name = run.font
    pending = ""
    cursor: tuple[float, float] | None = None  # where the PDF's pen stands after ``pending``
    for ch, (dx, dy), advance in zip(run.chars, run.offsets, run.advances, strict=True):
        at = (pen + dx, baseline + dy)
        if cursor is None or abs(cursor[0] - at[0]) > 0.005 or abs(cursor[1] - at[1]) > 0.005:
            if pending:
                t.textOut(pending)
            t.setTextOrigin(*at)
            pending = ""
        pending += ch
        cursor = (at[0] + pdfmetrics.stringWidth(ch, font_name, size), at[1])
        pen += advance
    if pending:
        t.textOut(pending)
    return pen
