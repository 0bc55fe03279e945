"""The board's pages: areas by code, breadcrumbs and drill-down links, recent cases with
their public timelines, paging, the map's points, and the open-data CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.directory.models import AreaKind
from minsheng.insight import board
from tests.factories import AreaFactory
from tests.insight.board.conftest import rate


def test_the_county_board_is_the_top_area(county, client_en):
    response = client_en.get("/board/")
    assert response.status_code == 200
    assert response.context["area"] == county.county


def test_an_unknown_area_is_not_found(county, client_en):
    assert client_en.get("/board/NOPE/").status_code == 404
    assert client_en.get("/board/NOPE/cases.csv").status_code == 404


def test_breadcrumbs_lead_up_and_links_lead_down(county, client_en):
    grid = AreaFactory(name="一网格", code="G1", kind=AreaKind.GRID, parent=county.village)
    html = client_en.get(f"/board/{county.township.code}/").content.decode()
    assert f'href="/board/{county.county.code}/?period=90d">{county.county.name}</a>' in html
    assert f'href="/board/{county.village.code}/?period=90d"' in html
    assert f'href="/board/{county.other_village.code}/' not in html

    html = client_en.get(f"/board/{county.village.code}/", {"period": "30d"}).content.decode()
    assert f'href="/board/{county.township.code}/?period=30d"' in html
    # A village lists its grids.
    assert f'href="/board/{grid.code}/?period=30d"' in html


def test_grids_are_not_listed_above_a_village(county, client_en):
    AreaFactory(name="直属网格", code="G9", kind=AreaKind.GRID, parent=county.township)
    html = client_en.get(f"/board/{county.township.code}/").content.decode()
    assert 'href="/board/G9/' not in html


def test_child_links_count_the_cases_raised_below_them(county, submit):
    submit()
    submit()
    submit(area=county.other_village)
    children = board.child_areas(area=county.county, since=board.period_start("90d"))
    assert [(c.area.code, c.raised) for c in children] == [("T1", 2), ("T2", 1)]


def test_a_case_shows_its_public_timeline_with_unit_names_and_no_staff_names(
    county, submit, client_en
):
    case = submit(title="村口水管破裂")
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.add_note(actor=county.handler, case=case, note="材料已订购", is_public=True)
    actions.add_note(actor=county.handler, case=case, note="内部：预算不足", is_public=False)
    actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
    rate(case, 5)
    html = client_en.get(f"/board/{county.village.code}/").content.decode()
    article = re.search(rf'<article[^>]*id="case-{case.pk}".*?</article>', html, re.S).group(0)
    assert "村口水管破裂" in article
    assert "材料已订购" in article and "水管已更换" in article
    assert "内部" not in article
    assert "柳树村委会" in article  # the unit, by its name for residents
    assert "Rating: 5 / 5" in article
    for username in ("operator", "handler"):
        assert username not in article
    assert 'class="badge status-closed"' in article


def test_recent_cases_come_twenty_to_a_page_with_more_links(county, submit, client_en):
    cases = [submit(title=f"第{i}件") for i in range(23)]
    first = client_en.get("/board/").content.decode()
    assert first.count('class="r-card b-case"') == 20
    assert f'id="case-{cases[-1].pk}"' in first  # newest first
    assert "?period=90d&amp;page=2" in first
    second = client_en.get("/board/", {"page": "2"}).content.decode()
    assert second.count('class="r-card b-case"') == 3
    assert f'id="case-{cases[0].pk}"' in second
    assert "page=3" not in second and "?period=90d&amp;page=1" in second


def test_recent_cases_cost_the_same_few_queries_for_any_page_size(
    county, submit, django_assert_max_num_queries
):
    for i in range(15):
        case = submit(title=f"第{i}件", contact_name="李四", contact_phone="13700001111")
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    with django_assert_max_num_queries(3):
        board.recent_cases(area=county.county, since=board.period_start("90d"))


def test_the_map_gets_only_cases_with_a_point(county, submit, client_en):
    with_point = submit(title="路面塌陷", latitude=39.914567, longitude=116.408912)
    actions.dispatch_case(actor=county.operator, case=with_point, unit=county.village_unit)
    actions.dispatch_case(
        actor=county.operator, case=submit(title="没有位置"), unit=county.village_unit
    )
    # Not yet read by staff: neither its words nor its point are published.
    submit(title="刚刚提交", latitude=39.92, longitude=116.42)
    html = client_en.get("/board/").content.decode()
    data = re.search(r'<script id="board-points" type="application/json">(.*?)</script>', html)
    points = json.loads(data.group(1))
    assert points == [
        {
            "id": with_point.pk,
            "lat": 39.915,  # to about 100 m: the lane, not the house
            "lon": 116.409,
            "status": "dispatched",
            "status_label": "dispatched",
            "category": county.roads.name_en,
            "title": "路面塌陷",
        }
    ]
    assert "/static/minsheng/vendor/leaflet/leaflet.js" in html
    assert 'id="board-map"' in html and "data-map-section hidden" in html


def test_no_points_no_map_and_no_leaflet(county, submit, client_en):
    submit()
    html = client_en.get("/board/").content.decode()
    assert 'id="board-map"' not in html and "leaflet" not in html


def test_tiles_come_from_the_settings(county, submit, client_en, settings):
    case = submit(latitude=39.91, longitude=116.41)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    settings.MINSHENG_MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MINSHENG_MAP_ATTRIBUTION = "© Example"
    html = client_en.get("/board/").content.decode()
    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="© Example"' in html


def test_the_board_pages_are_in_uyghur_right_to_left(county, submit):
    from django.test import Client

    submit()
    html = Client(headers={"accept-language": "ug"}).get("/board/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ug"' in html


def test_the_home_page_links_to_the_board(db, client_en):
    assert 'href="/board/"' in client_en.get("/").content.decode()


# --- the CSV -----------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, so Excel reads the Chinese right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_has_the_public_fields_and_no_tracking_code(county, submit, client_en):
    case = submit(title="村口水管破裂", category=county.water)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.escalate_case(actor=county.handler, case=case, reason="需要镇里协调")
    actions.accept_case(actor=county.township_handler, case=case)
    actions.resolve_case(actor=county.township_handler, case=case, resolution="已修好")
    rate(case, 4)
    case.refresh_from_db()

    response = client_en.get(f"/board/{county.village.code}/cases.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == [
        "case_number",
        "created_at",
        "resolved_at",
        "closed_at",
        "category_code",
        "category_name",
        "area_code",
        "area_name",
        "status",
        "channel",
        "escalated",
        "rating",
        "title",
    ]
    local = timezone.localtime
    assert rows[1] == [
        str(case.pk),
        local(case.created_at).isoformat(timespec="seconds"),
        local(case.resolved_at).isoformat(timespec="seconds"),
        local(case.closed_at).isoformat(timespec="seconds"),
        "water",
        county.water.name,
        "V1",
        "柳树村",
        "closed",
        "web",
        "true",
        "4",
        "村口水管破裂",
    ]
    assert case.tracking_code not in "".join(",".join(r) for r in rows)
    assert rows[1][1].endswith("+08:00")


def test_the_county_csv_covers_every_area_and_follows_the_period(
    county, submit, raise_case, client_en
):
    here = submit()
    there = submit(area=county.other_village)
    old = raise_case(45)
    rows = read_csv(client_en.get("/board/cases.csv"))
    assert [r[0] for r in rows[1:]] == [str(old.pk), str(here.pk), str(there.pk)]
    assert rows[1][2:4] == ["", ""] and rows[1][11] == ""  # no dates or rating yet
    rows = read_csv(client_en.get("/board/cases.csv", {"period": "30d"}))
    assert [r[0] for r in rows[1:]] == [str(here.pk), str(there.pk)]
    rows = read_csv(client_en.get(f"/board/{county.other_township.code}/cases.csv"))
    assert [r[0] for r in rows[1:]] == [str(there.pk)]


@pytest.mark.parametrize("batch", [1, 2])
def test_the_csv_is_streamed_in_batches_with_every_row(county, submit, monkeypatch, batch):
    monkeypatch.setattr(board, "EXPORT_BATCH", batch)
    made = [submit(title=f"第{i}件", contact_name=f"住户{i}号") for i in range(5)]
    rows = list(board.export_rows(area=county.county, since=board.period_start("90d")))
    assert [r[0] for r in rows] == [str(c.pk) for c in made]


def test_a_reopened_case_labels_its_result_as_the_earlier_one(county, submit, client_en):
    case = submit(title="村口水管破裂")
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="管道已修复")

    def result_line() -> str:
        html = client_en.get(f"/board/{county.village.code}/").content.decode()
        article = re.search(rf'<article[^>]*id="case-{case.pk}".*?</article>', html, re.S)
        return re.search(r'<p class="b-resolution">.*?</p>', article.group(0), re.S).group(0)

    assert "What was done:" in result_line()
    rate(case, 1, solved=False)
    line = result_line()
    assert "管道已修复" in line
    assert "What was done:" not in line
    assert "Earlier result, before the case was reopened:" in line
    actions.accept_case(actor=county.handler, case=case)
    assert "Earlier result" in result_line()  # until it is resolved again
    actions.resolve_case(actor=county.handler, case=case, resolution="更换了整段管道")
    assert "What was done:" in result_line()
