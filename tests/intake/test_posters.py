"""QR posters: a printable A4 page per village whose QR code opens the report form there.

Text and QR checks read the PDF with poppler (pdftotext, pdftoppm) when it is installed
and decode the rendered page with zxing-cpp; without poppler those checks skip.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import segno
import zxingcpp
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from PIL import Image

from minsheng.cases.models import Case
from minsheng.directory.models import AreaKind
from minsheng.intake.models import AreaSmsCode
from minsheng.intake.posters import render_posters, report_url
from tests.factories import AreaFactory

PUBLIC_URL = "https://minsheng.example.org"
MEDIABOX = re.compile(rb"/MediaBox \[ ([\d. ]+) \]")

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)
needs_pdftoppm = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed"
)


@pytest.fixture(autouse=True)
def poster_settings(settings):  # type: ignore[no-untyped-def]
    settings.MINSHENG_PUBLIC_URL = PUBLIC_URL
    settings.MINSHENG_HOTLINE = "0991-12345"
    settings.MINSHENG_SMS_NUMBER = "10690001"


@pytest.fixture
def community(county):  # type: ignore[no-untyped-def]
    """A second reporting area in the test township, so the township has two posters."""
    return AreaFactory(name="桃园社区", code="V3", kind=AreaKind.COMMUNITY, parent=county.township)


def staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def page_count(pdf: bytes) -> int:
    """Pages of a reportlab PDF, read from its page tree (never compressed)."""
    return int(re.search(rb"/Count (\d+) /Kids", pdf).group(1))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()


def decode_qr_codes(pdf: bytes, tmp_path: Path, page: int = 1) -> list[str]:
    """Render one page as a printer would see it and read every QR code on it."""
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    prefix = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-r", "110", "-png", "-f", str(page), "-l", str(page), "-singlefile"]
        + [str(path), str(prefix)],
        check=True,
        timeout=60,
    )
    image = Image.open(f"{prefix}.png")
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


def test_village_poster_is_a_single_a4_page_pdf(county):
    response = staff_client(county.operator).get("/staff/posters/V1.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="poster-V1.pdf"' in response["Content-Disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    # A4 is 210 × 297 mm: 595.28 × 841.89 points.
    assert [box.split() for box in MEDIABOX.findall(pdf)] == [
        [b"0", b"0", b"595.2756", b"841.8898"]
    ]


@needs_pdftotext
def test_poster_names_the_village_the_hotline_and_the_sms_code(county, tmp_path):
    pdf = staff_client(county.operator).get("/staff/posters/V1.pdf").content
    text = pdf_text(pdf, tmp_path)
    assert "柳树村" in text
    assert "东湖镇" in text
    assert "0991-12345" in text
    sms_code = AreaSmsCode.objects.get(area=county.village).code
    assert sms_code in text
    assert "10690001" in text  # the number to text to


@needs_pdftotext
def test_poster_lists_the_active_categories(county, tmp_path):
    text = pdf_text(render_posters([county.village], language="zh-hans"), tmp_path)
    assert county.water.name in text
    assert county.roads.name in text


@needs_pdftotext
def test_english_poster_uses_english_names(county, tmp_path):
    county.village.name_en = "Willow Village"
    county.village.save()
    pdf = staff_client(county.operator).get("/staff/posters/V1.pdf?lang=en").content
    text = pdf_text(pdf, tmp_path)
    assert "Willow Village" in text
    assert "Scan to report" in text
    assert county.water.name_en in text


@needs_pdftoppm
def test_poster_qr_code_decodes_to_the_report_form_of_that_village(county, tmp_path):
    pdf = staff_client(county.operator).get("/staff/posters/V1.pdf").content
    assert decode_qr_codes(pdf, tmp_path) == [f"{PUBLIC_URL}/report/?area=V1&lang=zh-hans"]


def test_report_url_opens_the_form_with_the_village_chosen(county):
    url = report_url(county.village, language="zh-hans")
    assert url == f"{PUBLIC_URL}/report/?area=V1&lang=zh-hans"
    # The same QR symbol the poster draws, decoded: it must carry that exact address.
    png = io.BytesIO()
    segno.make_qr(url, error="m").save(png, kind="png", scale=6)
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.getvalue())))
    assert [r.text for r in decoded] == [url]
    form = Client().get(url.removeprefix(PUBLIC_URL), follow=True)
    assert form.status_code == 200
    assert form.context["form"].initial["area"] == str(county.village.pk)


def test_uyghur_posters_link_opens_the_form_in_uyghur_on_a_phone_set_to_chinese(county):
    url = report_url(county.village, language="ug")
    assert url == f"{PUBLIC_URL}/report/?area=V1&lang=ug"
    phone = Client(headers={"accept-language": "zh-CN,zh;q=0.9"})
    scanned = phone.get(url.removeprefix(PUBLIC_URL))
    # The language is set for the visit, and the address loses the parameter, so the
    # language switch on the page is not undone by it.
    assert scanned.status_code == 302
    assert scanned["Location"] == "/report/?area=V1"
    assert phone.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ug"
    form = phone.get(scanned["Location"])
    assert form.status_code == 200
    html = form.content.decode()
    assert '<html lang="ug" dir="rtl">' in html
    assert form.context["form"].initial["area"] == str(county.village.pk)
    sent = phone.post(
        "/report/",
        {
            "area": county.village.pk,
            "category": county.roads.pk,
            "title": "يول بۇزۇلدى",
            "description": "كەنت ئالدىدىكى يول بۇزۇلدى",
            "submission_key": form.context["form"].initial["submission_key"],
            "via": "qr",
        },
    )
    assert sent.status_code == 302
    assert Case.objects.get().language == "ug"


def test_a_language_link_on_a_staff_page_keeps_its_own_meaning(county):
    # ?lang=en on a poster download chooses the poster's language, not the staff's.
    response = staff_client(county.operator).get("/staff/posters/V1.pdf?lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_township_batch_has_one_page_per_village_in_code_order(county, community):
    response = staff_client(county.operator).get("/staff/posters/township/T1.pdf")
    assert response.status_code == 200
    assert page_count(response.content) == 2


@needs_pdftoppm
def test_each_page_of_the_township_batch_points_to_its_own_village(county, community, tmp_path):
    pdf = staff_client(county.supervisor).get("/staff/posters/township/T1.pdf").content
    assert decode_qr_codes(pdf, tmp_path, page=1) == [f"{PUBLIC_URL}/report/?area=V1&lang=zh-hans"]
    assert decode_qr_codes(pdf, tmp_path, page=2) == [f"{PUBLIC_URL}/report/?area=V3&lang=zh-hans"]


def test_sms_code_is_drawn_once_and_stays(county, community):
    first = AreaSmsCode.for_area(county.village).code
    render_posters([county.village, community])
    assert AreaSmsCode.for_area(county.village).code == first
    assert re.fullmatch(r"[1-9]\d{4}", first)
    assert AreaSmsCode.objects.get(area=community).code != first


def test_handlers_cannot_print_posters(county):
    client = staff_client(county.handler)
    assert client.get("/staff/posters/V1.pdf").status_code == 403
    assert client.get("/staff/posters/").status_code == 403


def test_supervisor_prints_only_inside_their_scope(county):
    client = staff_client(county.other_supervisor)
    assert client.get("/staff/posters/V1.pdf").status_code == 403
    assert client.get("/staff/posters/township/T1.pdf").status_code == 403
    assert client.get("/staff/posters/V2.pdf").status_code == 200


def test_residents_are_sent_to_the_login_page(county):
    response = Client().get("/staff/posters/V1.pdf")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_or_wrong_kind_of_area_is_not_found(county):
    client = staff_client(county.admin)
    assert client.get("/staff/posters/NOPE.pdf").status_code == 404
    assert client.get("/staff/posters/T1.pdf").status_code == 404  # a township: no poster
    assert client.get("/staff/posters/township/V1.pdf").status_code == 404


def test_poster_page_lists_the_villages_in_scope_with_links(county, community):
    response = staff_client(county.supervisor).get("/staff/posters/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/staff/posters/V1.pdf" in html
    assert "/staff/posters/V3.pdf" in html
    assert "/staff/posters/township/T1.pdf" in html
    assert "/staff/posters/V2.pdf" not in html  # the other township is not theirs
    assert 'href="/staff/posters/"' in html  # the navigation link


def test_operators_see_the_print_posters_link_and_handlers_do_not(county):
    assert "/staff/posters/" in staff_client(county.operator).get("/staff/queue/").content.decode()
    assert (
        "/staff/posters/" not in staff_client(county.handler).get("/staff/queue/").content.decode()
    )


def test_posters_command_writes_a_file_per_village_and_a_combined_one(county, community, tmp_path):
    out = io.StringIO()
    call_command("posters", township="T1", output=str(tmp_path), stdout=out)
    files = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert files == ["T1-all.pdf", "V1-柳树村.pdf", "V3-桃园社区.pdf"]
    assert page_count((tmp_path / "T1-all.pdf").read_bytes()) == 2
    assert page_count((tmp_path / "V1-柳树村.pdf").read_bytes()) == 1


def test_posters_command_prints_one_village(county, tmp_path):
    call_command("posters", area="V1", output=str(tmp_path), stdout=io.StringIO())
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["V1-柳树村.pdf"]


def test_posters_command_refuses_an_unknown_township(county, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no township"):
        call_command("posters", township="V1", output=str(tmp_path))


def test_poster_page_shows_every_villages_sms_code_before_any_poster_is_printed(county, community):
    html = staff_client(county.supervisor).get("/staff/posters/").content.decode()
    code = AreaSmsCode.objects.get(area=county.village).code
    assert f"SMS code {code}" in html
    # Printed later, the poster carries the same code.
    assert AreaSmsCode.for_area(county.village).code == code


def test_poster_page_warns_while_the_public_address_is_not_set(county, settings):
    settings.MINSHENG_PUBLIC_URL = "http://127.0.0.1:8000"
    settings.MINSHENG_PUBLIC_URL_SET = False
    html = staff_client(county.supervisor).get("/staff/posters/").content.decode()
    assert "residents' phones cannot open" in html and "MINSHENG_PUBLIC_URL" in html
    settings.MINSHENG_PUBLIC_URL = "https://12345.example.cn"
    settings.MINSHENG_PUBLIC_URL_SET = True
    html = staff_client(county.supervisor).get("/staff/posters/").content.decode()
    assert "MINSHENG_PUBLIC_URL" not in html
