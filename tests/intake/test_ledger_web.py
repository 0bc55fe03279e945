"""The staff import pages: upload → match columns → dry run → commit → result."""

from __future__ import annotations

import os
import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.cases.models import Case
from minsheng.intake import staff_views
from tests.intake.ledger_files import days_ago, good_rows, write_csv, write_xlsx


@pytest.fixture
def uploads(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT / "imports"


def staff_client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def upload(client: Client, path) -> str:  # type: ignore[no-untyped-def]
    with open(path, "rb") as handle:
        response = client.post(reverse("ledger:import"), {"file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def number(html: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}">(\d+)<', html)
    assert match, element_id
    return int(match.group(1))


def test_operator_imports_a_ledger_through_the_four_steps(county, uploads, tmp_path):
    bad = [[4, "上周三", "柳树村", "供水", "日期写错了", "", ""]]
    path = write_xlsx(tmp_path / "东湖镇台账.xlsx", good_rows() + bad, title="东湖镇问题台账")
    client = staff_client(county.operator)

    assert client.get(reverse("ledger:import")).status_code == 200
    map_url = upload(client, path)

    page = client.get(map_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "东湖镇台账.xlsx" in html
    assert "村东头水管漏水" in html  # the preview
    # The guessed mapping is preselected.
    assert re.search(r'name="description"[^>]*>.*?<option value="反映内容" selected>', html, re.S)
    assert re.search(r'name="contact_phone"[^>]*>.*?<option value="联系电话" selected>', html, re.S)

    fields = {
        "serial": "序号",
        "date": "登记日期",
        "area": "村（社区）",
        "category": "问题类型",
        "description": "反映内容",
        "contact_name": "反映人",
        "contact_phone": "联系电话",
        "sheet": "台账",
    }
    checked = client.post(map_url, fields)
    assert checked.status_code == 302
    html = client.get(checked["Location"]).content.decode()
    assert Case.objects.count() == 0
    assert (number(html, "li-created"), number(html, "li-failed")) == (3, 1)
    assert "“上周三” is not a date" in html

    commit_url = re.search(r'action="([^"]+/commit/)"', html).group(1)
    done = client.post(commit_url)
    assert done.status_code == 302
    html = client.get(done["Location"]).content.decode()
    assert (number(html, "li-created"), number(html, "li-failed")) == (3, 1)
    assert Case.objects.count() == 3

    # Pressing the button again (or a reload that re-posts) creates nothing.
    client.post(commit_url)
    html = client.get(done["Location"]).content.decode()
    assert (number(html, "li-created"), number(html, "li-present")) == (0, 3)
    assert Case.objects.count() == 3


def test_the_uploaded_ledger_is_kept_encrypted(county, uploads, tmp_path):
    client = staff_client(county.operator)
    upload(client, write_csv(tmp_path / "l.csv", good_rows()))
    (folder,) = uploads.iterdir()
    stored = (folder / "ledger.bin").read_bytes()
    assert b"13800138000" not in stored
    assert "王大山".encode() not in stored


def test_mapping_without_a_description_column_says_so_and_records_nothing(
    county, uploads, tmp_path
):
    client = staff_client(county.operator)
    map_url = upload(client, write_csv(tmp_path / "l.csv", good_rows()))
    response = client.post(map_url, {"area": "村（社区）", "date": "登记日期"})
    assert response.status_code == 400
    assert "No column is mapped to the description" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_unreadable_file_is_refused_at_upload(county, uploads, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    client = staff_client(county.operator)
    with open(path, "rb") as handle:
        response = client.post(reverse("ledger:import"), {"file": handle})
    assert response.status_code == 400
    assert "Old Excel .xls files cannot be read" in response.content.decode()
    assert not uploads.exists() or not any(uploads.iterdir())


def test_another_user_cannot_open_someone_elses_upload(county, uploads, tmp_path):
    map_url = upload(staff_client(county.operator), write_csv(tmp_path / "l.csv", good_rows()))
    assert staff_client(county.supervisor).get(map_url).status_code == 404
    assert Client().get(map_url).status_code == 302  # to the login page


def test_every_failing_row_is_listed_page_by_page(county, uploads, tmp_path):
    rows = [[n, "上周三", "柳树村", "", f"第{n}行", "", ""] for n in range(1, 61)]
    client = staff_client(county.operator)
    map_url = upload(client, write_csv(tmp_path / "many.csv", rows))
    check_url = client.post(
        map_url,
        {"area": "村（社区）", "date": "登记日期", "description": "反映内容", "serial": "序号"},
    )["Location"]

    first = client.get(check_url).content.decode()
    second = client.get(check_url + "?page=2").content.decode()
    assert number(first, "li-failed") == 60
    assert "第1行" in first and "第50行" in first and "第51行" not in first
    assert "第51行" in second and "第60行" in second


def test_uploads_older_than_a_day_are_removed(county, uploads, tmp_path):
    client = staff_client(county.operator)
    upload(client, write_csv(tmp_path / "old.csv", good_rows()))
    (old,) = uploads.iterdir()
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))

    upload(client, write_csv(tmp_path / "new.csv", good_rows()))

    assert not old.exists()
    assert len(list(uploads.iterdir())) == 1
    assert staff_views.clean_old_uploads() == 0


def test_import_link_is_in_the_navigation_of_operators_not_handlers(county):
    assert (
        'href="/staff/import/"'
        in staff_client(county.operator).get("/staff/queue/").content.decode()
    )
    handler_page = staff_client(county.handler).get("/staff/queue/").content.decode()
    assert 'href="/staff/import/"' not in handler_page
    assert 'href="/staff/export/"' in handler_page


def test_import_pages_need_a_staff_login(county):
    response = Client().get(reverse("ledger:import"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_village_chosen_for_all_rows_fills_a_ledger_without_village_column(
    county, uploads, tmp_path
):
    path = write_csv(
        tmp_path / "one-village.csv",
        [[days_ago(3).isoformat(), "停水三天"]],
        headers=["日期", "问题描述"],
    )
    client = staff_client(county.operator)
    map_url = upload(client, path)
    check = client.post(
        map_url, {"date": "日期", "description": "问题描述", "default_area": county.village.pk}
    )
    commit_url = re.search(
        r'action="([^"]+/commit/)"', client.get(check["Location"]).content.decode()
    ).group(1)
    client.post(commit_url)
    assert Case.objects.get().area == county.village
