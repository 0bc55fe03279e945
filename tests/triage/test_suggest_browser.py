"""In Chromium: type a description at intake, see the suggestions fill in the category,
save, dispatch, and find the operator's choices recorded."""

from __future__ import annotations

import pytest

from minsheng.cases.models import Case
from minsheng.triage.models import ModelKind, Stage, SuggestionRecord, Trigger
from minsheng.triage.training import train_kind
from tests.browser.conftest import browser, new_page, release_live_server_connections  # noqa: F401
from tests.triage.test_training_support import (  # noqa: F401
    WATER_TEXT,
    history,
    small_thresholds,
)

pytestmark = pytest.mark.browser

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password


def test_suggestions_while_typing_then_recorded_on_submit_and_dispatch(new_page, county) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    train_kind(ModelKind.UNIT, trigger=Trigger.COMMAND)
    page = new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/staff/intake/")
    page.select_option("#id_area", str(county.village.pk))

    page.fill("#id_description", "隔壁")
    page.wait_for_selector("#triage-suggest [data-verdict]")
    assert page.locator("#id_category").input_value() == ""  # not sure: nothing chosen
    page.fill("#id_description", WATER_TEXT * 2)
    page.wait_for_selector("#triage-suggest [data-verdict=confident]")

    assert page.locator("#id_category").input_value() == str(county.water.pk)
    assert page.locator("#triage-suggest .ts-words mark").count() > 0
    assert page.locator("#triage-suggest .ts-units li").first.inner_text().startswith("县水利局")
    page.get_by_role("button", name="Save and continue").click()
    # The unit model's confident choice is already chosen in the dispatch form.
    assert page.locator("#id_dispatch_unit").input_value() == str(county.county_unit.pk)
    page.get_by_role("button", name="Dispatch", exact=True).click()
    assert page.locator(".badge").first.inner_text() == "dispatched"

    case = Case.objects.get(title__startswith="自来水")
    records = {r.stage: r for r in SuggestionRecord.objects.filter(case=case)}
    assert records[Stage.INTAKE].followed is True
    assert records[Stage.DISPATCH].chosen_unit == county.county_unit
    assert records[Stage.DISPATCH].followed is True
