"""Hot spots: bursts of alike open cases in one area, found, scoped, ranked and acted on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel, EventKind, Status
from minsheng.insight import hotspots as hs
from minsheng.insight.rollups import rebuild
from tests.factories import AreaFactory

OUTAGE = ("杏花村停水了", "杏花村二组水管爆了，全组没有水，老人孩子喝水做饭都成问题。")
BILL = ("水费比上月多了一倍", "这个月水费单上写用了三十多吨，怀疑抄表抄错了，请核对水表读数。")


def raise_case(area, category, hours_ago: float, text=OUTAGE) -> Case:  # type: ignore[no-untyped-def]
    """A resident's report raised ``hours_ago`` (a ledger row keeps its original time),
    with the rollups brought up to date as after a real commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return actions.submit_case(
            actor=actions.RESIDENT,
            title=text[0],
            description=text[1],
            category=category,
            area=area,
            channel=Channel.IMPORT,
            raised_at=timezone.now() - dt.timedelta(hours=hours_ago),
        )


def burst(county, n: int = 12, area=None, text=OUTAGE) -> list[Case]:  # type: ignore[no-untyped-def]
    """``n`` reports of no water spread over the last three days."""
    return [
        raise_case(area or county.village, county.water, 1 + i * 66 / max(n - 1, 1), text)
        for i in range(n)
    ]


def page(client, user, url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, response.content.decode()


SECTION = re.compile(r'<section[^>]* id="hotspots".*?</section>', re.S)


def dashboard_page(client, user, url: str = "/staff/dashboard/") -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The dashboard as a browser shows it once its script has run: a section waiting for
    a search is replaced by the section fetched from the address it names."""
    status, html = page(client, user, url)
    waiting = re.search(r'data-hs-section="([^"]+)"', html)
    if waiting is None:
        return status, html
    fetched = client.get(waiting.group(1).replace("&amp;", "&"), HTTP_ACCEPT_LANGUAGE="en")
    assert fetched.status_code == 200
    section = SECTION.search(fetched.content.decode()).group(0)
    return status, SECTION.sub(lambda _: section, html, count=1)


def test_twelve_reports_of_no_water_in_one_village_in_three_days_are_a_hot_spot(client, county):  # type: ignore[no-untyped-def]
    cases = burst(county)
    spots = hs.find_hotspots(user=county.supervisor)
    assert len(spots) == 1
    spot = spots[0]
    assert (spot.area, spot.category, spot.level) == (county.village, county.water, "village")
    assert sorted(spot.case_ids) == sorted(c.pk for c in cases)
    assert spot.first_reported == min(c.created_at for c in cases)
    assert spot.last_reported == max(c.created_at for c in cases)
    assert spot.titles == ["杏花村停水了"]
    assert spot.units == [(None, 12)]

    status, html = page(client, county.supervisor, "/staff/hotspots/")
    assert status == 200
    assert "12 open cases within 3 days" in html
    assert f'href="/staff/hotspots/{spot.key}/?' in html


def test_reports_of_a_village_grid_count_for_the_village(county):  # type: ignore[no-untyped-def]
    grid = AreaFactory(name="柳树村一网格", kind="grid", parent=county.village)
    burst(county, n=2)
    raise_case(grid, county.water, 5)
    spots = hs.find_hotspots(user=county.supervisor)
    assert [(s.area, s.count) for s in spots] == [(county.village, 3)]


def test_the_same_reports_scattered_over_a_month_are_not_a_hot_spot(client, county):  # type: ignore[no-untyped-def]
    for i in range(10):
        raise_case(county.village, county.water, 12 + i * 70)  # one every three days or so
    raise_case(county.other_village, county.water, 2)
    raise_case(county.other_village, county.water, 3)
    raise_case(county.other_village, county.water, 5 * 24)
    assert hs.find_hotspots(user=county.admin) == []
    status, html = page(client, county.admin, "/staff/hotspots/")
    assert "No burst of similar open cases with these settings." in html
    # A wider window finds the quiet village's three in seven days; the busy village's
    # three in any week are its usual rate.
    wider = hs.find_hotspots(user=county.admin, window_days=7)
    assert [(s.area, s.count) for s in wider] == [(county.other_village, 3)]
    status, html = page(client, county.admin, "/staff/hotspots/?window=7&min=3")
    assert "3 open cases within 7 days" in html


def test_closed_withdrawn_and_merged_cases_do_not_count(county):  # type: ignore[no-untyped-def]
    first, second, third, fourth = burst(county, n=4)
    actions.withdraw_case(actor=actions.RESIDENT, case=first, reason="已经来水了")
    actions.merge_case(actor=county.operator, case=second, into=third)
    assert hs.find_hotspots(user=county.supervisor) == []
    fifth = raise_case(county.village, county.water, 2)
    [spot] = hs.find_hotspots(user=county.supervisor)
    assert sorted(spot.case_ids) == sorted([third.pk, fourth.pk, fifth.pk])


def test_a_township_supervisor_does_not_see_another_townships_hot_spot(client, county):  # type: ignore[no-untyped-def]
    burst(county, n=5, area=county.other_village)
    assert hs.find_hotspots(user=county.supervisor) == []
    [spot] = hs.find_hotspots(user=county.other_supervisor)
    assert spot.area == county.other_village
    status, html = page(client, county.supervisor, "/staff/hotspots/")
    assert county.other_village.name not in html
    assert page(client, county.supervisor, f"/staff/hotspots/{spot.key}/")[0] == 404
    url = f"/staff/hotspots/?area={county.other_township.pk}"
    assert page(client, county.supervisor, url)[0] == 404
    assert page(client, county.other_supervisor, f"/staff/hotspots/{spot.key}/")[0] == 200


def test_handlers_have_no_hot_spot_pages(client, county):  # type: ignore[no-untyped-def]
    burst(county, n=3)
    assert page(client, county.handler, "/staff/hotspots/")[0] == 403


def test_a_township_is_a_hot_spot_when_no_single_village_is(county):  # type: ignore[no-untyped-def]
    second_village = AreaFactory(name="杏花村", kind="village", parent=county.township)
    burst(county, n=2)
    burst(county, n=2, area=second_village)
    [spot] = hs.find_hotspots(user=county.supervisor)
    assert (spot.area, spot.level, spot.count) == (county.township, "township", 4)
    # Once one village has a burst of its own, the township is not reported besides it.
    raise_case(county.village, county.water, 4)
    [spot] = hs.find_hotspots(user=county.supervisor)
    assert (spot.area, spot.count) == (county.village, 3)


def test_a_burst_is_measured_against_the_areas_usual_rate(county):  # type: ignore[no-untyped-def]
    # The village raises a water case every other day; four in three days is ordinary
    # there, while three in three days in a quiet village is not.
    for day in range(5, 95, 2):
        raise_case(county.village, county.water, day * 24)
    burst(county, n=4)
    assert hs.find_hotspots(user=county.admin) == []
    burst(county, n=3, area=county.other_village)
    spots = hs.find_hotspots(user=county.admin)
    assert [s.area for s in spots] == [county.other_village]
    rebuild()  # rebuilt rollups say the same
    assert [s.area for s in hs.find_hotspots(user=county.admin)] == [county.other_village]
    usual = hs.find_hotspots(user=county.admin, area=county.village)
    assert usual == []
    # With the minimum lowered the busy village shows, ranked below the quiet one.
    spots = hs.find_hotspots(user=county.admin, min_count=2)
    assert spots[0].area == county.other_village
    assert spots[0].surprise > 5


def test_unrelated_cases_of_the_category_are_split_off_by_their_words(client, county):  # type: ignore[no-untyped-def]
    outage = burst(county, n=5)
    bills = burst(county, n=3, text=BILL)
    lumped = hs.find_hotspots(user=county.supervisor, by_text=False)
    assert [s.count for s in lumped] == [8]
    split = hs.find_hotspots(user=county.supervisor)
    assert sorted(sorted(s.case_ids) for s in split) == sorted(
        [sorted(c.pk for c in outage), sorted(c.pk for c in bills)]
    )
    assert all(
        page(client, county.supervisor, f"/staff/hotspots/{s.key}/")[0] == 200 for s in split
    )


def test_supervisor_coordinates_a_hot_spot_as_one_case(client, county):  # type: ignore[no-untyped-def]
    lead, resolved, *rest = burst(county, n=5)
    actions.dispatch_case(actor=county.operator, case=lead, unit=county.village_unit)
    actions.dispatch_case(actor=county.operator, case=resolved, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=resolved)
    actions.resolve_case(actor=county.handler, case=resolved, resolution="已修好")
    [spot] = hs.find_hotspots(user=county.supervisor)
    assert spot.count == 5

    client.force_login(county.supervisor)
    detail = client.get(f"/staff/hotspots/{spot.key}/", HTTP_ACCEPT_LANGUAGE="en")
    html = detail.content.decode()
    for case in spot.cases:
        assert f'href="/staff/cases/{case.pk}/"' in html
    assert "1 case cannot be merged by you in its current state" in html
    # The suggested lead is the case a unit already works on.
    assert re.search(rf'name="lead" value="{lead.pk}" checked', html)
    posted = [f"{c.pk}:{c.version}" for c in Case.objects.filter(pk__in=spot.case_ids)]
    response = client.post(
        f"/staff/hotspots/{spot.key}/coordinate/",
        {"lead": lead.pk, "case": posted},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/staff/cases/{lead.pk}/"
    text = response.content.decode()
    assert f"3 cases were merged into {lead.tracking_code}" in text
    assert f"{resolved.tracking_code} was not merged" in text

    for case in rest:
        case.refresh_from_db()
        assert (case.status, case.merged_into_id) == (Status.MERGED, lead.pk)
        event = case.events.get(kind=EventKind.MERGED)
        assert (event.actor, event.data["into"]) == (county.supervisor, lead.pk)
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    lead.refresh_from_db()
    assert lead.status == Status.DISPATCHED
    assert hs.find_hotspots(user=county.supervisor) == []
    # The residents of the merged cases now follow the lead case on their own page.
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # else the case's own language
    tracking = client.get(f"/track/{rest[0].tracking_code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert tracking.status_code == 200
    survivor = tracking.content.decode().split("Progress of the request it joined")[1]
    assert "dispatched" in survivor and county.village_unit.name in survivor


def test_a_case_changed_meanwhile_is_reported_not_merged(county):  # type: ignore[no-untyped-def]
    cases = burst(county, n=3)
    seen = [(c.pk, c.version) for c in cases]
    actions.dispatch_case(actor=county.operator, case=cases[2], unit=county.village_unit)
    # The reason is said in the active language (it passed only after an English request).
    with translation.override("en"):
        result = hs.coordinate_as_one_case(actor=county.supervisor, lead=cases[0].pk, cases=seen)
    assert [c.pk for c in result.merged] == [cases[1].pk]
    assert [r.case_id for r in result.refused] == [cases[2].pk]
    assert "Someone else changed this case" in result.refused[0].reason
    cases[2].refresh_from_db()
    assert cases[2].status == Status.DISPATCHED


def test_cases_out_of_the_users_sight_are_refused_not_merged(county):  # type: ignore[no-untyped-def]
    mine = burst(county, n=2)
    theirs = raise_case(county.other_village, county.water, 3)
    result = hs.coordinate_as_one_case(
        actor=county.supervisor,
        lead=mine[0].pk,
        cases=[(mine[1].pk, None), (theirs.pk, None)],
    )
    assert [c.pk for c in result.merged] == [mine[1].pk]
    assert [(r.case_id, r.code) for r in result.refused] == [(theirs.pk, f"#{theirs.pk}")]
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_the_dashboard_shows_the_hot_spots_with_working_links(client, county):  # type: ignore[no-untyped-def]
    burst(county)
    status, html = dashboard_page(client, county.supervisor)
    assert status == 200
    section = html[html.index('id="hotspots"') :]
    section = section[: section.index("</section>")]
    assert "12 open cases within 3 days" in section
    links = [
        a.replace("&amp;", "&") for a in re.findall(r'href="(/staff/hotspots/[^"]+)"', section)
    ]
    assert any(link.startswith("/staff/hotspots/?") for link in links)
    detail = next(link for link in links if not link.startswith("/staff/hotspots/?"))
    status, html = page(client, county.supervisor, detail)
    assert status == 200
    assert html.count('class="cc-code"') == 12
    # Elsewhere nothing is burning: the other township's dashboard says so.
    status, html = dashboard_page(client, county.other_supervisor)
    assert "No burst of similar open cases right now." in html


def test_a_hot_spot_links_to_recording_a_need_with_its_cases(client, county):  # type: ignore[no-untyped-def]
    cases = burst(county, n=3)
    [spot] = hs.find_hotspots(user=county.supervisor)
    try:
        base = reverse("projects:need_new")
    except NoReverseMatch:
        pytest.skip("the projects app is not installed")
    status, html = page(client, county.supervisor, f"/staff/hotspots/{spot.key}/")
    link = re.search(rf'href="({re.escape(base)}\?[^"]+)"', html).group(1).replace("&amp;", "&")
    ids = re.search(r"cases=([0-9%C]+)", link).group(1).split("%2C")
    assert sorted(map(int, ids)) == sorted(c.pk for c in cases)
    assert f"area={county.village.pk}" in link and f"category={county.water.pk}" in link
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    # The need form opens with the hot spot's cases attached.
    html = response.content.decode()
    assert "From 3 cases" in html
    assert all(c.tracking_code in html for c in cases)


def test_the_odds_of_a_burst_follow_the_poisson_tail():
    assert hs.poisson_tail(0, 2.0) == 1.0
    assert hs.poisson_tail(1, 2.0) == pytest.approx(1 - 2.718281828**-2)
    # Twelve reports where one in 150 days is usual: about 0.02^12 / 12!.
    assert hs.poisson_tail(12, 0.02) == pytest.approx(0.02**12 / 479001600, rel=0.01)


def test_the_list_shows_the_most_unusual_and_says_when_there_are_more(client, county, monkeypatch):  # type: ignore[no-untyped-def]
    from minsheng.insight import hotspot_snapshots

    burst(county)  # twelve in three days: the more unusual
    burst(county, n=4, area=county.other_village, text=BILL)
    status, html = page(client, county.admin, "/staff/hotspots/")
    assert html.count('class="hs-card"') == 2
    assert "most unusual are shown" not in html

    monkeypatch.setattr(hotspot_snapshots, "LIST_SHOWN", 1)
    status, html = page(client, county.admin, "/staff/hotspots/")
    assert html.count('class="hs-card"') == 1
    assert county.village.name in html and county.other_village.name not in html
    assert "Only the 1 most unusual are shown." in html
