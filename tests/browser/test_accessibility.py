"""axe-core, the accessibility checker browsers' developer tools use, on the pages people
read most: residents' pages in each language at phone width, staff pages on a desktop.

A screen-reader user must be able to navigate by headings and landmarks, every control
needs a name, and text needs enough contrast for a phone in the sun.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from minsheng.cases import actions
from tests.browser.test_staff_flow import log_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


def violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What axe finds wrong on the page, one line per rule: impact, rule, where."""
    import axe_playwright_python

    page.add_script_tag(path=str(Path(axe_playwright_python.__file__).with_name("axe.min.js")))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)"""
    )


@pytest.mark.parametrize("language", ["zh-hans", "ug", "en"])
def test_residents_pages_pass_the_accessibility_check(new_page, submit, language):
    case = submit()
    page = new_page(language=language, bypass_csp=True)  # axe is injected as an inline script
    for path in ["/", "/report/", "/track/", f"/track/{case.tracking_code}/", "/board/"]:
        page.goto(path)
        assert violations(page) == [], path


@pytest.mark.parametrize(
    ("username", "paths"),
    [
        ("operator", ["/staff/triage/", "/staff/intake/", "/staff/search/?q=水"]),
        ("handler", ["/staff/queue/", "/staff/overdue/", "/staff/projects/"]),
        ("supervisor", ["/staff/dashboard/", "/staff/hotspots/", "/staff/triage-models/"]),
    ],
)
def test_staff_pages_pass_the_accessibility_check(new_page, county, submit, username, paths):
    submit(title="水管爆裂停水", category=county.water)
    case = submit(title="路面塌陷")
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    page = new_page(viewport=DESKTOP, language="en", bypass_csp=True)
    log_in(page, username)
    for path in [*paths, f"/staff/cases/{case.pk}/"]:
        page.goto(path)
        assert violations(page) == [], path


@pytest.mark.parametrize("language", ["ug", "zh-hans"])
def test_residents_pages_fit_a_phone_zoomed_to_200_percent(new_page, submit, language):
    # A 390-pixel phone at 200 % is 195 CSS pixels wide: Uyghur's long links, the board's
    # count columns and its figures used to push the page sideways.
    submit()
    page = new_page(viewport={"width": 195, "height": 422}, language=language)
    for path in ["/", "/report/", "/track/", "/board/"]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 195, path
