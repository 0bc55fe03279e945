"""On any history written by the real actions, the rollups give the timeline's figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.cases import actions
from minsheng.cases.errors import CaseError
from minsheng.cases.models import OPEN_STATUSES, Case
from minsheng.insight.indicators import (
    Period,
    Scope,
    figures_from_rollups,
    figures_from_timeline,
    local_day,
)
from minsheng.insight.models import (
    COUNTERS,
    AreaHistogram,
    AreaOpen,
    AreaRaised,
    AreaRollup,
    AreaStatus,
    DailyRollup,
    OpenRaised,
)
from minsheng.insight.rollups import rebuild
from tests.insight.kpi_support import TZ, at  # noqa: F401 - the fixture

OPS = ("submit", "dispatch", "accept", "note", "escalate", "resolve", "rate", "return",
       "withdraw", "extend")  # fmt: skip

step = st.tuples(
    st.sampled_from(OPS),
    st.integers(min_value=0, max_value=7),  # which case
    st.integers(min_value=1, max_value=60 * 60),  # minutes since the previous step
    st.integers(min_value=0, max_value=100),  # a free choice for the operation
)


def _apply(county, cases, op, index, choice):  # type: ignore[no-untyped-def]
    c = county
    if op == "submit" or not cases:
        cases.append(
            actions.submit_case(
                actor=actions.RESIDENT,
                title="水管",
                description="村里停水了",
                category=(c.roads, c.water)[choice % 2],
                area=(c.village, c.other_village)[choice // 2 % 2],
                channel=("web", "qr")[choice // 4 % 2],
            )
        )
        return
    case = cases[index % len(cases)]
    if op == "dispatch":
        unit = (c.village_unit, c.other_village_unit, c.township_unit)[choice % 3]
        actions.dispatch_case(actor=c.operator, case=case, unit=unit)
    elif op == "accept":
        actions.accept_case(actor=c.admin, case=case)
    elif op == "note":
        actions.add_note(actor=c.admin, case=case, note="进展", is_public=choice % 2 == 0)
    elif op == "escalate":
        actor = actions.SYSTEM if choice % 2 else c.admin
        actions.escalate_case(actor=actor, case=case, reason="超时")
    elif op == "resolve":
        actions.resolve_case(actor=c.admin, case=case, resolution="已处理")
    elif op == "rate":
        actions.rate_case(
            actor=actions.RESIDENT, case=case, rating=choice % 5 + 1, is_solved=choice % 3 != 0
        )
    elif op == "return":
        actions.return_case(actor=c.admin, case=case, reason="不归我们")
    elif op == "withdraw":
        actions.withdraw_case(actor=actions.RESIDENT, case=case)
    elif op == "extend":
        # More time asked for and, mostly, granted (the extensions counter per unit).
        actions.request_extension(actor=c.admin, case=case, reason="等配件", days=choice % 3 + 1)
        if choice % 4:
            actions.grant_extension(actor=c.admin, case=case)


def _rollup_table() -> set[tuple]:
    """Every non-zero row of the daily and node rollups."""
    tables = (
        (DailyRollup, ("day", "area_id", "unit_id", "category_id", "channel"), COUNTERS),
        (AreaRollup, ("day", "area_id", "unit_id"), COUNTERS),
        (AreaRaised, ("day", "area_id", "unit_id", "category_id", "channel"), ("raised",)),
        (AreaHistogram, ("day", "area_id", "unit_id", "metric", "value"), ("n",)),
        (AreaOpen, ("area_id", "unit_id", "raised_day", "ended_day"), ("n",)),
        (AreaStatus, ("day", "area_id", "category_id", "status"), ("n",)),
        (OpenRaised, ("area_path", "category_id", "day"), ("n",)),
    )
    return {
        (model.__name__, *row)
        for model, keys, values in tables
        for row in model.objects.values_list(*keys, *values)
        if any(row[len(keys) :])
    }


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=st.datetimes(min_value=dt.datetime(2025, 9, 1), max_value=dt.datetime(2025, 10, 10)),
    steps=st.lists(step, min_size=1, max_size=40),
    cut=st.integers(min_value=0, max_value=30),
)
def test_figures_from_rollups_equal_figures_from_the_timeline(county, at, start, steps, cut):  # type: ignore[no-untyped-def]  # noqa: F811
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
        first, last = local_day(start.replace(tzinfo=TZ)), local_day(now)
        middle = min(first + dt.timedelta(days=cut), last)
        periods = [Period(first, last), Period(first, middle), Period(middle, last)]
        # Areas, the region and units whole are read from the node tables; a unit within
        # an area and a category from the daily rows and the facts.
        scopes = [
            Scope(),
            Scope(area_path=county.village.path),
            Scope(unit_id=county.village_unit.pk),
            Scope(unit_id=0),
            Scope(area_path=county.county.path),
            Scope(area_path=county.township.path),
            Scope(area_path=county.county.path, unit_id=county.village_unit.pk),
            Scope(area_path=county.county.path, unit_id=0),
            Scope(area_path=county.county.path, category_id=county.water.pk),
        ]
        for scope in scopes:
            for period in periods:
                assert figures_from_rollups(scope, period) == figures_from_timeline(
                    scope, period
                ), (scope, period)
        # The hot spots' open cases per area, category and day raised: as counted directly.
        open_now = Counter(
            (c.area_path, c.category_id, local_day(c.created_at))
            for c in Case.objects.filter(status__in=OPEN_STATUSES)
        )
        assert {
            (path, category_id, day): n
            for path, category_id, day, n in OpenRaised.objects.values_list(
                "area_path", "category_id", "day", "n"
            )
            if n
        } == dict(open_now)
        kept_current = _rollup_table()
        rebuild()
        assert _rollup_table() == kept_current
        transaction.set_rollback(True)
