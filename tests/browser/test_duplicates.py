"""An operator records a call about a burst pipe already reported, sees the earlier report
suggested as a duplicate on the case page they land on, and merges into it; the resident
who called follows the surviving case on their tracking page."""

from __future__ import annotations

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case, Status

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password


def test_operator_merges_a_re_report_from_the_suggestion(new_page, county, submit, tmp_path):
    first = submit(
        title="村口自来水管爆裂停水",
        description="柳树村村口的自来水管爆裂了，水流满路面，全村已经停水两天。",
        category=county.water,
    )
    actions.dispatch_case(actor=county.operator, case=first, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=first)
    actions.add_note(actor=county.handler, case=first, note="抢修队已到现场")
    submit(title="路灯不亮", description="柳树村小学门口的路灯坏了一个月。")

    operator = new_page()
    operator.goto("/accounts/login/")
    operator.fill("#id_username", "operator")
    operator.fill("#id_password", PASSWORD)
    operator.get_by_role("button", name="Sign in").click()
    operator.get_by_role("link", name="Record a request").first.click()
    operator.select_option("#id_area", str(county.village.pk))
    operator.select_option("#id_category", str(county.water.pk))
    operator.fill("#id_description", "村民来电：村口水管爆了，路上都是水，家里停水。")
    operator.get_by_role("button", name="Save and continue").click()

    panel = operator.locator("#duplicates")
    suggestion = panel.locator(".dup-match").first
    assert suggestion.get_attribute("data-code") == first.tracking_code
    assert "停水" in suggestion.locator(".dup-words").inner_text()
    operator.screenshot(path=tmp_path / "duplicates.png", full_page=True)
    suggestion.locator("summary", has_text="Merge into this case").click()
    suggestion.get_by_role("button", name=f"Merge into {first.tracking_code}").click()

    assert operator.locator(".badge").first.inner_text() == "merged"
    merged = Case.objects.exclude(pk=first.pk).get(status=Status.MERGED)
    assert merged.merged_into == first

    resident = new_page()
    resident.goto(f"/track/{merged.tracking_code}/")
    assert resident.get_by_text("This request was merged with another request").is_visible()
    assert resident.locator("#survivor-heading").is_visible()
    assert resident.get_by_text("抢修队已到现场").is_visible()
    assert first.tracking_code not in resident.content()
