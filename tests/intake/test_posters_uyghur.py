"""Uyghur QR posters: right to left, letters joined, Chinese names and numbers still readable.

The PDF is read as a reader would: its text with poppler's pdftotext (which puts right-to-left
text back in reading order), its page rendered with pdftoppm and the QR code decoded with
zxing-cpp; without poppler those checks skip. The embedded font and the text each glyph
stands for are read from the PDF itself.
"""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest
import zxingcpp
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from minsheng.intake import posters, rtl
from minsheng.intake.models import AreaSmsCode
from minsheng.intake.posters import render_posters
from tests.intake.test_posters import (  # noqa: F401 - poster_settings is an autouse fixture
    PUBLIC_URL,
    needs_pdftoppm,
    needs_pdftotext,
    poster_settings,
)

PAGE_W = 595.2756
MARGIN = 40


@pytest.fixture
def uyghur_names(county):  # type: ignore[no-untyped-def]
    """The township and the village have Uyghur names; the county has only its Chinese one."""
    county.township.name_ug = "شەرقىي كۆل يېزىسى"
    county.township.save()
    county.village.name_ug = "سۆگەتلىك كەنتى"
    county.village.save()
    return county


def staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def uyghur(message: str) -> str:
    with translation.override("ug"):
        text = gettext(message)
    assert any("\u0600" <= ch <= "\u06ff" for ch in text), f"no Uyghur for {message!r}"
    return text


def reading_words(pdf: bytes, tmp_path: Path) -> list[str]:
    """The page's words (letters and digits) in reading order, as pdftotext gives them.

    Only words: poppler puts right-to-left text back in reading order from where each glyph
    is drawn, but it places neutral punctuation next to a right-to-left word (the Arabic
    comma, a colon) on the wrong side of the space."""
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    return words(out)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def contains(haystack: list[str], needle: list[str]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as an unbroken run of words."""
    return any(
        haystack[i : i + len(needle)] == needle for i in range(len(haystack) - len(needle) + 1)
    )


def word_boxes(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float, float]]:
    """Each piece of text poppler finds, as drawn (right-to-left text comes reversed):
    (text, xMin, yMin, xMax, yMax), y from the top of the page."""
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    )
    return [(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in found]


def qr_codes(pdf: bytes, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Render the page as a printer would see it (110 dpi) and read every QR code on it."""
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-singlefile", str(path), str(prefix)],
        check=True,
        timeout=60,
    )
    image = Image.open(f"{prefix}.png")
    codes = [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
    return codes, image.width


def glyph_texts(pdf: bytes) -> list[dict[int, str]]:
    """Every ToUnicode map in the PDF: for each glyph code, the text it stands for."""
    maps = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            data = zlib.decompressobj().decompress(raw)
        except zlib.error:
            data = raw
        if b"beginbfchar" not in data:
            continue
        entries = re.findall(rb"<([0-9A-F]{2})> <((?:[0-9A-F]{4})*)>", data)
        maps.append(
            {
                int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for code, text in entries
            }
        )
    return maps


def test_uyghur_poster_is_a_single_a4_page_pdf(county):
    response = staff_client(county.operator).get("/staff/posters/V1.pdf?lang=ug")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert int(re.search(rb"/Count (\d+) /Kids", pdf).group(1)) == 1
    assert re.findall(rb"/MediaBox \[ ([\d. ]+) \]", pdf) == [b"0 0 595.2756 841.8898"]
    assert b"/Lang (ug)" in pdf


def test_the_uyghur_font_is_embedded(county):
    pdf = render_posters([county.village], language="ug")
    # Regular and bold, each a subset embedded as a TrueType font file.
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansArabic\b", pdf)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansArabic-Bold\b", pdf)
    assert pdf.count(b"/FontFile2") == 2


def test_the_chinese_poster_still_needs_no_font_file(county):
    pdf = render_posters([county.village], language="zh-hans")
    assert b"/FontFile2" not in pdf
    assert b"NotoSansArabic" not in pdf


def test_uyghur_letters_are_drawn_in_their_joined_forms(county):
    """Unshaped text would draw each letter with one glyph; joined text uses its initial,
    medial and final forms, different glyphs that all stand for the same letter."""
    pdf = render_posters([county.village], language="ug")
    forms = Counter()
    for glyphs in glyph_texts(pdf):
        forms.update(text for text in glyphs.values() if len(text) == 1)
    for letter in "لنمسى":  # lam, nun, meem, seen, alef maksura: all join on both sides
        assert forms[letter] >= 3, (letter, forms[letter])


@needs_pdftotext
def test_uyghur_poster_reads_right_to_left_in_the_catalog_words(uyghur_names, tmp_path):
    pdf = render_posters([uyghur_names.village], language="ug")
    text = reading_words(pdf, tmp_path)
    # pdftotext puts right-to-left text back in reading order from where each glyph is
    # drawn: letters drawn left to right, or lines laid out wrong, would come back
    # reversed or jumbled.
    for message in (
        "Something wrong? Tell us.",
        "Scan to report",
        "Or call the hotline:",
        "You can report problems with",
        "Choose what kind of problem it is and describe it. The village is already filled in.",
    ):
        assert contains(text, words(uyghur(message))), message
    assert contains(text, ["سۆگەتلىك", "كەنتى"])
    assert contains(text, words(uyghur_names.water.name_ug))


@needs_pdftotext
def test_numbers_latin_and_chinese_names_keep_their_own_direction(county, settings, tmp_path):
    settings.MINSHENG_SMS_NUMBER = "1069 0001"  # two groups: must not swap in Uyghur text
    county.water.name_ug = "سۇ (WeChat) 柳树村 ئا"  # brackets around Latin, then Chinese
    county.water.save()
    pdf = render_posters([county.village], language="ug")  # no Uyghur place names
    text = reading_words(pdf, tmp_path)
    sms_code = AreaSmsCode.objects.get(area=county.village).code
    assert contains(text, ["0991", "12345"])
    assert contains(text, words(f"{PUBLIC_URL}/report/?area=V1&lang=ug"))
    # Inside Uyghur sentences: the number to text to, the example, "(WeChat)".
    expected = uyghur("to %(number)s. Example: %(example)s") % {
        "number": "1069 0001",
        "example": f"{sms_code} " + uyghur("the water pipe at the village gate is broken"),
    }
    assert contains(text, words(expected))
    assert contains(text, words(uyghur("Scan the code with your phone's camera or WeChat.")))
    # Read right to left, "(WeChat)" comes before the Chinese name: it stands to its right.
    # (pdftotext's own reading order gets two adjacent left-to-right islands wrong.)
    boxes = word_boxes(pdf, tmp_path)
    category_y = max(y0 for text, _, y0, _, _ in boxes if "WeChat" in text)
    latin = next(b for b in boxes if "WeChat" in b[0] and b[2] == category_y)
    chinese = [b for b in boxes if b[0] == "柳树村" and abs(b[2] - category_y) < 10]
    assert chinese and latin[1] > chinese[0][3]
    # Chinese names where there is no Uyghur one, bold and plain.
    assert contains(text, ["柳树村"])
    assert contains(text, ["青河县", "东湖镇"])


@pytest.mark.parametrize(
    ("line", "pieces"),
    [
        # Left to right as drawn: each piece in the direction of its level.
        ("青河县 شەرقىي كۆل", [" شەرقىي كۆل", "青河县"]),
        ("بۇ نومۇرغا: 10690001.", [".", "10690001", "بۇ نومۇرغا: "]),
        ("0991-12345 نومۇر", [" نومۇر", "0991-12345"]),
        # Brackets take the direction of their context (rule N0), Chinese keeps its order.
        ("سۇ (WeChat) 柳树村 ئا", [" ئا", "柳树村", ") ", "WeChat", "سۇ ("]),
        ("سۇ (柳树村) بار", [") بار", "柳树村", "سۇ ("]),
        ("ئا WeChat (A1) ب", [" ب", "WeChat (A1)", "ئا "]),
        # After Arabic letters, "12-34" is two Arabic numbers around a neutral hyphen.
        ("ئا 12-34", ["34", "-", "12", "ئا "]),
        ("ئا \u200e12-34\u200e", ["\u200e12-34\u200e", "ئا "]),
    ],
)
def test_mixed_lines_are_ordered_by_the_bidirectional_algorithm(line, pieces):

    posters._register_fonts()
    runs = rtl.visual_runs(line, rtl.bidi_levels(line), 0, len(line), False)
    assert [line[start:end] for _, _, start, end in runs] == pieces


@needs_pdftotext
def test_uyghur_text_is_set_against_the_right_margin(county, tmp_path):
    pdf = render_posters([county.village], language="ug")
    boxes = word_boxes(pdf, tmp_path)
    right = PAGE_W - MARGIN
    assert all(MARGIN - 1 <= x0 and x1 <= right + 1 for _, x0, _, x1, _ in boxes)
    # The title's line ends at the right margin, and so do many other lines.
    top = min(y0 for _, _, y0, _, _ in boxes)
    title_right = max(x1 for _, _, y0, x1, _ in boxes if y0 == top)
    assert title_right == pytest.approx(right, abs=0.5)
    assert sum(1 for _, _, _, x1, _ in boxes if x1 == pytest.approx(right, abs=0.5)) >= 10


@needs_pdftoppm
def test_uyghur_poster_qr_code_decodes_and_stands_on_the_right(county, tmp_path):
    pdf = staff_client(county.operator).get("/staff/posters/V1.pdf?lang=ug").content
    codes, width = qr_codes(pdf, tmp_path)
    assert [c.text for c in codes] == [f"{PUBLIC_URL}/report/?area=V1&lang=ug"]
    assert codes[0].position.top_left.x > width / 2  # mirrored page: QR code on the right
    zh_codes, _ = qr_codes(render_posters([county.village], language="zh-hans"), tmp_path)
    assert zh_codes[0].position.top_right.x < width / 2


@needs_pdftoppm
def test_township_batch_in_uyghur_points_each_page_to_its_village(county, tmp_path):
    from tests.factories import AreaFactory

    AreaFactory(name="桃园社区", code="V3", kind="community", parent=county.township)
    pdf = staff_client(county.supervisor).get("/staff/posters/township/T1.pdf?lang=ug").content
    assert int(re.search(rb"/Count (\d+) /Kids", pdf).group(1)) == 2
    path = tmp_path / "batch.pdf"
    path.write_bytes(pdf)
    for page, code in ((1, "V1"), (2, "V3")):
        prefix = tmp_path / f"p{page}"
        subprocess.run(
            ["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", str(page), "-l", str(page)]
            + [str(path), str(prefix)],
            check=True,
            timeout=60,
        )
        found = zxingcpp.read_barcodes(Image.open(f"{prefix}.png"))
        assert [r.text for r in found] == [f"{PUBLIC_URL}/report/?area={code}&lang=ug"]


def test_poster_page_links_the_uyghur_poster(county):
    html = staff_client(county.operator).get("/staff/posters/").content.decode()
    assert 'href="/staff/posters/V1.pdf?lang=ug"' in html
    assert 'href="/staff/posters/township/T1.pdf?lang=ug"' in html
    assert "ئۇيغۇرچە" in html


def test_posters_command_prints_uyghur_posters(county, tmp_path):
    call_command("posters", area="V1", lang="ug", output=str(tmp_path), stdout=io.StringIO())
    pdf = (tmp_path / "V1-柳树村.pdf").read_bytes()
    assert b"NotoSansArabic" in pdf
