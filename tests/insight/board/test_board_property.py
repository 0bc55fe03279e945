"""On any history written by the real actions, with some cases hidden from the board, the
board's figures (rollups less the hidden cases) equal a count straight from the public
cases' timelines under the dashboard's definitions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import Case
from minsheng.insight import board
from minsheng.insight.indicators import Period, Scope, figures_from_facts, local_day, timeline_facts
from tests.insight.kpi_support import TZ, at  # noqa: F401 - the fixture
from tests.insight.test_rollups_property import _apply, step


def _direct(area, period: Period) -> board.Figures:  # type: ignore[no-untyped-def]
    """The figures from the public cases' own timelines, no rollup involved."""
    public = set(
        Case.objects.filter(area_path__startswith=area.path, hidden_from_board=False).values_list(
            "pk", flat=True
        )
    )
    found = figures_from_facts(
        [f for f in timeline_facts(Scope(area_path=area.path)) if f.case_id in public], period
    )
    return board.Figures(
        raised=found.counters["raised"],
        resolved=found.counters["resolved"],
        closed=found.counters["closed"],
        open_now=found.values["open_at_end"],
        median_days=found.values["resolve_days_median"],
        rated=found.counters["rated"],
        satisfied=found.counters["rated_4_5"],
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.datetimes(min_value=dt.datetime(2025, 9, 1), max_value=dt.datetime(2025, 10, 10)),
    steps=st.lists(step, min_size=1, max_size=30),
    hide=st.lists(st.tuples(st.integers(0, 7), st.sampled_from([True, True, False])), max_size=4),
    cut=st.integers(min_value=0, max_value=30),
)
def test_board_figures_equal_a_direct_count_of_the_public_cases(  # noqa: PLR0913
    county,
    at,  # noqa: F811
    start,
    steps,
    hide,
    cut,
):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        now = start.replace(tzinfo=TZ)
        cases: list = []
        for op, index, minutes, choice in steps:
            now += dt.timedelta(minutes=minutes)
            try:
                with at(now):
                    _apply(county, cases, op, index, choice)
            except CaseError:
                pass
        # Staff hide some cases, and show some again, after their histories.
        now += dt.timedelta(minutes=1)
        with at(now):
            for index, hidden in hide:
                if not cases:
                    break
                case = Case.objects.get(pk=cases[index % len(cases)].pk)
                try:
                    actions.set_board_visibility(
                        actor=county.operator, case=case, hidden=hidden, reason="涉及个人"
                    )
                except CaseError:  # already in that state
                    pass
            first, today = local_day(start.replace(tzinfo=TZ)), local_day(now)
            for day in {first, min(first + dt.timedelta(days=cut), today), today}:
                since = timezone.make_aware(dt.datetime.combine(day, dt.time()))
                period = Period(day, today)
                for area in (county.county, county.township, county.village, county.other_village):
                    assert board.figures(area=area, since=since) == _direct(area, period), (
                        area,
                        period,
                    )
                    # Status now × category of the cases raised in the period.
                    raised = Case.objects.filter(
                        area_path__startswith=area.path,
                        hidden_from_board=False,
                        created_at__gte=since,
                    )
                    breakdown = board._breakdown(area, period, board.hidden_facts(area))
                    assert breakdown == dict(
                        Counter(raised.values_list("status", "category_id"))
                    ), (area, period)
                children = board.child_areas(area=county.county, since=since)
                assert {c.area.pk: c.raised for c in children} == {
                    c.area.pk: _direct(c.area, period).raised for c in children
                }
        transaction.set_rollback(True)
