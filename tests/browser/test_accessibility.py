"""axe-core, the accessibility checker browsers' developer tools use, on the pages people
read most: residents' pages in each language at phone width, staff pages on a desktop.

A screen-reader user must be able to navigate by headings and landmarks, every control
needs a name, and text needs enough contrast for a phone in the sun.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone

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


def _outside(page, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Visible elements that reach past either edge of a ``width``-pixel viewport."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll("body *")].filter(el => {
            const hidden = ".visually-hidden, .skip-link, [hidden], "
                + "details:not([open]) > *:not(summary)";
            if (el.closest(hidden)) return false;
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.left < -0.5 || r.right > width + 0.5);
        }).map(el => `${el.tagName}.${el.className}`)""",
        width,
    )


@pytest.mark.parametrize("language", ["ug", "zh-hans"])
def test_residents_pages_fit_a_phone_180_px_wide(new_page, county, submit, language):
    # 360 px at 200 %: the language form and the board's tables used to stick out, in
    # Uyghur on the left, with the switch button cut off.
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    for status_case in (submit(), submit()):
        actions.dispatch_case(actor=county.operator, case=status_case, unit=county.village_unit)
        actions.accept_case(actor=county.handler, case=status_case)
    page = new_page(viewport={"width": 180, "height": 600}, language=language)
    paths = ["/", "/report/", "/track/", f"/track/{case.tracking_code}/", "/board/", "/board/V1/"]
    for path in paths:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 180, path
        assert _outside(page, 180) == [], path
        button = page.locator(".lang button").bounding_box()
        assert button["x"] >= 0 and button["x"] + button["width"] <= 180, path


def _focused_is_the_error_summary(page) -> bool:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "document.activeElement.matches('.r-alert[role=alert]') && "
        "document.activeElement.textContent.trim().length > 0"
    )


def test_after_a_refused_form_the_focus_is_on_the_error_summary(new_page, county, submit):
    page = new_page()
    page.goto("/report/")
    page.locator("#id_area").select_option(str(county.village.pk))
    page.locator("#id_description").fill("   ")  # passes the browser's check, not ours
    page.get_by_role("button", name="Send my report").click()
    page.wait_for_load_state()
    assert _focused_is_the_error_summary(page)

    resolved = submit()
    actions.dispatch_case(actor=county.operator, case=resolved, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=resolved)
    actions.resolve_case(actor=county.handler, case=resolved, resolution="水管已更换")
    page.goto(f"/track/{resolved.tracking_code}/")
    assert not _focused_is_the_error_summary(page)
    page.locator(".r-star").nth(3).click()
    page.locator(".r-choice").first.click()
    # Meanwhile the resident rated by SMS: this second rating is refused.
    actions.rate_case(actor=actions.RESIDENT, case=resolved, rating=5, is_solved=True)
    page.get_by_role("button", name="Send my rating").click()
    page.wait_for_load_state()
    assert _focused_is_the_error_summary(page)

    case = submit()
    page.goto(f"/track/{case.tracking_code}/withdraw/")
    # Meanwhile an operator moves the case: the withdrawal is refused as stale.
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    page.get_by_role("button", name="Yes, withdraw my request").click()
    page.wait_for_load_state()
    assert _focused_is_the_error_summary(page)


@pytest.mark.parametrize("path", ["/", "/report/", "/board/"])
def test_the_first_tab_offers_a_skip_to_the_content(new_page, county, path):
    page = new_page()
    page.goto(path)
    page.keyboard.press("Tab")
    link = page.locator(":focus")
    assert link.inner_text() == "Skip to content"
    box = link.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0  # shown once it has the focus
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _contrast(first: str, second: str) -> float:
    def luminance(css: str) -> float:
        red, green, blue = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    a, b = sorted((luminance(first), luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def test_unchosen_rating_stars_stand_out_from_the_card(new_page, county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
    page = new_page()
    page.goto(f"/track/{case.tracking_code}/")
    star = page.evaluate(
        """() => {
            const glyph = getComputedStyle(document.querySelector(".r-star-glyph"));
            const stroke = parseFloat(glyph.webkitTextStrokeWidth) > 0;
            return {ink: stroke ? glyph.webkitTextStrokeColor : glyph.color,
                    card: getComputedStyle(document.querySelector(".r-rate")).backgroundColor};
        }"""
    )
    assert _contrast(star["ink"], star["card"]) >= 3, star


def test_a_printed_case_page_has_no_forms_and_says_where_and_when(new_page, county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
    page = new_page()
    page.goto(f"/track/{case.tracking_code}/")
    assert page.locator("#rate").is_visible()
    assert not page.locator(".r-print-stamp").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("#rate").is_visible()
    assert not page.locator(".r-withdraw").is_visible()
    assert not page.locator(".lang").is_visible()
    stamp = page.locator(".r-print-stamp")
    assert stamp.is_visible()
    assert page.url in stamp.inner_text()
    assert timezone.localdate().isoformat() in stamp.inner_text()
