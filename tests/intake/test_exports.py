"""Exports of cases to CSV and Excel: the user's scope only, never contact details."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from minsheng.cases import actions
from minsheng.cases.models import Case, Status
from minsheng.intake import exports

PHONE = "13912345678"
NAME = "王小明"


@pytest.fixture
def cases(county, submit):  # type: ignore[no-untyped-def]
    """Two cases in 柳树村 (one with contact details, dispatched to the village), one in
    石门村 — each township's staff see only their own."""
    mine = submit(contact_name=NAME, contact_phone=PHONE)
    actions.dispatch_case(actor=county.operator, case=mine, unit=county.village_unit)
    other_here = submit(title="路灯不亮", description="柳树村村口路灯不亮。")
    elsewhere = submit(
        title="石门村停水", description="石门村停水三天。", area=county.other_village
    )
    return {"mine": mine, "other_here": other_here, "elsewhere": elsewhere}


def english_csv(user) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with translation.override("en"):
        exports.write_csv(exports.export_cases(user=user), out)
    return out.getvalue()


def codes_in_csv(raw: bytes) -> set[str]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return {row[0] for row in rows[1:]}


def test_each_role_exports_exactly_the_cases_it_may_see(county, cases):
    code = {key: case.tracking_code for key, case in cases.items()}
    assert codes_in_csv(english_csv(county.admin)) == set(code.values())
    assert codes_in_csv(english_csv(county.operator)) == set(code.values())
    assert codes_in_csv(english_csv(county.supervisor)) == {code["mine"], code["other_here"]}
    assert codes_in_csv(english_csv(county.other_supervisor)) == {code["elsewhere"]}
    # Handlers see what their unit holds.
    assert codes_in_csv(english_csv(county.handler)) == {code["mine"]}
    assert codes_in_csv(english_csv(county.other_handler)) == set()


def test_csv_starts_with_a_bom_and_never_holds_contact_details(county, cases):
    raw = english_csv(county.admin)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert PHONE.encode() not in raw
    assert NAME.encode() not in raw
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:4] == ["Tracking code", "Raised at", "Status", "Category"]
    assert not any("phone" in h.lower() or "contact" in h.lower() for h in header)


def test_numbers_typed_into_a_cases_words_are_masked_in_the_file(county, submit):
    # A file travels by e-mail or on a stick; the case page keeps the words behind a login.
    submit(title="停水，电话139 1234 5678", description="我叫王建国，身份证110101199003071234。")
    raw = english_csv(county.admin).decode("utf-8-sig")
    for secret in ("139 1234 5678", "110101199003071234", "王建国"):
        assert secret not in raw
    assert "停水" in raw


def test_csv_rows_carry_the_case_facts(county, cases):
    raw = english_csv(county.handler)
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    values = dict(zip(header, row, strict=True))
    case = Case.objects.get(pk=cases["mine"].pk)
    assert values["Tracking code"] == case.tracking_code
    assert values["Status"] == "dispatched"
    assert values["Area"] == "青河县 / 东湖镇 / 柳树村"
    assert values["Current unit"] == "柳树村委会"
    assert values["Deadline"] == timezone.localtime(case.deadline).strftime("%Y-%m-%d %H:%M")
    assert values["Overdue"] == "no"
    assert values["Description"] == "柳树村村口的水管破了，已经停水两天。"


def test_xlsx_opens_with_the_right_header_and_no_contact_details(county, cases, tmp_path):
    path = tmp_path / "cases.xlsx"
    with translation.override("en"):
        count = exports.write_xlsx(exports.export_cases(user=county.admin), str(path))
        expected_header = exports.columns()
    assert count == 3

    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == expected_header
    assert len(rows) == 4
    cells = [str(value) for row in rows for value in row if value is not None]
    assert not any(PHONE in cell or NAME in cell for cell in cells)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert PHONE.encode() not in data and NAME.encode() not in data, name
    raised = rows[1][1]
    assert isinstance(raised, dt.datetime)  # a real date Excel can sort and filter


def test_text_that_looks_like_a_formula_stays_text(county, submit, tmp_path):
    submit(title='=HYPERLINK("http://x")', description="=1+1 是公式吗")
    raw = english_csv(county.admin)
    assert b"'=HYPERLINK" in raw
    path = tmp_path / "f.xlsx"
    exports.write_xlsx(exports.export_cases(user=county.admin), str(path))
    sheet = load_workbook(path).active
    assert sheet.cell(row=2, column=11).data_type == "s"
    assert sheet.cell(row=2, column=11).value == '=HYPERLINK("http://x")'


def test_filters_narrow_by_status_category_area_and_date(county, cases):
    def codes(**filters) -> set[str]:  # type: ignore[no-untyped-def]
        qs = exports.export_cases(user=county.admin, filters=exports.ExportFilters(**filters))
        return set(qs.values_list("tracking_code", flat=True))

    code = {key: case.tracking_code for key, case in cases.items()}
    assert codes(status=Status.DISPATCHED) == {code["mine"]}
    assert codes(area=county.other_township) == {code["elsewhere"]}
    assert codes(category=county.water) == set()
    assert codes(category=county.roads) == set(code.values())
    today = timezone.localdate()
    assert codes(date_from=today, date_to=today) == set(code.values())
    assert codes(date_to=today - dt.timedelta(days=1)) == set()


def test_the_rating_column_shows_the_latest_rating(county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="修好了")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=2, is_solved=False)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="这次真修好了")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)
    header, row = list(csv.reader(io.StringIO(english_csv(county.admin).decode("utf-8-sig"))))
    values = dict(zip(header, row, strict=True))
    assert (values["Latest rating"], values["Resolution"]) == ("5", "这次真修好了")


# --- the staff page ----------------------------------------------------------------------


def staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_export_page_offers_filters_and_both_formats(county):
    html = staff_client(county.handler).get("/staff/export/").content.decode()
    assert 'name="status"' in html and 'name="date_from"' in html
    assert 'value="csv"' in html and 'value="xlsx"' in html


def test_csv_download_streams_the_handlers_cases_only(county, cases):
    response = staff_client(county.handler).get("/staff/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert codes_in_csv(raw) == {cases["mine"].tracking_code}
    assert PHONE.encode() not in raw


def test_xlsx_download_with_a_filter(county, cases, tmp_path):
    response = staff_client(county.operator).get(
        "/staff/export/", {"format": "xlsx", "area": county.other_village.pk}
    )
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    path = tmp_path / "d.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == [cases["elsewhere"].tracking_code]


def test_an_area_outside_the_users_scope_cannot_be_chosen(county, cases):
    response = staff_client(county.supervisor).get(
        "/staff/export/", {"format": "csv", "area": county.other_village.pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_reversed_dates_are_refused(county):
    response = staff_client(county.operator).get(
        "/staff/export/", {"format": "csv", "date_from": "2026-03-01", "date_to": "2026-02-01"}
    )
    assert response.status_code == 400
    assert "The end date lies before the start date." in response.content.decode()


def test_export_needs_a_staff_login(county):
    response = Client().get("/staff/export/", {"format": "csv"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
