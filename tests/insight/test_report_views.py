"""The monthly report from the dashboard button and from the `minsheng report` command line:
who may have which area's report, and what a bad request gets."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.cli import main
from minsheng.insight.report import last_complete_month

MONTH = f"{timezone.localdate():%Y-%m}"


@pytest.fixture
def cases(county, submit, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        submit(title="村口路灯不亮")
        submit(area=county.other_village, title="石门村停水")


def _get(client, user, **query):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get("/staff/dashboard/report/", query, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_a_supervisor_downloads_the_pdf_of_their_township_under_its_chinese_name(
    client, county, cases
):  # type: ignore[no-untyped-def]
    response = _get(client, county.supervisor, month=MONTH, format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote(f'东湖镇-{MONTH}-')}" in disposition
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_administrator_downloads_the_workbook_of_any_area(client, county, cases):  # type: ignore[no-untyped-def]
    response = _get(client, county.admin, month=MONTH, format="xlsx", area=county.other_township.pk)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.worksheets[0].cell(row=2, column=1).value.startswith("青河县 / 西山乡")
    rows = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]}
    assert rows["反映诉求数"] == 1  # only the other township's case


def test_a_supervisor_cannot_have_the_report_of_an_area_outside_their_scope(client, county, cases):  # type: ignore[no-untyped-def]
    response = _get(client, county.supervisor, month=MONTH, area=county.other_township.pk)
    assert response.status_code == 404
    # Nor of the whole installation, which only administrators see.
    assert _get(client, county.supervisor, month=MONTH).status_code == 200
    response = _get(client, county.supervisor, month=MONTH, area=county.county.pk)
    assert response.status_code == 404


def test_a_unit_handler_has_no_area_report(client, county, cases):  # type: ignore[no-untyped-def]
    assert _get(client, county.handler, month=MONTH).status_code == 403
    assert _get(client, county.other_handler, month=MONTH).status_code == 403


def test_a_bad_month_returns_to_the_dashboard_with_a_clear_message(client, county):  # type: ignore[no-untyped-def]
    client.force_login(county.supervisor)
    response = client.get(
        "/staff/dashboard/report/",
        {"month": "2026-13", "format": "pdf"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/staff/dashboard/")
    assert "“2026-13” is not a month like 2026-10." in response.content.decode()


def test_the_dashboard_offers_the_report_of_the_area_shown(client, county, cases):  # type: ignore[no-untyped-def]
    client.force_login(county.admin)
    html = client.get(
        f"/staff/dashboard/?area={county.township.pk}&period=last_month",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert 'action="/staff/dashboard/report/"' in html
    assert f'name="area" value="{county.township.pk}"' in html
    assert f'name="month" value="{last_complete_month():%Y-%m}"' in html
    assert 'name="format" value="xlsx"' in html


# The command line closes database connections when it ends: these tests commit for real.
def test_the_command_line_fails_with_a_message_on_a_bad_month(committed_county, tmp_path, capsys):  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--month", "2026-13", "--out", str(tmp_path), "--language", "en"])
    assert exit_.value.code != 0
    assert "“2026-13” is not a month like 2026-10." in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--area", "nowhere", "--out", str(tmp_path), "--language", "en"])
    assert exit_.value.code != 0
    assert "No area called “nowhere”." in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_writes_the_report_and_prints_its_path(committed_county, tmp_path, capsys):  # type: ignore[no-untyped-def]
    assert main(["report", "--area", "V1", "--month", MONTH, "--format", "pdf",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    (written,) = tmp_path.iterdir()
    assert capsys.readouterr().out.strip() == str(written)
    assert written.name.startswith(f"柳树村-{MONTH}-") and written.suffix == ".pdf"


def test_a_uyghur_reader_gets_the_pdf_and_the_workbook_in_uyghur(client, county, cases):  # type: ignore[no-untyped-def]
    client.force_login(county.supervisor)
    pdf = client.get(
        "/staff/dashboard/report/", {"month": MONTH, "format": "pdf"}, HTTP_ACCEPT_LANGUAGE="ug"
    )
    assert quote("ئايلىق_دوكلات") in pdf["Content-Disposition"]
    assert b"/Lang (ug)" in b"".join(pdf.streaming_content)
    workbook = client.get(
        "/staff/dashboard/report/", {"month": MONTH, "format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="ug"
    )
    book = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)))
    labels = [row[0] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]]
    assert any("ئىلتىماس" in str(label) for label in labels)
    # The workbook reads from right to left, as Uyghur does.
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
