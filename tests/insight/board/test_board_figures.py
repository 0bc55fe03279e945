"""The board's figures against a small set of cases whose answers are known by hand."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.cases import actions
from minsheng.cases.models import Case
from minsheng.directory.calendar import WorkingCalendar
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
    return {
        "waiting": waiting,
        "dispatched": dispatched,
        "old": old,
        "hidden": hidden,
        "standing": [a, b, c, d],
    }


def test_county_figures_count_every_public_case_of_the_period(county, known):
    since = board.period_start("90d")
    figures = board.figures(area=county.county, since=since)
    assert figures.raised == 8  # a, b, c, d, waiting, dispatched, old, e — not the hidden one
    assert figures.resolved == 4  # e was reopened: its resolution no longer stands
    assert figures.closed == 4
    # waiting, dispatched, old and the reopened e: not closed, merged, declined or withdrawn.
    assert figures.open_now == 4
    # Ratings 5, 4, 3, 2, 5 in 柳树村 and 1 in 石门村 (the hidden case's 1 left out): 3 of 6.
    assert (figures.rated, figures.satisfied, figures.satisfaction_percent) == (6, 3, 50)


def test_a_resolved_case_waiting_for_its_rating_is_open(county, raise_case, resolve):
    resolve(raise_case(2))
    figures = board.figures(area=county.county, since=board.period_start("90d"))
    assert (figures.resolved, figures.closed, figures.open_now) == (1, 0, 1)


def working_median(cases: list[Case]) -> float:
    """The median of the cases' working days from raising to resolving, each rounded half
    up to a tenth of a day, read straight from the cases."""
    calendar = WorkingCalendar.load()
    tenths = []
    for case in cases:
        case.refresh_from_db()
        days = calendar.working_days_between(case.created_at, case.resolved_at)
        tenths.append(math.floor(round(days, 4) * 10 + 0.5))
    return statistics.median(tenths) / 10


def test_median_is_of_the_working_days_to_resolve(county, known):
    since = board.period_start("90d")
    # Resolutions standing: a, b, c and d, raised 1, 2, 4 and 10 days ago (not the hidden one).
    expected = working_median(known["standing"])
    assert board.median_days_to_resolve(area=county.county, since=since) == expected
    assert board.figures(area=county.county, since=since).median_days == expected
    assert board.median_days_to_resolve(area=county.other_township, since=since) is None


def test_a_hidden_case_leaves_the_median_and_the_counts(county, raise_case, resolve):
    quick = resolve(raise_case(0.5))
    slow = [resolve(raise_case(20)), resolve(raise_case(30))]
    actions.set_board_visibility(actor=county.operator, case=quick, hidden=True, reason="涉及个人")
    figures = board.figures(area=county.county, since=board.period_start("90d"))
    assert (figures.raised, figures.resolved, figures.open_now) == (2, 2, 2)
    assert figures.median_days == working_median(slow)


def test_periods_are_whole_local_days_ending_today(county, raise_case):
    today = timezone.localdate()
    first = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=89), dt.time()))
    raise_case((timezone.now() - first) / dt.timedelta(days=1) - 1 / 24 / 60)  # 00:01
    raise_case((timezone.now() - first) / dt.timedelta(days=1) + 1 / 24 / 60)  # day before
    assert board.period_start("90d") == first
    assert board.figures(area=county.county, since=board.period_start("90d")).raised == 1
    assert board.figures(area=county.county, since=board.period_start("12m")).raised == 2


def test_a_township_board_counts_only_its_own_villages(county, known):
    since = board.period_start("90d")
    figures = board.figures(area=county.township, since=since)
    assert figures.raised == 7
    assert (figures.rated, figures.satisfied) == (5, 3)
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
    assert figure(html, "median") == floatformat(working_median(known["standing"]), 1)
    assert figure(html, "satisfaction") == "50%"
    assert "6 ratings" in html
    assert "Median working days to resolve" in html
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
        cases = [resolve(raise_case(d)) for d in days]
        median = board.median_days_to_resolve(area=county.county, since=board.period_start("90d"))
        assert median == working_median(cases)
        transaction.set_rollback(True)
