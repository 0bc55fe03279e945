"""The board's figures against a small set of cases whose answers are known by hand."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.cases import actions
from minsheng.insight import board
from tests.insight.board.conftest import figure, rate


@pytest.fixture
def known(county, raise_case, resolve):  # type: ignore[no-untyped-def]
    """In 柳树村 (township 东湖镇): four cases resolved today after 1, 2, 4 and 10 days,
    rated 5, 4, 3 and (2, then 5 after a second resolution); one waiting for dispatch;
    one dispatched; one raised 40 days ago and still open; one hidden from the board.
    In 石门村 (the other township): one water case resolved after 6 days, rated 1 then
    left reopened."""
    a = resolve(raise_case(1))
    b = resolve(raise_case(2, category=county.water))
    c = resolve(raise_case(4))
    d = resolve(raise_case(10))
    rate(a, 5)
    rate(b, 4)
    rate(c, 3)
    rate(d, 2)
    d = actions.accept_case(actor=county.handler, case=d)
    d = actions.resolve_case(actor=county.handler, case=d, resolution="重新修好")
    rate(d, 5)
    waiting = raise_case(0, category=county.water)
    dispatched = actions.dispatch_case(
        actor=county.operator, case=raise_case(0), unit=county.village_unit
    )
    old = raise_case(40)
    hidden = resolve(raise_case(3))
    rate(hidden, 1, solved=False)
    actions.set_board_visibility(actor=county.operator, case=hidden, hidden=True, reason="涉及个人")
    e = resolve(raise_case(6, area=county.other_village, category=county.water), other=True)
    rate(e, 1, solved=False)
    return {"waiting": waiting, "dispatched": dispatched, "old": old, "hidden": hidden}


def test_county_figures_count_every_public_case_of_the_period(county, known):
    since = board.period_start("90d")
    figures = board.figures(area=county.county, since=since)
    assert figures.raised == 8  # a, b, c, d, waiting, dispatched, old, e — not the hidden one
    assert figures.resolved == 4  # e was reopened: its resolution no longer stands
    assert figures.closed == 4
    # waiting, dispatched, old and the reopened e; resolved cases are not "open".
    assert figures.open_now == 4
    # Latest ratings 5, 4, 3, 5 in 柳树村 and 1 in 石门村: 3 of 5 satisfied.
    assert (figures.rated, figures.satisfied, figures.satisfaction_percent) == (5, 3, 60)


def test_median_days_to_resolve_is_the_middle_calendar_duration(county, known):
    since = board.period_start("90d")
    # Resolutions standing: after 1, 2, 4 and 10 days → the median lies between 2 and 4.
    assert board.median_days_to_resolve(area=county.county, since=since) == pytest.approx(
        3.0, abs=0.01
    )
    assert board.median_days_to_resolve(area=county.other_township, since=since) is None


def test_a_township_board_counts_only_its_own_villages(county, known):
    since = board.period_start("90d")
    figures = board.figures(area=county.township, since=since)
    assert figures.raised == 7
    assert (figures.rated, figures.satisfied) == (4, 3)
    other = board.figures(area=county.other_township, since=since)
    assert (other.raised, other.resolved, other.open_now, other.rated) == (1, 0, 1, 1)


def test_counts_by_category_and_status(county, known):
    since = board.period_start("90d")
    by_category = {
        r.code: r.count for r in board.counts_by_category(area=county.county, since=since)
    }
    assert by_category == {"roads": 5, "water": 3}
    bars = {r.code: r.bar for r in board.counts_by_category(area=county.county, since=since)}
    assert bars == {"roads": 100, "water": 60}
    by_status = {r.status: r.count for r in board.counts_by_status(area=county.county, since=since)}
    assert by_status == {"submitted": 2, "dispatched": 1, "closed": 4, "reopened": 1}


def test_the_period_selector_changes_what_counts(county, known, client_en):
    month = board.figures(area=county.county, since=board.period_start("30d"))
    assert month.raised == 7  # the case raised 40 days ago falls out
    html = client_en.get("/board/", {"period": "30d"}).content.decode()
    assert figure(html, "raised") == "7"
    assert f'id="case-{known["old"].pk}"' not in html
    html = client_en.get("/board/", {"period": "90d"}).content.decode()
    assert figure(html, "raised") == "8"
    assert f'id="case-{known["old"].pk}"' in html


def test_a_case_raised_eleven_months_ago_counts_only_for_twelve_months(county, raise_case):
    raise_case(330)
    assert board.figures(area=county.county, since=board.period_start("90d")).raised == 0
    assert board.figures(area=county.county, since=board.period_start("12m")).raised == 1


def test_the_page_shows_the_figures_with_their_definitions(county, known, client_en):
    response = client_en.get("/board/")
    assert response.status_code == 200
    html = response.content.decode()
    assert figure(html, "raised") == "8"
    assert figure(html, "resolved") == "4"
    assert figure(html, "closed") == "4"
    assert figure(html, "open") == "4"
    assert figure(html, "median") == "3.0"
    assert figure(html, "satisfaction") == "60%"
    assert "5 cases rated" in html
    assert "in calendar days" in html
    assert 'data-category="water"' in html and 'data-status="reopened"' in html


def test_an_unknown_period_falls_back_to_ninety_days(county, known, client_en):
    html = client_en.get("/board/", {"period": "forever"}).content.decode()
    assert figure(html, "raised") == "8"
    assert 'href="?period=90d" aria-current="page"' in html


def test_figures_are_aggregate_queries_whatever_the_number_of_cases(
    county, raise_case, resolve, django_assert_max_num_queries
):
    for days in range(12):
        rate(resolve(raise_case(days)), 5)
    with django_assert_max_num_queries(8):
        board.figures(area=county.county, since=board.period_start("90d"))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(days=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=7))
def test_median_matches_the_textbook_median_for_any_set_of_durations(
    county, raise_case, resolve, days
):
    with transaction.atomic():
        start = timezone.now()
        for d in days:
            resolve(raise_case(d))
        elapsed = (timezone.now() - start) / dt.timedelta(days=1)
        median = board.median_days_to_resolve(area=county.county, since=board.period_start("90d"))
        assert median == pytest.approx(statistics.median(days), abs=elapsed + 1e-6)
        transaction.set_rollback(True)
