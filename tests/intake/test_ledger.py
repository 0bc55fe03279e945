"""Reading ledgers as work teams keep them: headings, encodings, separators, merged cells,
dates, and the column mapping guessed from usual Chinese headings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from openpyxl import Workbook

from minsheng.intake.ledger import (
    BadDate,
    LedgerError,
    apply_overrides,
    check_mapping,
    guess_mapping,
    open_ledger,
    parse_ledger_date,
)
from tests.intake.ledger_files import HEADERS, good_rows, write_csv, write_xlsx


def test_mapping_guesses_the_usual_chinese_ledger_headings():
    headers = [
        "序号",
        "反映时间",
        "反映人",
        "联系电话",
        "村（社区）",
        "问题类别",
        "诉求内容",
        "标题",
        "地址",
        "办理情况",
        "备注",
    ]
    assert guess_mapping(headers) == {
        "serial": "序号",
        "date": "反映时间",
        "township": None,
        "area": "村（社区）",
        "category": "问题类别",
        "title": "标题",
        "description": "诉求内容",
        "address": "地址",
        "contact_name": "反映人",
        "contact_phone": "联系电话",
        "handling": "办理情况",
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("日期", "date"),
        ("登记日期", "date"),
        ("村", "area"),
        ("社区", "area"),
        ("村组", "area"),
        ("村/社区", "area"),
        ("问题类型", "category"),
        ("类别", "category"),
        ("问题描述", "description"),
        ("反映内容", "description"),
        ("反映人联系电话", "contact_phone"),
        ("乡镇（街道）", "township"),
    ],
)
def test_each_usual_heading_maps_to_its_field(header, field):
    assert guess_mapping(["序号", header])[field] == header


def test_heading_row_is_found_below_a_merged_title_row(tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", good_rows(), title="东湖镇2026年群众反映问题台账")
    with open_ledger(path) as ledger:
        assert ledger.headers == HEADERS
        assert ledger.header_row == 2
        rows = list(ledger.rows)
    assert [number for number, _values in rows] == [3, 4, 5]
    assert rows[0][1][4] == "村东头水管漏水，已停水两天。"


def test_merged_village_cell_gives_its_value_to_every_row_of_the_range(tmp_path):
    rows = [
        [1, "2026-01-05", "柳树村", "供水", "停水"],
        [2, "2026-01-06", None, "道路交通", "路灯坏了"],
        [3, "2026-01-07", None, "环境卫生", "垃圾没人清"],
        [4, "2026-01-08", "石门村", "供水", "水压低"],
    ]
    path = write_xlsx(tmp_path / "m.xlsx", rows, headers=HEADERS[:5], merges=["C2:C4"])
    with open_ledger(path) as ledger:
        villages = [values[2] for _n, values in ledger.rows]
        assert ledger.merged_ranges == 1
    assert villages == ["柳树村", "柳树村", "柳树村", "石门村"]


@pytest.mark.parametrize(
    ("encoding", "shown"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8 (BOM)"),
        ("gbk", "GB18030/GBK"),
        ("gb18030", "GB18030/GBK"),
        ("utf-16", "UTF-16"),
        ("utf-16-le", "UTF-16"),
    ],
)
def test_csv_in_each_usual_encoding_reads_the_same(tmp_path, encoding, shown):
    path = write_csv(tmp_path / "l.csv", good_rows(), encoding=encoding)
    with open_ledger(path) as ledger:
        assert ledger.encoding == shown
        assert ledger.headers == HEADERS
        rows = [values for _n, values in ledger.rows]
    assert rows[0][2:5] == ["柳树村", "供水", "村东头水管漏水，已停水两天。"]
    assert len(rows) == 3


def test_excel_unicode_text_is_utf16_separated_by_tabs(tmp_path):
    path = write_csv(tmp_path / "l.txt", good_rows(), encoding="utf-16", delimiter="\t")
    with open_ledger(path) as ledger:
        assert (ledger.encoding, ledger.delimiter) == ("UTF-16", "\t")
        assert [values[2] for _n, values in ledger.rows] == ["柳树村", "柳树村", "石门村"]


def test_semicolon_separated_csv_with_commas_inside_quotes(tmp_path):
    rows = [[1, "2026-01-05", "柳树村", "供水", "停水, 两天了", "", ""]]
    path = write_csv(tmp_path / "l.csv", rows, delimiter=";")
    with open_ledger(path) as ledger:
        assert ledger.delimiter == ";"
        assert next(ledger.rows)[1][4] == "停水, 两天了"


def test_old_binary_xls_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with translation.override("en"), pytest.raises(LedgerError, match="xlsx or CSV"):
        with open_ledger(path):
            pass


def test_text_in_no_known_encoding_is_refused(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(b"\x81\xff\x80" * 101)
    with translation.override("en"), pytest.raises(LedgerError, match="encoding"):
        with open_ledger(path):
            pass


def test_damaged_xlsx_is_refused(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a zip" * 10)
    with translation.override("en"), pytest.raises(LedgerError, match="Excel file"):
        with open_ledger(path):
            pass


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with translation.override("en"), pytest.raises(LedgerError, match="no rows"):
        with open_ledger(path):
            pass


def test_missing_description_column_is_a_clear_error_naming_the_columns():
    headers = ["序号", "日期", "村"]
    with translation.override("en"), pytest.raises(LedgerError) as caught:
        check_mapping(headers, guess_mapping(headers))
    assert "description" in str(caught.value.message)
    assert "序号, 日期, 村" in str(caught.value.message)


def test_missing_village_column_is_an_error_unless_a_village_is_chosen_for_all_rows(county):
    headers = ["日期", "问题描述"]
    with translation.override("en"), pytest.raises(LedgerError, match="village"):
        check_mapping(headers, guess_mapping(headers))
    assert check_mapping(headers, guess_mapping(headers), default_area=county.village)


def test_overrides_map_by_heading_or_column_letter_and_refuse_unknown_columns():
    headers = ["编号", "情况", "村"]
    mapping = apply_overrides(headers, guess_mapping(headers), ["description=B"])
    assert mapping["description"] == "情况"
    mapping = apply_overrides(headers, mapping, ["serial="])
    assert mapping["serial"] is None
    with translation.override("en"), pytest.raises(LedgerError, match="no column “说明”"):
        apply_overrides(headers, mapping, ["description=说明"])


def test_other_sheets_are_read_by_name(tmp_path):
    workbook = Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["本台账由村委会填写"])
    sheet = workbook.create_sheet("十一月")
    sheet.append(HEADERS)
    sheet.append(good_rows()[0])
    workbook.save(tmp_path / "two.xlsx")
    with open_ledger(tmp_path / "two.xlsx", sheet="十一月") as ledger:
        assert ledger.sheets == ["说明", "十一月"]
        assert ledger.headers == HEADERS
    with translation.override("en"), pytest.raises(LedgerError, match="no sheet"):
        with open_ledger(tmp_path / "two.xlsx", sheet="十二月"):
            pass


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-03", dt.datetime(2026, 11, 3)),
        ("2026/11/3", dt.datetime(2026, 11, 3)),
        ("2026.11.03", dt.datetime(2026, 11, 3)),
        ("20261103", dt.datetime(2026, 11, 3)),
        ("2026年11月3日", dt.datetime(2026, 11, 3)),
        ("2026年11月3号", dt.datetime(2026, 11, 3)),
        ("2026年11月3日 14时30分", dt.datetime(2026, 11, 3, 14, 30)),
        ("2026-11-03 14:30", dt.datetime(2026, 11, 3, 14, 30)),
        ("２０２６－１１－０３", dt.datetime(2026, 11, 3)),
        (46329, dt.datetime(2026, 11, 3)),
        ("46329", dt.datetime(2026, 11, 3)),
        (46329.5, dt.datetime(2026, 11, 3, 12, 0)),
        (dt.date(2026, 11, 3), dt.datetime(2026, 11, 3)),
        (dt.datetime(2026, 11, 3, 9, 15), dt.datetime(2026, 11, 3, 9, 15)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_the_usual_ledger_formats(value, expected):
    assert parse_ledger_date(value) == expected


@pytest.mark.parametrize("value", ["上周三", "2026-13-01", "2026年2月30日", "11/3", "明天"])
def test_what_is_not_a_date_is_refused(value):
    with pytest.raises(BadDate):
        parse_ledger_date(value)


def test_merged_cells_are_read_from_the_chosen_sheet(tmp_path):
    workbook = Workbook()
    workbook.active.title = "封面"
    workbook.active.append(["本台账由村委会填写"])
    workbook.active.merge_cells("A1:C1")
    sheet = workbook.create_sheet("台账")
    sheet.append(HEADERS[:5])
    sheet.append([1, "2026-01-05", "石门村", "供水", "水压低"])
    sheet.append([2, "2026-01-06", None, "供水", "停水"])
    sheet.merge_cells("C2:C3")
    workbook.save(tmp_path / "two.xlsx")
    with open_ledger(tmp_path / "two.xlsx", sheet="台账") as ledger:
        assert [values[2] for _n, values in ledger.rows] == ["石门村", "石门村"]
