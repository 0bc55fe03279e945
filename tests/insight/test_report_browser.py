"""A township supervisor on a phone downloads last month's report from the dashboard."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from minsheng.insight.report import last_complete_month
from tests.browser.conftest import (  # noqa: F401 - the fixtures
    PHONE,
    browser,
    release_live_server_connections,
)

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password


@pytest.fixture
def page(browser, live_server, committed_county, release_live_server_connections):  # type: ignore[no-untyped-def]  # noqa: F811
    """A phone-sized page on the live server. The test commits for real (committed_county)
    rather than relying on a serialized rollback, so it may run after other committing
    tests."""
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, extra_http_headers={"Accept-Language": "en"}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_supervisor_downloads_the_report_of_the_month_on_screen(page, tmp_path):  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/staff/dashboard/?period=last_month")
    month = page.get_by_label("Month", exact=True)
    assert month.input_value() == f"{last_complete_month():%Y-%m}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    pdf = download.value
    assert pdf.suggested_filename.startswith(f"东湖镇-{last_complete_month():%Y-%m}-")
    assert pdf.suggested_filename.endswith(".pdf")
    pdf.save_as(tmp_path / "report.pdf")
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel (.xlsx)").click()
    download.value.save_as(tmp_path / "report.xlsx")
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.worksheets[0].cell(row=2, column=1).value.startswith("青河县 / 东湖镇")
