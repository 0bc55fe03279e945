"""A resident on a 360-px phone reads the public board: the county, a township, a village,
a case's timeline and the map — drawn by the Leaflet shipped in /static/, with nothing
fetched from anywhere else."""

from __future__ import annotations

import re

import pytest

from minsheng.cases import actions

pytestmark = pytest.mark.browser


@pytest.fixture
def board_cases(county, submit):  # type: ignore[no-untyped-def]
    """Two cases with a point in 柳树村 (one resolved with a public note), one without a
    point in 石门村."""
    fixed = submit(title="村口水管破裂", latitude=39.912, longitude=116.404)
    actions.dispatch_case(actor=county.operator, case=fixed, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=fixed)
    actions.add_note(actor=county.handler, case=fixed, note="管材已运到村口")
    actions.resolve_case(actor=county.handler, case=fixed, resolution="水管已更换，恢复供水")
    waiting = submit(title="路灯不亮", latitude=39.915, longitude=116.410)
    # Read by staff (dispatched), so its words and point are published.
    actions.dispatch_case(actor=county.operator, case=waiting, unit=county.village_unit)
    elsewhere = submit(title="桥面裂缝", area=county.other_village)
    return {"fixed": fixed, "waiting": waiting, "elsewhere": elsewhere}


def test_resident_drills_down_to_a_village_and_reads_a_cases_timeline(
    new_page, live_server, county, board_cases, tmp_path
):
    page = new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto("/board/")
    assert county.county.name in page.locator("h1").inner_text()
    assert page.locator("#fig-raised .b-value").inner_text() == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "county.png", full_page=True)

    page.locator(".b-children a", has_text=county.township.name).click()
    assert county.township.name in page.locator("h1").inner_text()
    page.locator(".b-children a", has_text=county.village.name).click()
    assert county.village.name in page.locator("h1").inner_text()
    assert page.locator(".b-crumbs a").all_inner_texts() == [
        county.county.name,
        county.township.name,
    ]
    assert page.locator("#fig-raised .b-value").inner_text() == "2"
    assert page.get_by_text("桥面裂缝").count() == 0

    article = page.locator(f"#case-{board_cases['fixed'].pk}")
    timeline = article.locator(".timeline")
    assert not timeline.is_visible()
    article.get_by_text("Details and timeline").click()
    assert timeline.is_visible()
    assert timeline.get_by_text("管材已运到村口").is_visible()
    assert timeline.get_by_text(county.village_unit.name).first.is_visible()
    assert article.locator(".badge").inner_text() == "resolved"

    # The map: Leaflet from this server's /static/, one marker per case with a point.
    page.locator("#board-map").scroll_into_view_if_needed()
    assert page.locator("#board-map").is_visible()
    assert page.locator("#board-map .b-marker").count() == 2
    assert page.evaluate("window.L && window.L.version") == "1.9.4"
    assert page.locator(".leaflet-control-scale").is_visible()
    page.locator("#board-map .b-marker-dispatched").click()
    assert page.locator(".leaflet-popup-content").inner_text().startswith("路灯不亮")
    # On a phone a popup is panned clear of the zoom buttons, not drawn under them. Drag
    # the map so that a marker sits in the top-left corner, then open its popup.
    page.locator(".leaflet-popup-close-button").click()
    area = page.locator("#board-map").bounding_box()
    marker = page.locator("#board-map .b-marker").first
    start = marker.bounding_box()
    grab = (area["x"] + area["width"] - 20, area["y"] + area["height"] - 20)
    page.mouse.move(*grab)
    page.mouse.down()
    page.mouse.move(
        grab[0] - (start["x"] - area["x"] - 50), grab[1] - (start["y"] - area["y"] - 30), steps=8
    )
    page.wait_for_timeout(300)  # a still mouse before letting go: no inertia
    page.mouse.up()
    marker.click()
    page.wait_for_timeout(400)  # the pan is animated
    popup = page.locator(".leaflet-popup-content-wrapper").bounding_box()
    zoom = page.locator(".leaflet-control-zoom").bounding_box()
    assert (
        popup["x"] >= zoom["x"] + zoom["width"]
        or popup["y"] >= zoom["y"] + zoom["height"]
        or popup["y"] + popup["height"] <= zoom["y"]
    )
    assert any("/static/minsheng/vendor/leaflet/leaflet.js" in url for url in requests)
    assert all(url.startswith(live_server.url) for url in requests), "fetched from outside"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "village.png", full_page=True)


def test_the_board_reads_right_to_left_in_uyghur(new_page, county, board_cases, tmp_path):
    page = new_page(language="ug")
    page.goto(f"/board/{county.village.code}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The map keeps its own left-to-right layout inside the right-to-left page.
    assert page.locator("#board-map").get_attribute("dir") == "ltr"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=tmp_path / "village-ug.png", full_page=True)


def test_without_javascript_the_board_works_and_shows_no_empty_map(
    browser,
    live_server,
    transactional_db,
    django_db_serialized_rollback,
    release_live_server_connections,
    county,
    board_cases,
):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        java_script_enabled=False,
        extra_http_headers={"Accept-Language": "en"},
    )
    try:
        page = context.new_page()
        page.goto(f"/board/{county.village.code}/")
        assert not page.locator("#board-map").is_visible()
        article = page.locator(f"#case-{board_cases['fixed'].pk}")
        article.get_by_text("Details and timeline").click()  # <details> needs no script
        assert article.get_by_text("管材已运到村口").is_visible()
        page.get_by_role("link", name="Last 30 days").click()
        assert "period=30d" in page.url
    finally:
        context.close()


def test_the_map_scale_is_metric_only(new_page, county, board_cases):
    page = new_page()
    page.goto(f"/board/{county.village.code}/")
    page.locator("#board-map").scroll_into_view_if_needed()
    lines = page.locator(".leaflet-control-scale-line")
    assert lines.count() == 1
    assert re.fullmatch(r"\d+ k?m", lines.inner_text().strip())
