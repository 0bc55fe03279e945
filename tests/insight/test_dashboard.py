"""Who may open which dashboard, and the drill-down lists behind the figures."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from minsheng.cases import actions
from minsheng.insight.dashboard_views import period_for
from minsheng.insight.indicators import Scope, timeline_facts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def work(committed_county):  # type: ignore[no-untyped-def]
    """Cases this month: two in the test township's village (one resolved), one in the
    other township's village."""
    c = committed_county

    def raise_in(area):  # type: ignore[no-untyped-def]
        return actions.submit_case(
            actor=actions.RESIDENT,
            title="停水",
            description="村里停水",
            category=c.roads,
            area=area,
        )

    resolved = raise_in(c.village)
    actions.dispatch_case(actor=c.operator, case=resolved, unit=c.village_unit)
    actions.accept_case(actor=c.handler, case=resolved)
    actions.resolve_case(actor=c.handler, case=resolved, resolution="修好了")
    waiting = raise_in(c.village)
    elsewhere = raise_in(c.other_village)
    actions.dispatch_case(actor=c.operator, case=elsewhere, unit=c.other_village_unit)
    return {"resolved": resolved, "waiting": waiting, "elsewhere": elsewhere}


def _get(client, user, url):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en")


def _figure(html: str, indicator: str) -> str:
    match = re.search(
        rf'data-indicator="{indicator}">.*?<dd class="kpi-value">(?:<a href="([^"]*)">)?([^<]*)',
        html,
        re.S,
    )
    assert match, indicator
    return match.group(2).strip()


def _drill_link(html: str, indicator: str) -> str:
    match = re.search(
        rf'data-indicator="{indicator}">.*?<dd class="kpi-value"><a href="([^"]*)">', html, re.S
    )
    assert match, indicator
    return match.group(1).replace("&amp;", "&")


def _codes(html: str) -> set[str]:
    return set(re.findall(r'class="cc-code"[^>]*>(MS\w+)<', html))


def test_a_supervisor_sees_only_the_figures_of_their_township(client, committed_county, work):  # type: ignore[no-untyped-def]
    html = _get(client, committed_county.supervisor, "/staff/dashboard/").content.decode()
    assert _figure(html, "raised") == "2"
    assert _figure(html, "resolved") == "1"
    html = _get(client, committed_county.admin, "/staff/dashboard/").content.decode()
    assert _figure(html, "raised") == "3"


def test_a_supervisor_cannot_open_an_area_outside_their_scope(client, committed_county, work):  # type: ignore[no-untyped-def]
    url = f"/staff/dashboard/?area={committed_county.other_township.pk}"
    assert _get(client, committed_county.supervisor, url).status_code == 404


def test_the_handler_of_another_unit_cannot_open_a_unit_dashboard(client, committed_county):  # type: ignore[no-untyped-def]
    url = reverse("dashboard:unit", args=[committed_county.village_unit.pk])
    assert _get(client, committed_county.other_handler, url).status_code == 404
    assert _get(client, committed_county.other_supervisor, url).status_code == 404
    assert _get(client, committed_county.handler, url).status_code == 200
    assert _get(client, committed_county.supervisor, url).status_code == 200


def test_a_handler_opening_the_dashboard_lands_on_their_unit(client, committed_county):  # type: ignore[no-untyped-def]
    response = _get(client, committed_county.handler, "/staff/dashboard/")
    assert response.status_code == 302
    assert response.url == reverse("dashboard:unit", args=[committed_county.village_unit.pk])


def test_a_handler_cannot_list_another_units_cases(client, committed_county, work):  # type: ignore[no-untyped-def]
    url = f"/staff/dashboard/cases/?drill=raised&unit={committed_county.village_unit.pk}"
    assert _get(client, committed_county.other_handler, url).status_code == 404
    assert (
        _get(client, committed_county.handler, "/staff/dashboard/cases/?drill=raised").status_code
        == 404
    )


@pytest.mark.parametrize("indicator", ["raised", "resolved", "open_at_end", "response_rate"])
def test_a_figure_links_to_exactly_the_cases_it_counts(client, committed_county, work, indicator):  # type: ignore[no-untyped-def]
    c = committed_county
    html = _get(client, c.supervisor, "/staff/dashboard/").content.decode()
    listed = _codes(_get(client, c.supervisor, _drill_link(html, indicator)).content.decode())
    period = period_for("this_month")
    facts = timeline_facts(Scope(area_path=c.township.path))
    expected_ids = {
        "raised": {f.case_id for f in facts if f.raised_day in period},
        "resolved": {f.case_id for f in facts if f.resolved_day in period},
        "open_at_end": {f.case_id for f in facts if f.ended_day is None},
        "response_rate": {
            f.case_id for f in facts if f.raised_day in period and f.response_seconds is not None
        },
    }[indicator]
    expected = {case.tracking_code for case in work.values() if case.pk in expected_ids}
    assert expected
    assert listed == expected


def test_a_unit_dashboard_compares_with_its_township(client, committed_county, work):  # type: ignore[no-untyped-def]
    url = reverse("dashboard:unit", args=[committed_county.village_unit.pk])
    html = _get(client, committed_county.handler, url).content.decode()
    assert _figure(html, "raised") == "1"  # the waiting case is held by no unit yet
    assert re.search(r'data-indicator="raised">.*?kpi-compare">[^<]*<span>2</span>', html, re.S)


def test_escalations_count_each_escalation_and_the_list_says_so(client, committed_county, work):  # type: ignore[no-untyped-def]
    c = committed_county
    case = actions.dispatch_case(actor=c.operator, case=work["waiting"], unit=c.village_unit)
    case = actions.escalate_case(actor=actions.SYSTEM, case=case, reason="逾期")
    actions.escalate_case(actor=actions.SYSTEM, case=case, reason="逾期")
    html = _get(client, c.supervisor, "/staff/dashboard/").content.decode()
    assert _figure(html, "escalations") == "2"
    listing = _get(client, c.supervisor, _drill_link(html, "escalations")).content.decode()
    assert _codes(listing) == {case.tracking_code}
    assert "a case escalated more than once" in listing


def test_a_county_unit_in_a_township_ranking_links_to_its_cases_in_that_township(
    client, committed_county, work
):  # type: ignore[no-untyped-def]
    c = committed_county
    here = actions.submit_case(
        actor=actions.RESIDENT,
        title="水质发黄",
        description="自来水发黄",
        category=c.roads,
        area=c.village,
    )
    there = actions.submit_case(
        actor=actions.RESIDENT,
        title="水质发浑",
        description="自来水发浑",
        category=c.roads,
        area=c.other_village,
    )
    for case in (here, there):
        case = actions.dispatch_case(actor=c.operator, case=case, unit=c.county_unit)
        case = actions.accept_case(actor=c.county_handler, case=case)
        actions.resolve_case(actor=c.county_handler, case=case, resolution="已冲洗管网")
    assert (
        _get(client, c.supervisor, reverse("dashboard:unit", args=[c.county_unit.pk])).status_code
        == 404
    )

    html = _get(client, c.supervisor, "/staff/dashboard/").content.decode()
    link = re.search(r'<a href="([^"]*)">县水利局</a>', html)
    assert link, "the county bureau is ranked in the township"
    response = _get(client, c.supervisor, link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert _codes(response.content.decode()) == {here.tracking_code}
    # The same list for a township outside the supervisor's scope stays closed.
    url = (
        link.group(1)
        .replace("&amp;", "&")
        .replace(f"area={c.township.pk}", f"area={c.other_township.pk}")
    )
    assert _get(client, c.supervisor, url).status_code == 404


def test_the_weakest_are_the_foot_of_the_ranking_and_never_as_good_as_the_best():
    from minsheng.insight.dashboard_views import Ranked, _best_and_worst

    perfect = [Ranked(f"满分{i}", resolved=3 + i, on_time=3 + i, deadlines=3 + i) for i in range(7)]
    slow = [
        Ranked("慢一", resolved=10, on_time=5, deadlines=10),
        Ranked("慢二", resolved=2, on_time=1, deadlines=2),
    ]
    best, worst = _best_and_worst(perfect + slow)
    assert [r.name for r in best] == ["满分6", "满分5", "满分4", "满分3", "满分2"]
    # Equal rates: fewer deadlines settled ranks lower, so it heads the weakest list.
    assert [r.name for r in worst] == ["慢二", "慢一"]


def test_the_list_behind_a_figure_says_how_many_and_downloads_as_it_lists(
    client, committed_county, work
):  # type: ignore[no-untyped-def]
    c = committed_county
    html = _get(client, c.supervisor, "/staff/dashboard/").content.decode()
    url = _drill_link(html, "raised")
    page = _get(client, c.supervisor, url).content.decode()
    assert "<strong>2 cases</strong>" in page
    response = _get(client, c.supervisor, url + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    listed = {work["resolved"].tracking_code, work["waiting"].tracking_code}
    assert {line.split(",")[0] for line in body.splitlines()[1:]} == listed
    assert work["elsewhere"].tracking_code not in body


def test_any_past_month_can_be_chosen_and_a_future_or_bad_one_falls_back():
    import datetime as dt

    from minsheng.insight.dashboard_views import period_key

    today = dt.date(2026, 11, 25)
    september = period_for(period_key("2026-09", today), today)
    assert (september.start, september.end) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    february = period_for("2024-02", today)
    assert february.end == dt.date(2024, 2, 29)
    running = period_for("2026-11", today)
    assert (running.start, running.end) == (dt.date(2026, 11, 1), today)
    for bad in ("2026-12", "2026-13", "26-1", "<script>", ""):
        assert period_key(bad, today) == "this_month"
    year = period_for("this_year", today)
    assert (year.start, year.end) == (dt.date(2026, 1, 1), today)


def test_the_dashboard_shows_a_chosen_month_and_its_lists_follow(client, committed_county, work):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    month = timezone.localdate().strftime("%Y-%m")
    html = _get(client, committed_county.supervisor, f"/staff/dashboard/?period={month}")
    html = html.content.decode()
    assert _figure(html, "raised") == "2"
    assert f'name="period" value="{month}"' in html
    link = _drill_link(html, "raised")
    assert f"period={month}" in link
    listed = _codes(_get(client, committed_county.supervisor, link).content.decode())
    assert listed == {work["resolved"].tracking_code, work["waiting"].tracking_code}


@pytest.mark.parametrize("indicator", ["satisfaction_rate", "mean_rating"])
def test_the_satisfaction_figures_link_to_the_cases_rated_in_the_period(
    client, committed_county, work, indicator
):  # type: ignore[no-untyped-def]
    c = committed_county
    actions.rate_case(actor=actions.RESIDENT, case=work["resolved"], rating=2, is_solved=False)
    html = _get(client, c.supervisor, "/staff/dashboard/").content.decode()
    page = _get(client, c.supervisor, _drill_link(html, indicator)).content.decode()
    assert _codes(page) == {work["resolved"].tracking_code}
    assert "rated again after a reopening" in page


def test_a_case_the_deadline_took_from_a_unit_counts_for_that_unit(client, committed_county, work):  # type: ignore[no-untyped-def]
    """The sweep escalated it from the village: the village's escalations, missed deadlines
    and drill list show it; the township it climbed to carries none of it."""
    c = committed_county
    case = actions.dispatch_case(actor=c.operator, case=work["waiting"], unit=c.village_unit)
    actions.escalate_case(actor=actions.SYSTEM, case=case, reason="逾期")
    village = _get(
        client, c.handler, reverse("dashboard:unit", args=[c.village_unit.pk])
    ).content.decode()
    assert _figure(village, "escalations") == "1"
    assert _figure(village, "deadlines_missed") == "1"
    listing = _get(
        client, c.supervisor, f"/staff/dashboard/cases/?drill=escalated&unit={c.village_unit.pk}"
    ).content.decode()
    assert _codes(listing) == {case.tracking_code}
    township = _get(
        client, c.supervisor, f"/staff/dashboard/cases/?drill=escalated&unit={c.township_unit.pk}"
    ).content.decode()
    assert _codes(township) == set()
    missed = _get(
        client, c.supervisor, f"/staff/dashboard/cases/?drill=missed&unit={c.village_unit.pk}"
    ).content.decode()
    assert _codes(missed) == {case.tracking_code}
