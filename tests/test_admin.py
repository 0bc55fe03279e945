"""Administrators maintain reference data and users in the admin, in Chinese."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from minsheng.accounts.models import User
from minsheng.directory.models import CalendarDay, Category, Unit

PAGES = [
    "admin:directory_area_changelist",
    "admin:directory_area_add",
    "admin:directory_unit_changelist",
    "admin:directory_unit_add",
    "admin:directory_category_changelist",
    "admin:directory_routingrule_changelist",
    "admin:directory_routingrule_add",
    "admin:directory_calendarday_changelist",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:cases_case_changelist",
]


@pytest.fixture
def admin_client(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(county.admin)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_open(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


def test_administrator_edits_a_time_limit(admin_client):
    water = Category.objects.get(code="water")
    data = {
        "code": "water", "name": water.name, "name_en": water.name_en, "name_ug": water.name_ug,
        "description": "", "limit_village": 2, "limit_township": 4, "limit_county": 6,
        "keywords": water.keywords, "sort_order": water.sort_order, "is_active": "on",
    }  # fmt: skip
    response = admin_client.post(reverse("admin:directory_category_change", args=[water.pk]), data)
    assert response.status_code == 302
    water.refresh_from_db()
    assert (water.limit_village, water.limit_township, water.limit_county) == (2, 4, 6)


def test_administrator_enters_an_official_adjustment(admin_client):
    response = admin_client.post(
        reverse("admin:directory_calendarday_add"),
        {"date": "2027-02-20", "is_working_day": "on", "note": "国务院办公厅通知：调休上班"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date="2027-02-20").is_working_day


def test_cases_cannot_be_edited_or_deleted_in_the_admin(admin_client, submit):
    case = submit()
    change = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    delete = admin_client.post(reverse("admin:cases_case_delete", args=[case.pk]), {"post": "yes"})
    assert delete.status_code == 403
    case.refresh_from_db()


def test_handler_cannot_open_the_admin(county):
    client = Client()
    client.force_login(county.handler)
    response = client.get(reverse("admin:directory_area_changelist"))
    assert response.status_code == 302


def test_a_case_in_the_chinese_admin_has_chinese_field_names(admin_client, submit):
    case = submit()
    html = admin_client.get(
        reverse("admin:cases_case_change", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "签收时间" in html and "上报次数" in html
    assert "Accepted at" not in html and "Escalation count" not in html


def test_the_administrator_role_opens_the_administration_site(admin_client, county):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "guanli",
            "usable_password": "true",
            "password1": "an-ok-password-123",
            "password2": "an-ok-password-123",
            "display_name": "系统管理员",
            "role": "administrator",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    guanli = User.objects.get(username="guanli")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(guanli)
    assert client.get(reverse("admin:index")).status_code == 200
    assert reverse("admin:index") in client.get(reverse("staff:supervise")).content.decode()

    # Given another role, the administration site closes again.
    page = admin_client.get(reverse("admin:accounts_user_change", args=[guanli.pk]))
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(role="operator", scope_area=county.township.pk, units=[], groups=[])
    data.update(user_permissions=[], date_joined_0="2026-11-01", date_joined_1="08:00:00")
    data.pop("last_login", None)
    data.pop("password", None)
    response = admin_client.post(reverse("admin:accounts_user_change", args=[guanli.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    guanli.refresh_from_db()
    assert (guanli.role, guanli.is_staff, guanli.is_superuser) == ("operator", False, False)
    assert client.get(reverse("admin:index")).status_code == 302


def test_createsuperuser_makes_an_administrator(db):
    call_command("createsuperuser", username="first", email="", interactive=False)
    assert User.objects.get(username="first").role == "administrator"


def test_the_unit_list_shows_units_nobody_works_in_and_names_still_missing(admin_client, county):
    Unit.objects.create(name="县住建局", code="ZJJ", level=3, name_en="Housing Bureau")
    html = admin_client.get(reverse("admin:directory_unit_changelist")).content.decode()
    row = html.split("县住建局", 1)[1].split("</tr>")[0]
    assert "无——请添加" in row  # no staff account
    assert "维吾尔语" in row and "英语" not in row  # names missing


def test_the_admin_index_lists_the_reference_data_first_in_the_order_it_is_set_up(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    positions = [html.index(f"/admin/directory/{m}/") for m in ("area", "unit", "category")]
    assert positions == sorted(positions)
    assert html.index("/admin/directory/") < html.index("/admin/open311/")
    assert "民生诉求系统管理" in html


def test_the_administrator_of_an_empty_installation_is_shown_the_setup_steps(db):
    admin = User.objects.create_superuser("first", password="x-long-password-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    html = client.get(reverse("staff:supervise")).content.decode()
    assert "Setting up this installation" in html
    assert reverse("admin:directory_area_add") in html
    assert html.count("none yet") == 4


def test_a_set_up_county_shows_no_setup_steps(admin_client):
    html = admin_client.get(reverse("staff:supervise")).content.decode()
    assert "admin/directory/area/add/" not in html
