"""Staff on a 360-px phone: record a call, dispatch it, and work it to resolved."""

from __future__ import annotations

import pytest

from minsheng.cases.models import Case, EventKind, Status

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fits_phone(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_operator_records_and_dispatches_then_handler_resolves(new_page, county, tmp_path):
    operator = new_page()
    log_in(operator, "operator")
    assert operator.url.endswith("/staff/triage/")
    operator.get_by_role("link", name="Record a request").first.click()
    assert operator.get_by_role("radio", name="phone").is_checked()
    operator.select_option("#id_area", str(county.village.pk))
    operator.select_option("#id_category", str(county.roads.pk))
    operator.fill("#id_description", "村民来电：柳树村三组的路塌了一个坑。")
    operator.fill("#id_contact_phone", "13900002222")
    assert fits_phone(operator)
    operator.get_by_role("button", name="Save and continue").click()

    # Straight to the case page, the routing proposal already chosen.
    assert operator.locator("#id_dispatch_unit").input_value() == str(county.village_unit.pk)
    assert fits_phone(operator)
    operator.screenshot(path=tmp_path / "operator-case.png", full_page=True)
    operator.get_by_role("button", name="Dispatch", exact=True).click()
    assert operator.locator(".badge").first.inner_text() == "dispatched"

    handler = new_page()
    log_in(handler, "handler")
    assert handler.url.endswith("/staff/queue/")
    assert fits_phone(handler)
    handler.locator(".cc-title a").first.click()
    handler.get_by_role("button", name="Accept this case").click()
    handler.get_by_role("button", name="Show contact details to call back").click()
    assert handler.get_by_role("link", name="13900002222").is_visible()
    handler.locator("summary", has_text="Resolve").click()
    handler.fill("#id_resolve_resolution", "水管已修好，恢复供水。")
    handler.get_by_role("button", name="Mark as resolved").click()
    assert handler.locator(".badge").first.inner_text() == "resolved"
    handler.screenshot(path=tmp_path / "handler-resolved.png", full_page=True)

    case = Case.objects.get()
    assert case.status == Status.RESOLVED
    assert case.events.filter(kind=EventKind.CONTACT_REVEALED, actor=county.handler).count() == 1


def test_correcting_the_category_proposes_the_unit_of_the_new_one(new_page, county, submit):  # type: ignore[no-untyped-def]
    case = submit(category=None)  # a resident who was not sure: "other", the village's catch-all
    page = new_page()
    log_in(page, "operator")
    page.goto(f"/staff/cases/{case.pk}/")
    unit = page.locator("#id_dispatch_unit")
    assert unit.input_value() == str(county.village_unit.pk)
    page.select_option("#id_dispatch_category", str(county.water.pk))
    # The rules send water to the county bureau: the unit follows, and the help says so.
    assert unit.input_value() == str(county.county_unit.pk)
    assert "县水利局" in page.locator(".field-select:has(#id_dispatch_unit) .help").inner_text()
    # A unit chosen by hand stays when the category changes again.
    page.select_option("#id_dispatch_unit", str(county.township_unit.pk))
    page.select_option("#id_dispatch_category", str(county.roads.pk))
    assert unit.input_value() == str(county.township_unit.pk)
    page.select_option("#id_dispatch_category", str(county.water.pk))
    page.select_option("#id_dispatch_unit", str(county.county_unit.pk))
    page.get_by_role("button", name="Dispatch", exact=True).click()
    assert page.locator(".badge").first.inner_text() == "dispatched"
    case.refresh_from_db()
    assert (case.category, case.current_unit) == (county.water, county.county_unit)


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_the_supervisors_dashboard_fits_a_phone_in_every_language(new_page, county, language):  # type: ignore[no-untyped-def]
    # Uyghur's column headings in the rankings are twice as long as the Chinese; kept on
    # one line they pushed the page sideways on a phone.
    page = new_page(language=language)
    page.goto("/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(input[name=password]) button").click()
    page.goto("/staff/dashboard/")
    assert page.locator("table.kpi-rank").count() == 4
    assert fits_phone(page)
