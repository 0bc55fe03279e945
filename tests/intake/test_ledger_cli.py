"""`minsheng import` and `minsheng export`, run as an operator would from the shell.

Management commands close database connections when they finish, so these tests commit for
real (committed_county) instead of running inside one transaction.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from minsheng.cases.models import Case, Channel
from minsheng.cli import main
from tests.intake.ledger_files import good_rows, write_csv, write_xlsx


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def test_dry_run_prints_the_mapping_progress_and_failing_rows_and_records_nothing(
    committed_county, tmp_path, capsys
):
    bad = [[4, "2026-99-01", "柳树村", "供水", "日期错", "", ""]]
    path = write_csv(tmp_path / "台账.csv", good_rows() + bad, encoding="gbk")

    assert main(["import", str(path), "--user", "operator", "--dry-run"]) == 0

    out, err = capsys.readouterr()
    assert "GB18030/GBK" in out
    assert "(description) ← 反映内容" in out
    assert "(contact_phone) ← 联系电话" in out
    assert "4 rows: 3 recorded, 0 imported before, 1 not imported." in out
    assert "row 5 (4):" in out and "“2026-99-01” is not a date" in out
    assert "Dry run: nothing was recorded." in out
    assert "rows=" not in out and "created=" not in out  # words, not script counters
    assert "4/4" in err  # the progress bar reached the end
    assert Case.objects.count() == 0


def test_commit_creates_the_cases_and_a_second_run_creates_none(committed_county, tmp_path, capsys):
    path = write_xlsx(tmp_path / "ledger.xlsx", good_rows())

    assert main(["import", str(path), "--user", "operator"]) == 0
    assert "3 rows: 3 recorded, 0 imported before, 0 not imported." in capsys.readouterr().out
    assert Case.objects.filter(channel=Channel.IMPORT).count() == 3

    assert main(["import", str(path), "--user", "operator"]) == 0
    assert "3 rows: 0 recorded, 3 imported before, 0 not imported." in capsys.readouterr().out
    assert Case.objects.count() == 3


def test_a_failed_row_in_a_commit_exits_with_status_1(committed_county, tmp_path, capsys):
    path = write_csv(tmp_path / "l.csv", [*good_rows(), [4, "", "无名村", "", "在哪", "", ""]])
    with pytest.raises(SystemExit) as exited:
        main(["import", str(path), "--user", "operator"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "Unknown village or community “无名村”" in captured.out
    assert "4 rows: 3 recorded, 0 imported before, 1 not imported." in captured.out
    assert Case.objects.count() == 3


def test_map_option_overrides_the_guess(committed_county, tmp_path, capsys):
    headers = ["编号", "村", "情况说明"]
    path = write_csv(tmp_path / "l.csv", [[1, "柳树村", "停水"]], headers=headers)

    assert main(["import", str(path), "--user", "operator", "--map", "description=情况说明"]) == 0
    assert Case.objects.get().description == "停水"


def test_missing_description_column_stops_with_a_clear_error(committed_county, tmp_path, capsys):
    path = write_csv(tmp_path / "l.csv", [[1, "柳树村", "停水"]], headers=["编号", "村", "情况"])
    with pytest.raises(SystemExit) as exited:
        main(["import", str(path), "--user", "operator"])
    assert exited.value.code == 1
    assert "No column is mapped to the description" in capsys.readouterr().err
    assert Case.objects.count() == 0


def test_unknown_user_is_refused(committed_county, tmp_path, capsys):
    path = write_csv(tmp_path / "l.csv", good_rows())
    with pytest.raises(SystemExit):
        main(["import", str(path), "--user", "nobody"])
    assert "No active staff user" in capsys.readouterr().err


def test_export_command_writes_the_users_cases_without_contacts(committed_county, tmp_path):
    main(["import", str(write_csv(tmp_path / "l.csv", good_rows())), "--user", "operator"])
    out = tmp_path / "cases.csv"

    assert main(["export", "--user", "supervisor", "--format", "csv", "-o", str(out)]) == 0

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"13800138000" not in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    # The supervisor of 东湖镇 sees 柳树村's two cases, not 石门村's.
    assert len(rows) == 3
    assert {row[4] for row in rows[1:]} == {"青河县 / 东湖镇 / 柳树村"}


def test_export_command_writes_excel(committed_county, tmp_path):
    from openpyxl import load_workbook

    main(["import", str(write_csv(tmp_path / "l.csv", good_rows())), "--user", "operator"])
    out = tmp_path / "cases.xlsx"
    assert main(["export", "--user", "admin", "--format", "xlsx", "-o", str(out)]) == 0
    sheet = load_workbook(out, read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 4


def test_area_option_sets_the_village_of_a_ledger_without_village_column(
    committed_county, tmp_path, capsys
):
    path = write_csv(tmp_path / "l.csv", [["2026-01-05", "停水"]], headers=["日期", "问题描述"])
    assert main(["import", str(path), "--user", "operator", "--area", "石门村"]) == 0
    assert Case.objects.get().area == committed_county.other_village
