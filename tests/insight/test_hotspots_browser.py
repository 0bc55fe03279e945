"""A supervisor in Chromium: dashboard → hot spot → coordinate its cases as one."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel, Status
from tests.browser import conftest as browser_fixtures

# The browser fixtures live beside the browser tests; this test borrows them.
browser = browser_fixtures.browser
new_page = browser_fixtures.new_page
release_live_server_connections = browser_fixtures.release_live_server_connections
PHONE = browser_fixtures.PHONE

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password
SHOTS = Path(os.environ.get("MINSHENG_SHOTS_DIR", "/tmp/shots-hotspots"))


def test_supervisor_finds_a_hot_spot_and_coordinates_it_as_one_case(new_page, county):  # type: ignore[no-untyped-def]
    now = timezone.now()
    cases = [
        actions.submit_case(
            actor=actions.RESIDENT,
            title="柳树村停水了",
            description="柳树村二组的水管爆了，全组没有水，老人孩子喝水做饭都成问题。",
            category=county.water,
            area=county.village,
            channel=Channel.IMPORT,
            raised_at=now - dt.timedelta(hours=2 + 5 * i),
        )
        for i in range(6)
    ]
    lead = cases[-1]  # the first report
    actions.dispatch_case(actor=county.operator, case=lead, unit=county.village_unit)

    page = new_page(viewport=PHONE)
    page.goto("/accounts/login/")
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/staff/dashboard/")
    section = page.locator("#hotspots")
    # No search has run yet: the page shows its figures and fetches the section after.
    section.locator(".hs-card").first.wait_for()
    assert section.get_attribute("aria-busy") is None
    assert "6 open cases within 3 days" in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    section.locator(".hs-title a").first.click()

    assert page.get_by_role("heading", level=1).inner_text().startswith("Hot spot:")
    assert page.locator(".hs-row").count() == 6
    assert page.get_by_role("radio", name="lead").first.is_visible()
    # The case a unit already holds is proposed as the lead.
    assert page.locator(f'input[name="lead"][value="{lead.pk}"]').is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "browser-hotspot-phone.png", full_page=True)
    page.get_by_role("button", name="Merge into the lead case").click()

    assert (
        f"5 cases were merged into {lead.tracking_code}" in page.locator(".messages").inner_text()
    )
    assert page.url.endswith(f"/staff/cases/{lead.pk}/")
    statuses = dict(Case.objects.values_list("pk", "status"))
    assert statuses[lead.pk] == Status.DISPATCHED
    assert all(statuses[c.pk] == Status.MERGED for c in cases[:-1])
