"""Dry run, commit and idempotence of ledger import, on files with bad rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from minsheng.cases.models import Case, Channel, Status
from minsheng.contacts.models import Contact
from minsheng.directory.models import Area, AreaKind
from minsheng.intake.ledger import guess_mapping, open_ledger, row_key, run_import
from tests.factories import AreaFactory
from tests.intake.ledger_files import HEADERS, days_ago, good_rows, write_csv, write_xlsx


def do_import(path, user, *, dry_run, mapping=None, **kwargs):  # type: ignore[no-untyped-def]
    with translation.override("en"), open_ledger(path) as ledger:
        return run_import(
            ledger,
            user=user,
            mapping=mapping or guess_mapping(ledger.headers),
            dry_run=dry_run,
            **kwargs,
        )


def bad_rows() -> list[list[object]]:
    future = timezone.localdate() + dt.timedelta(days=5)
    return [
        [4, days_ago(9).isoformat(), "柳树村", "供水", "", "", ""],  # no description
        [5, days_ago(8).isoformat(), "桃花村", "供水", "桃花村停水", "", ""],  # unknown village
        [6, future.isoformat(), "柳树村", "供水", "明天的事", "", ""],  # future date
        [7, "上周三", "柳树村", "供水", "日期写错了", "", ""],  # unparseable date
        [8, days_ago(7).isoformat(), "柳树村", "供水", "电话写错了", "", "打不通"],  # bad phone
    ]


@pytest.fixture
def mixed_csv(tmp_path):  # type: ignore[no-untyped-def]
    return write_csv(tmp_path / "台账.csv", good_rows() + bad_rows())


def test_dry_run_reports_every_bad_row_with_its_reason_and_creates_nothing(county, mixed_csv):
    report = do_import(mixed_csv, county.operator, dry_run=True)

    assert Case.objects.count() == 0
    assert (report.rows, report.created, report.present) == (8, 3, 0)
    reasons = {p.number: " ".join(p.messages) for p in report.failed}
    assert sorted(reasons) == [5, 6, 7, 8, 9]  # CSV rows; the headings are row 1
    assert "description is empty" in reasons[5]
    assert "Unknown village or community “桃花村”" in reasons[6]
    assert "lies in the future" in reasons[7]
    assert "“上周三” is not a date" in reasons[8]
    assert "phone number is not valid" in reasons[9]
    assert [p.serial for p in report.failed] == ["4", "5", "6", "7", "8"]


def test_commit_records_the_good_rows_as_imported_cases(county, mixed_csv):
    report = do_import(mixed_csv, county.operator, dry_run=False)

    assert (report.created, report.present, len(report.failed)) == (3, 0, 5)
    cases = list(Case.objects.order_by("created_at"))
    assert [c.description for c in cases] == [
        "村东头水管漏水，已停水两天。",
        "村口路灯不亮。",
        "垃圾箱满了没人清运。",
    ]
    assert {c.channel for c in cases} == {Channel.IMPORT}
    assert {c.status for c in cases} == {Status.SUBMITTED}
    assert [c.area for c in cases] == [county.village, county.village, county.other_village]
    assert [c.category.code for c in cases] == ["water", "roads", "environment"]
    assert [timezone.localtime(c.created_at).date() for c in cases] == [
        days_ago(30),
        days_ago(20),
        days_ago(10),
    ]
    assert cases[0].created_by == county.operator
    assert cases[0].title == "村东头水管漏水，已停水两天。"
    contact = Contact.objects.get(case=cases[0])
    assert contact.reveal() == ("王大山", "13800138000")
    assert "13800138000" not in contact.phone_encrypted
    assert not Contact.objects.filter(case=cases[1]).exists()


def test_importing_the_same_file_twice_creates_nothing_new(county, mixed_csv):
    do_import(mixed_csv, county.operator, dry_run=False)
    again = do_import(mixed_csv, county.operator, dry_run=False)
    dry = do_import(mixed_csv, county.operator, dry_run=True)

    assert Case.objects.count() == 3
    assert (again.created, again.present) == (0, 3)
    assert (dry.created, dry.present) == (0, 3)


def test_a_resaved_copy_with_other_columns_order_and_cell_types_creates_nothing_new(
    county, tmp_path
):
    do_import(write_csv(tmp_path / "a.csv", good_rows()), county.operator, dry_run=False)
    # Saved again from Excel: columns moved, real dates, phone as a number, extra spaces.
    order = [4, 2, 0, 6, 1, 5, 3]
    rows = []
    for row, day in zip(good_rows(), [days_ago(30), days_ago(20), days_ago(10)], strict=True):
        row[1] = dt.datetime.combine(day, dt.time(0))
        row[4] = f" {row[4]} "
        row[6] = int(row[6]) if row[6] else None
        rows.append([row[i] for i in order])
    copy = write_xlsx(tmp_path / "b 副本.xlsx", rows, headers=[HEADERS[i] for i in order])

    report = do_import(copy, county.operator, dry_run=False)

    assert (report.created, report.present, report.failed) == (0, 3, [])
    assert Case.objects.count() == 3


def test_a_row_repeated_in_the_file_is_imported_once(county, tmp_path):
    rows = good_rows()[:1] * 2
    rows[1] = [9, *rows[1][1:]]  # another serial number, same request
    report = do_import(write_csv(tmp_path / "d.csv", rows), county.operator, dry_run=False)

    assert (report.created, report.present) == (1, 1)
    assert "Same as row 2" in " ".join(report.warned[0].messages)


def test_unknown_category_falls_back_to_other_with_a_warning_not_an_error(county, tmp_path):
    rows = [[1, days_ago(3).isoformat(), "柳树村", "邻里琐事", "说不清是什么问题", "", ""]]
    report = do_import(write_csv(tmp_path / "c.csv", rows), county.operator, dry_run=False)

    assert (report.created, report.failed) == (1, [])
    assert Case.objects.get().category.code == "other"
    assert "Unknown category “邻里琐事”" in report.warned[0].messages[0]


def test_categories_are_found_by_name_part_or_keyword(county, tmp_path):
    rows = [
        [1, "", "柳树村", "供水问题", "一", "", ""],
        [2, "", "柳树村", "道路", "二", "", ""],
        [3, "", "柳树村", "停电", "三", "", ""],
        [4, "", "柳树村", "water", "四", "", ""],
    ]
    do_import(write_csv(tmp_path / "c.csv", rows), county.operator, dry_run=False)
    by_text = {c.description: c.category.code for c in Case.objects.all()}
    assert by_text == {"一": "water", "二": "roads", "三": "energy", "四": "water"}


def test_merged_village_cells_in_xlsx_put_each_row_in_that_village(county, tmp_path):
    rows = [
        [1, days_ago(5).isoformat(), "石门村", "供水", "水压低"],
        [2, days_ago(5).isoformat(), None, "道路交通", "桥栏杆断了"],
        [3, days_ago(4).isoformat(), None, "环境卫生", "河边有垃圾"],
        [4, days_ago(4).isoformat(), "柳树村", "供水", "停水"],
    ]
    path = write_xlsx(
        tmp_path / "m.xlsx", rows, headers=HEADERS[:5], title="西山乡台账", merges=["C3:C5"]
    )
    report = do_import(path, county.operator, dry_run=False)

    assert (report.created, report.failed) == (4, [])
    villages = dict(Case.objects.values_list("description", "area__name"))
    assert villages == {
        "水压低": "石门村",
        "桥栏杆断了": "石门村",
        "河边有垃圾": "石门村",
        "停水": "柳树村",
    }


def test_the_same_rows_saved_as_csv_lose_merged_values_and_say_why(county, tmp_path):
    rows = [[1, "", "石门村", "供水", "水压低", "", ""], [2, "", "", "供水", "桥栏杆断了", "", ""]]
    report = do_import(write_csv(tmp_path / "m.csv", rows), county.operator, dry_run=True)
    assert [p.number for p in report.failed] == [3]
    assert "Merged cells" in report.failed[0].messages[0]


def test_rows_outside_the_users_area_fail_and_are_not_skipped_silently(county, mixed_csv):
    # The supervisor of 东湖镇 may record for 柳树村, not for 石门村 in 西山乡.
    report = do_import(mixed_csv, county.supervisor, dry_run=False)

    assert report.created == 2
    outside = [p for p in report.failed if p.serial == "3"]
    assert "outside your area" in outside[0].messages[0]
    assert not Case.objects.filter(area=county.other_village).exists()


def test_a_village_handler_imports_for_the_village_of_their_unit(county, tmp_path):
    report = do_import(write_csv(tmp_path / "h.csv", good_rows()), county.handler, dry_run=False)
    assert report.created == 2
    assert [p.serial for p in report.failed] == ["3"]


def test_rows_with_only_their_serial_number_are_skipped(county, tmp_path):
    rows = [*good_rows(), [4, "", "", "", "", "", ""], [5, "", "", "", "", "", ""]]
    report = do_import(write_csv(tmp_path / "t.csv", rows), county.operator, dry_run=True)
    assert (report.rows, report.created, report.failed) == (3, 3, [])


def test_a_ledger_without_village_column_uses_the_village_chosen_for_all_rows(county, tmp_path):
    rows = [[days_ago(2).isoformat(), "停水三天"], [days_ago(1).isoformat(), "路面塌陷"]]
    path = write_csv(tmp_path / "v.csv", rows, headers=["日期", "问题描述"])
    report = do_import(path, county.operator, dry_run=False, default_area=county.village)
    assert report.created == 2
    assert set(Case.objects.values_list("area", flat=True)) == {county.village.pk}


def test_village_written_with_its_township_or_its_code_is_found(county, tmp_path):
    rows = [
        [1, "", "东湖镇柳树村", "", "一", "", ""],
        [2, "", "西山乡/石门村", "", "二", "", ""],
        [3, "", "柳树", "", "三", "", ""],
        [4, "", "V2", "", "四", "", ""],
    ]
    do_import(write_csv(tmp_path / "p.csv", rows), county.operator, dry_run=False)
    assert dict(Case.objects.values_list("description", "area__code")) == {
        "一": "V1",
        "二": "V2",
        "三": "V1",
        "四": "V2",
    }


def test_villages_of_the_same_name_need_the_township(county, tmp_path):
    AreaFactory(name="柳树村", code="V9", kind=AreaKind.VILLAGE, parent=county.other_township)
    rows = [[1, "", "柳树村", "", "哪个柳树村？", "", ""]]
    report = do_import(write_csv(tmp_path / "a.csv", rows), county.operator, dry_run=True)
    assert "could be several places" in report.failed[0].messages[0]

    headers = ["序号", "乡镇", "村", "问题描述"]
    rows = [[1, "西山乡", "柳树村", "西山乡那个柳树村停水"]]
    report = do_import(
        write_csv(tmp_path / "b.csv", rows, headers=headers), county.operator, dry_run=False
    )
    assert report.failed == []
    assert Case.objects.get().area == Area.objects.get(code="V9")


def test_excel_dates_serial_numbers_and_chinese_dates_keep_the_ledger_day(county, tmp_path):
    day = days_ago(12)
    serial = (day - dt.date(1899, 12, 30)).days
    rows = [
        [1, dt.datetime.combine(day, dt.time(9, 30)), "柳树村", "", "真日期", "", ""],
        [2, serial, "柳树村", "", "序列号日期", "", ""],
        [3, f"{day.year}年{day.month}月{day.day}日", "柳树村", "", "中文日期", "", ""],
    ]
    do_import(write_xlsx(tmp_path / "d.xlsx", rows), county.operator, dry_run=False)
    for case in Case.objects.all():
        assert timezone.localtime(case.created_at).date() == day, case.description


def test_rows_without_a_date_are_raised_at_import_time(county, tmp_path):
    rows = [[1, "", "柳树村", "", "没写日期", "", ""]]
    before = timezone.now()
    do_import(write_csv(tmp_path / "n.csv", rows), county.operator, dry_run=False)
    assert Case.objects.get().created_at >= before


def test_handling_notes_are_added_to_the_description(county, tmp_path):
    headers = ["村", "问题描述", "办理情况"]
    rows = [["柳树村", "水管漏水", "已联系自来水公司"]]
    do_import(write_csv(tmp_path / "h.csv", rows, headers=headers), county.operator, dry_run=False)
    description = Case.objects.get().description
    assert description.startswith("水管漏水\n\n")
    assert description.endswith("已联系自来水公司")


def test_report_excerpts_never_carry_the_phone_typed_into_the_description(county, tmp_path):
    rows = [[1, "上周三", "柳树村", "", "请回电，13912345678", "", ""]]
    report = do_import(write_csv(tmp_path / "e.csv", rows), county.operator, dry_run=True)
    assert "13912345678" not in report.failed[0].excerpt
    assert "请回电，" in report.failed[0].excerpt


def test_the_idempotency_key_is_keyed_by_the_installation_secret(settings):
    # An unkeyed hash of a row would let anyone holding the case guess the phone number.
    parts = {"description": "停水", "area": "1", "contact_phone": "13800138000"}
    first = row_key(parts)
    assert first.startswith("ledger:") and len(first) <= 64
    settings.SECRET_KEY = "another installation"
    assert row_key(parts) != first
