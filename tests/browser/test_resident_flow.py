"""A resident on a 360-px phone: report, read the code, follow the case, rate it closed."""

from __future__ import annotations

import re

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case, Status

pytestmark = pytest.mark.browser


def test_resident_reports_follows_and_rates_a_case_on_a_phone(new_page, county, tmp_path):
    page = new_page()
    page.goto(f"/report/?area={county.village.code}")
    assert page.locator("#id_area").input_value() == str(county.village.pk)
    page.select_option("#id_category", str(county.water.pk))
    page.fill("#id_description", "柳树村村口的水管破了，已经停水两天。")
    page.fill("#id_contact_name", "李明")
    page.fill("#id_contact_phone", "13700001111")
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    page.get_by_role("button", name="Send my report").click()

    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"MS[0-9A-Z]{8}", code)
    page.screenshot(path=tmp_path / "submitted.png", full_page=True)
    # Nothing on a 360-px phone may need sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="Follow my case").last.click()
    assert page.locator(".badge").inner_text() == "submitted"
    assert "13700001111" not in page.content() and "李明" not in page.content()

    case = Case.objects.get(tracking_code=code)
    assert case.channel == "qr"
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="更换了村口的水管")

    page.reload()
    assert page.locator(".badge").inner_text() == "resolved"
    # Tap the fifth star and the "solved" box, as a thumb would.
    page.locator("label.r-star", has_text="5 stars").click()
    page.locator("label.r-choice", has_text="Yes, it is solved").click()
    assert page.get_by_label("5 stars").is_checked()
    page.screenshot(path=tmp_path / "rating.png", full_page=True)
    page.get_by_role("button", name="Send my rating").click()

    assert page.locator(".badge").inner_text() == "closed"
    assert page.get_by_text("This case is closed.").is_visible()
    page.screenshot(path=tmp_path / "closed.png", full_page=True)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.feedback.get().rating == 5


def test_resident_switches_the_report_page_to_uyghur_and_it_reads_right_to_left(
    new_page, county, tmp_path
):
    page = new_page(language="en")
    page.goto("/report/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.select_option("#lang-select", "ug")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url("**/report/")
    assert page.locator("html").get_attribute("lang") == "ug"
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The category names come in Uyghur too.
    assert "سۇ تەمىنلەش" in page.locator("#id_category").inner_text()
    page.screenshot(path=tmp_path / "report-ug.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_what_a_resident_typed_survives_switching_the_language(new_page, county):  # type: ignore[no-untyped-def]
    page = new_page(language="zh-hans")
    page.goto("/report/")
    page.select_option("#id_area", str(county.village.pk))
    page.select_option("#id_category", str(county.water.pk))
    page.fill("#id_description", "三组水塔漏水，已经两天了。")
    page.fill("#id_contact_phone", "13900001111")
    page.select_option("#lang-select", "ug")
    page.locator("form.lang button").click()
    page.wait_for_url("**/report/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#id_description").input_value() == "三组水塔漏水，已经两天了。"
    assert page.locator("#id_area").input_value() == str(county.village.pk)
    assert page.locator("#id_category").input_value() == str(county.water.pk)
    # Contact details are not carried over: they stay only where the resident typed them,
    # and the page asks for them again.
    assert page.locator("#id_contact_phone").input_value() == ""
    assert page.locator("[data-contact-again]").is_visible()
    # Kept for that one reload only.
    page.reload()
    assert page.locator("#id_description").input_value() == ""


def test_a_long_description_says_how_many_characters_are_left(new_page, county):
    page = new_page(language="zh-hans")
    page.goto("/report/")
    counter = page.locator(".r-count")
    page.fill("#id_description", "水" * 100)
    assert not counter.is_visible()  # far from the limit: nothing to say
    page.fill("#id_description", "水" * 3600)
    assert counter.is_visible() and counter.inner_text() == "还可输入字数：400"
    page.fill("#id_description", "水" * 5000)  # a long paste stops at the limit, and says so
    assert counter.inner_text() == "还可输入字数：0"
