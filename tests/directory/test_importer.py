"""A county's reference data from one workbook: checked whole, written only when all is
well, safe to import again."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from minsheng.accounts.models import User
from minsheng.directory.importer import import_directory, template_workbook
from minsheng.directory.models import Area, Category, RoutingRule, Unit
from minsheng.directory.selectors import route_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():  # type: ignore[no-untyped-def]
    # The problems are worded in the active language; these tests read English.
    with translation.override("en"):
        yield


AREA_HEAD = ["编码", "名称", "英文名称", "维吾尔文名称", "类型", "上级编码"]
UNIT_HEAD = ["编码", "名称", "层级", "上级单位编码", "负责区域编码", "启用"]
RULE_HEAD = ["类别", "区域编码", "承办单位编码"]
ACCOUNT_HEAD = ["用户名", "显示名称", "角色", "承办单位编码", "管辖区域编码"]


def workbook(**sheets: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def county_file(**changes: list[list[object]]) -> io.BytesIO:
    sheets = {
        # Villages before their township, the township before the county: any order works.
        "区域": [
            AREA_HEAD,
            ["TJ0101", "红星村", "Hongxing Village", "خوڭشىڭ كەنتى", "村", "TJ01"],
            ["TJ0102", "幸福村", "", "", "village", "TJ01"],
            ["TJ01", "东风乡", "Dongfeng", "", "乡镇", "TJ"],
            ["TJ", "团结县", "Tuanjie County", "", "county", ""],
        ],
        "承办单位": [
            UNIT_HEAD,
            ["TJ-XF", "东风乡人民政府", "乡镇级", "TJ-ZF", "TJ01", "是"],
            ["TJ-SLJ", "团结县水利局", "县级", "TJ-ZF", "TJ", ""],
            ["TJ-ZF", "团结县人民政府", "县级", "", "TJ", ""],
        ],
        "分派规则": [
            RULE_HEAD,
            ["", "TJ01", "TJ-XF"],
            ["供水", "TJ01", "TJ-SLJ"],
        ],
        "账号": [
            ACCOUNT_HEAD,
            ["caozuo", "受理员小李", "受理员", "", "TJ"],
            ["shuili", "水利局王工", "承办人", "TJ-SLJ", ""],
            ["dudu", "", "督办员", "", "TJ01"],
        ],
    }
    sheets.update(changes)
    return workbook(**sheets)


def test_a_county_comes_in_whole_from_one_workbook() -> None:
    result = import_directory(county_file())

    assert result.ok, result.problems
    assert result.created == {"areas": 4, "units": 3, "rules": 2, "accounts": 3}
    village = Area.objects.get(code="TJ0101")
    assert village.parent.code == "TJ01" and village.parent.parent.code == "TJ"
    assert village.path.startswith(Area.objects.get(code="TJ").path)
    with translation.override("ug"):
        assert village.label == "خوڭشىڭ كەنتى"
    township_office = Unit.objects.get(code="TJ-XF")
    assert township_office.parent.code == "TJ-ZF" and township_office.level == 2
    assert [a.code for a in township_office.areas.all()] == ["TJ01"]
    # The rules route as the county meant: water to the bureau, the rest to the township.
    water = Category.objects.get(code="water")
    assert route_case(category=water, area=village).code == "TJ-SLJ"
    assert route_case(category=None, area=village).code == "TJ-XF"
    # Accounts with their roles, units and areas, and a first password that works.
    shuili = User.objects.get(username="shuili")
    assert (shuili.role, [u.code for u in shuili.units.all()]) == ("handler", ["TJ-SLJ"])
    assert User.objects.get(username="dudu").scope_area.code == "TJ01"
    assert set(result.passwords) == {"caozuo", "shuili", "dudu"}
    assert authenticate(username="shuili", password=result.passwords["shuili"]) == shuili


def test_any_problem_is_reported_with_its_row_and_nothing_is_written() -> None:
    areas_before, units_before = Area.objects.count(), Unit.objects.count()
    result = import_directory(
        county_file(
            账号=[
                ACCOUNT_HEAD,
                ["shuili", "水利局王工", "承办人", "", ""],  # a handler with no unit
                ["x", "", "巡逻员", "", ""],  # no such role
            ],
            分派规则=[RULE_HEAD, ["供水", "TJ09", "TJ-SLJ"]],  # no such area
        )
    )

    assert not result.ok
    found = {(p.sheet, p.row) for p in result.problems}
    assert ("账号", 2) in found  # the sheet as the file names it
    assert any(p.row == 3 and "巡逻员" in p.message for p in result.problems)
    assert any(p.row == 2 and "TJ09" in p.message for p in result.problems)
    assert (Area.objects.count(), Unit.objects.count()) == (areas_before, units_before)
    assert not User.objects.filter(username="shuili").exists()
    assert result.passwords == {}


def test_a_loop_of_parents_and_a_repeated_code_are_refused() -> None:
    result = import_directory(
        county_file(
            区域=[
                AREA_HEAD,
                ["A1", "甲", "", "", "乡镇", "A2"],
                ["A2", "乙", "", "", "乡镇", "A1"],
                ["A3", "丙", "", "", "村", ""],
                ["A3", "丙", "", "", "村", ""],
            ]
        )
    )
    messages = " ".join(p.message for p in result.problems)
    assert "own ancestor" in messages and "appears twice" in messages
    assert not Area.objects.filter(code__in=["A1", "A2", "A3"]).exists()


def test_importing_again_updates_and_an_empty_cell_erases_nothing() -> None:
    assert import_directory(county_file()).ok
    again = import_directory(
        county_file(
            区域=[AREA_HEAD, ["TJ0102", "幸福村", "Xingfu Village", "", "", ""]],
            承办单位=[UNIT_HEAD, ["TJ-SLJ", "", "", "", "", "否"]],
            分派规则=[RULE_HEAD, ["供水", "TJ01", "TJ-XF"]],
            账号=[ACCOUNT_HEAD, ["shuili", "", "", "", ""]],
        )
    )

    assert again.ok, again.problems
    assert again.created.total() == 0 and again.passwords == {}
    # Only what really changed counts as updated; the rest was named again, unchanged.
    assert (again.updated["areas"], again.updated["units"], again.updated["rules"]) == (1, 1, 1)
    assert again.unchanged["accounts"] == 1
    village = Area.objects.get(code="TJ0102")
    assert (village.name, village.name_en, village.parent.code) == (
        "幸福村",
        "Xingfu Village",
        "TJ01",
    )
    bureau = Unit.objects.get(code="TJ-SLJ")
    assert bureau.name == "团结县水利局" and not bureau.is_active
    assert RoutingRule.objects.get(category__code="water", area__code="TJ01").unit.code == "TJ-XF"
    assert User.objects.get(username="shuili").units.get().code == "TJ-SLJ"


def test_a_dry_run_counts_everything_and_writes_nothing() -> None:
    result = import_directory(county_file(), dry_run=True)

    assert result.ok and result.created["areas"] == 4 and result.dry_run
    assert not Area.objects.filter(code="TJ").exists()
    assert result.passwords == {}


def test_the_template_imports_in_another_language_than_it_was_written() -> None:
    with translation.override("ug"):
        blank = load_workbook(io.BytesIO(template_workbook()))
    areas = blank.worksheets[0]
    assert areas.title != "Areas" and areas["A1"].value != "Code"  # written in Uyghur
    areas.append(["X1", "新村", "", "", "village", ""])
    out = io.BytesIO()
    blank.save(out)
    out.seek(0)
    with translation.override("en"):
        result = import_directory(out)
    assert result.ok and Area.objects.get(code="X1").name == "新村"

    refused = import_directory(io.BytesIO("编码,名称\n".encode()))
    assert not refused.ok and "Excel" in refused.problems[0].message


def test_the_command_reports_and_fails_on_problems(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "county.xlsx"
    good.write_bytes(county_file().getvalue())
    call_command("directory", "import", str(good), "--dry-run")
    assert not Area.objects.exists() or not Area.objects.filter(code="TJ").exists()
    call_command("directory", "import", str(good))
    out = capsys.readouterr().out
    assert "New account shuili" in out or "shuili" in out
    assert Area.objects.filter(code="TJ0101").exists()

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(county_file(分派规则=[RULE_HEAD, ["", "", "NOPE"]]).getvalue())
    with pytest.raises(CommandError):
        call_command("directory", "import", str(bad))
    assert "NOPE" in capsys.readouterr().err


# --- the administrator's page ------------------------------------------------------------


def page_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def upload(client: Client, data: io.BytesIO, *, dry_run: bool):  # type: ignore[no-untyped-def]
    data.name = "county.xlsx"
    fields = {"file": data} | ({"dry_run": "on"} if dry_run else {})
    return client.post(reverse("directory:import"), fields)


def test_an_administrator_checks_then_imports_and_sees_the_first_passwords_once(county) -> None:  # type: ignore[no-untyped-def]
    client = page_client(county.admin)
    template = client.get(reverse("directory:template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(template.content)).sheetnames[0] == "Areas"

    checked = upload(client, county_file(), dry_run=True)
    assert checked.status_code == 200
    assert "nothing was written" in checked.content.decode()
    assert not Area.objects.filter(code="TJ").exists()

    done = upload(client, county_file(), dry_run=False)
    html = done.content.decode()
    assert done.status_code == 200 and "First passwords of the new accounts" in html
    assert "no-store" in done["Cache-Control"] or "no-cache" in done["Cache-Control"]
    shuili = User.objects.get(username="shuili")
    password = re.search(r'<th scope="row">shuili</th>.*?<td class="mono"[^>]*>([^<]+)</td>', html)
    assert "水利局王工" in html  # the name beside it, to hand each password out
    assert 'id="id_dry_run" checked' in html  # the next upload starts as a check again
    assert password and authenticate(username="shuili", password=password.group(1)) == shuili


def test_problems_are_listed_by_sheet_and_row(county) -> None:  # type: ignore[no-untyped-def]
    response = upload(
        page_client(county.admin),
        county_file(分派规则=[RULE_HEAD, ["", "", "NOPE"]]),
        dry_run=False,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "1 problem: nothing was written" in html and "NOPE" in html
    assert not Area.objects.filter(code="TJ").exists()


def test_only_administrators_may_set_up_the_county(county) -> None:  # type: ignore[no-untyped-def]
    for user in (county.supervisor, county.operator, county.handler):
        assert page_client(user).get(reverse("directory:import")).status_code == 403
        assert page_client(user).get(reverse("directory:template")).status_code == 403


def test_codes_are_cleaned_or_refused_before_they_reach_a_web_address() -> None:
    result = import_directory(
        county_file(
            区域=[
                AREA_HEAD,
                ["ＴＪ", "团结县", "", "", "县", ""],  # full width, from a document
                [650102, "新村", "", "", "村", "TJ"],  # an Excel number
                ["TJ/9 1", "坏编码村", "", "", "村", "TJ"],
            ],
            承办单位=[UNIT_HEAD],
            分派规则=[RULE_HEAD],
            账号=[ACCOUNT_HEAD],
        )
    )
    assert [p.row for p in result.problems] == [4]
    assert "/" in result.problems[0].message
    assert import_directory(
        county_file(
            区域=[
                AREA_HEAD,
                ["ＴＪ", "团结县", "", "", "县", ""],
                [650102, "新村", "", "", "村", "TJ"],
            ],
            承办单位=[UNIT_HEAD],
            分派规则=[RULE_HEAD],
            账号=[ACCOUNT_HEAD],
        )
    ).ok
    assert Area.objects.get(code="650102").parent.code == "TJ"


def test_a_sheet_not_read_a_rule_given_twice_and_an_escalation_loop_are_problems() -> None:
    renamed = county_file()
    book = load_workbook(renamed)
    book["分派规则"].title = "派单规则"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = import_directory(out)
    assert not result.ok and result.problems[0].sheet == "派单规则"

    twice = import_directory(
        county_file(分派规则=[RULE_HEAD, ["供水", "TJ01", "TJ-SLJ"], ["water", "TJ01", "TJ-XF"]])
    )
    assert [(p.row, "Row 2" in p.message) for p in twice.problems] == [(3, True)]

    assert import_directory(county_file()).ok
    loop = import_directory(county_file(承办单位=[UNIT_HEAD, ["TJ-ZF", "", "", "TJ-XF", "", ""]]))
    assert not loop.ok and "escalates back" in loop.problems[0].message
    assert Unit.objects.get(code="TJ-ZF").parent is None


def test_values_are_read_in_every_language_of_the_interface() -> None:
    result = import_directory(
        county_file(
            区域=[
                AREA_HEAD,
                ["TJ", "团结县", "", "", "ناھىيە", ""],
                ["TJ01", "东风乡", "", "", "乡镇/街道级", "TJ"],
                ["TJ0101", "红星村", "", "", "كەنت", "TJ01"],
            ],
            承办单位=[UNIT_HEAD, ["TJ-ZF", "团结县人民政府", "County / district", "", "TJ", "√"]],
            分派规则=[RULE_HEAD],
            账号=[ACCOUNT_HEAD, ["boss", "", "باشقۇرغۇچى", "", ""]],
        )
    )
    assert result.ok, result.problems
    assert Area.objects.get(code="TJ0101").kind == "village"
    assert User.objects.get(username="boss").role == "administrator"


def test_a_row_naming_a_code_whose_own_row_failed_says_so() -> None:
    result = import_directory(
        county_file(
            承办单位=[
                UNIT_HEAD,
                ["TJ-ZF", "团结县人民政府", "乡级镇", "", "TJ", ""],
                ["TJ-XF", "东风乡人民政府", "乡镇级", "TJ-ZF", "TJ01", ""],
            ]
        )
    )
    knock_on = next(p for p in result.problems if p.row == 3)
    assert "its own row (2) has a problem" in knock_on.message


def test_first_passwords_have_no_look_alike_characters() -> None:
    from minsheng.directory.importer import first_password

    for _ in range(50):
        assert not set(first_password()) & set("0O1lI")


def test_an_imported_account_chooses_its_own_password_at_first_sign_in(county) -> None:  # type: ignore[no-untyped-def]
    result = import_directory(county_file())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username="shuili", password=result.passwords["shuili"])
    response = client.get(reverse("staff:queue"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "accounts:password_change"
    )
    changed = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": result.passwords["shuili"],
            "new_password1": "my-own-secret-2026",
            "new_password2": "my-own-secret-2026",
        },
    )
    assert changed.status_code == 302
    assert client.get(reverse("staff:queue")).status_code == 200
    assert not User.objects.get(username="shuili").must_change_password
    assert authenticate(username="shuili", password="my-own-secret-2026") is not None
