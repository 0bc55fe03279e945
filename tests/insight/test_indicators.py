"""Each indicator on a small hand-made history whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Channel
from minsheng.insight.indicators import (
    Period,
    Scope,
    figures_from_rollups,
    figures_from_timeline,
)
from tests.insight.kpi_support import at, moment  # noqa: F401 - the fixture

WEEK = Period(dt.date(2025, 6, 9), dt.date(2025, 6, 15))


@pytest.fixture
def history(county, submit, at):  # type: ignore[no-untyped-def]  # noqa: F811
    """Five cases around the week of 9–15 June 2025 in the test county.

    A: raised Mon 10:00, accepted 11:00, resolved Tue 09:00 inside its village deadline,
       rated 5 → closed.
    B: raised Mon 12:00 by QR, escalated by the deadline Tue 13:00, accepted by the township
       Tue 14:00, resolved Wed 12:00, rated 2 → reopened, resolved Thu 12:00, rated 4 → closed.
    C: raised Wed 09:00, never dispatched: open, 4 days old on Sunday.
    D: raised Tue 09:00, withdrawn Tue 10:00.
    E: raised Sun 1 June, accepted 3 June, still in progress: open, 14 days old.
    """
    c = county
    with at(moment(9, 10)):
        a = submit()
    with at(moment(9, 10, 30)):
        actions.dispatch_case(actor=c.operator, case=a, unit=c.village_unit)
    with at(moment(9, 11)):
        actions.accept_case(actor=c.handler, case=a)
    with at(moment(10, 9)):
        actions.resolve_case(actor=c.handler, case=a, resolution="修好了")
    with at(moment(10, 12)):
        actions.rate_case(actor=actions.RESIDENT, case=a, rating=5, is_solved=True)

    with at(moment(9, 12)):
        b = submit(channel=Channel.QR)
        actions.dispatch_case(actor=c.operator, case=b, unit=c.village_unit)
    with at(moment(10, 13)):
        actions.escalate_case(actor=actions.SYSTEM, case=b, reason="deadline passed")
    with at(moment(10, 14)):
        actions.accept_case(actor=c.township_handler, case=b)
    with at(moment(11, 12)):
        actions.resolve_case(actor=c.township_handler, case=b, resolution="处理了")
    with at(moment(11, 15)):
        actions.rate_case(actor=actions.RESIDENT, case=b, rating=2, is_solved=False)
    with at(moment(12, 10)):
        actions.accept_case(actor=c.township_handler, case=b)
    with at(moment(12, 12)):
        actions.resolve_case(actor=c.township_handler, case=b, resolution="这次修好了")
    with at(moment(12, 13)):
        actions.rate_case(actor=actions.RESIDENT, case=b, rating=4, is_solved=True)

    with at(moment(11, 9)):
        cc = submit()
    with at(moment(10, 9)):
        d = submit()
    with at(moment(10, 10)):
        actions.withdraw_case(actor=actions.RESIDENT, case=d, reason="不需要了")
    with at(moment(1, 10)):
        e = submit()
    with at(moment(3, 9)):
        actions.dispatch_case(actor=c.operator, case=e, unit=c.village_unit)
        actions.accept_case(actor=c.handler, case=e)
    return {"A": a, "B": b, "C": cc, "D": d, "E": e}


EXPECTED = {
    "raised": 4,
    "open_at_end": 2,
    "response_rate": 0.5,
    "response_hours_median": 13.5,  # 1 h and 26 h
    "resolved": 2,
    # Deadlines settled: A's met; B's missed at the village (the township's resolution of
    # B after it climbed settles no deadline of its own).
    "on_time_rate": 0.5,
    "deadlines_missed": 1,
    "escalations": 1,
    "extensions": 0,
    "resolution_rate": 0.5,  # B was reopened
    "reopen_rate": 0.5,
    "satisfaction_rate": 2 / 3,  # ratings 5, 2, 4
    "mean_rating": 11 / 3,
    "share_rated": 1.0,
    # 23 h (0.9583 working days, counted as 1.0) and 3 working days
    "resolve_days_median": (1.0 + 3.0) / 2,
    "resolve_days_p90": 3.0,
}


@pytest.mark.parametrize("compute", [figures_from_timeline, figures_from_rollups])
def test_every_indicator_matches_the_hand_worked_answer(history, county, compute) -> None:  # type: ignore[no-untyped-def]
    figures = compute(Scope(area_path=county.county.path), WEEK)
    assert figures.values == pytest.approx(EXPECTED)
    assert figures.by_channel == {"qr": 1, "web": 3}
    assert figures.by_category == {county.roads.pk: 4}
    assert figures.backlog == {"lt1": 0, "d1_3": 0, "d3_7": 1, "d7_30": 1, "ge30": 0}


@pytest.mark.parametrize("compute", [figures_from_timeline, figures_from_rollups])
def test_the_unit_that_held_a_case_when_its_deadline_passed_carries_the_miss(
    history, county, compute
) -> None:  # type: ignore[no-untyped-def]
    """B ran out of time with the village and climbed to the township by itself: the miss
    and the escalation are the village's, not the township's that then resolved it."""
    township = compute(Scope(area_path=county.county.path, unit_id=county.township_unit.pk), WEEK)
    assert township.values["resolved"] == 1
    assert township.values["escalations"] == 0
    assert township.values["deadlines_missed"] == 0
    # The township settled no deadline of its own on B: neither credited nor blamed.
    assert township.values["on_time_rate"] is None
    village = compute(Scope(area_path=county.county.path, unit_id=county.village_unit.pk), WEEK)
    assert village.values["escalations"] == 1
    assert village.values["deadlines_missed"] == 1
    # A met its deadline, B missed it; E is still open with the village.
    assert village.values["on_time_rate"] == 0.5
    assert village.values["open_at_end"] == 1
    # The region-wide unit node says the same.
    region = compute(Scope(unit_id=county.village_unit.pk), WEEK)
    assert region.values["deadlines_missed"] == 1


def test_a_unit_ranks_by_the_deadlines_it_settled(history, county) -> None:  # type: ignore[no-untyped-def]
    from minsheng.insight.dashboard_views import _unit_ranking

    best, _worst = _unit_ranking(Scope(area_path=county.county.path), WEEK, None)
    by_name = {r.name: r for r in best}
    village = by_name[county.village_unit.label]
    assert (village.resolved, village.on_time, village.deadlines, village.late) == (1, 1, 2, 1)
    # The township resolved B after it climbed, but settled no deadline: not ranked.
    assert county.township_unit.label not in by_name


def test_a_period_before_the_cases_were_resolved_sees_them_open(history, county) -> None:  # type: ignore[no-untyped-def]
    monday = Period(dt.date(2025, 6, 9), dt.date(2025, 6, 9))
    figures = figures_from_rollups(Scope(area_path=county.county.path), monday)
    assert figures.values["raised"] == 2
    assert figures.values["resolved"] == 0
    assert figures.values["on_time_rate"] is None
    assert figures.values["open_at_end"] == 3  # A, B and E
    assert figures == figures_from_timeline(Scope(area_path=county.county.path), monday)


def test_another_township_sees_none_of_these_cases(history, county) -> None:  # type: ignore[no-untyped-def]
    figures = figures_from_rollups(Scope(area_path=county.other_township.path), WEEK)
    assert figures.values["raised"] == 0
    assert figures.values["open_at_end"] == 0
