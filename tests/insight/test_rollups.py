"""The rollups follow committed events only, and the rebuild command is repeatable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from minsheng.cases import actions
from minsheng.insight.indicators import Period, Scope, figures_from_rollups
from minsheng.insight.models import COUNTERS, CaseFact, DailyRollup
from minsheng.insight.rollups import rebuild

pytestmark = pytest.mark.django_db(transaction=True)


def _raised() -> int:
    return sum(DailyRollup.objects.values_list("raised", flat=True))


def _table() -> list[tuple]:
    return sorted(
        row
        for row in DailyRollup.objects.values_list(
            "day", "area_id", "unit_id", "category_id", "channel", *COUNTERS
        )
        if any(row[5:])
    )


def _submit(county):  # type: ignore[no-untyped-def]
    return actions.submit_case(
        actor=actions.RESIDENT,
        title="路灯坏了",
        description="村口路灯不亮",
        category=county.roads,
        area=county.village,
    )


def test_a_committed_action_updates_the_rollups_at_once(committed_county) -> None:  # type: ignore[no-untyped-def]
    case = _submit(committed_county)
    actions.dispatch_case(
        actor=committed_county.operator, case=case, unit=committed_county.village_unit
    )
    actions.accept_case(actor=committed_county.handler, case=case)
    today = dt.date.today()
    figures = figures_from_rollups(
        Scope(area_path=committed_county.county.path), Period(today - dt.timedelta(days=1), today)
    )
    assert figures.values["raised"] == 1
    assert figures.values["response_rate"] == 1.0
    assert CaseFact.objects.get(case_id=case.pk).unit_id == committed_county.village_unit.pk


def test_a_rolled_back_action_leaves_the_rollups_unchanged(committed_county) -> None:  # type: ignore[no-untyped-def]
    case = _submit(committed_county)
    before = _table()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.dispatch_case(
            actor=committed_county.operator, case=case, unit=committed_county.village_unit
        )
        _submit(committed_county)
        raise RuntimeError("the request failed after the actions")
    assert _table() == before
    assert _raised() == 1
    assert CaseFact.objects.get(case_id=case.pk).unit_id == 0


def test_rebuild_twice_gives_the_same_tables_as_the_event_stream(committed_county) -> None:  # type: ignore[no-untyped-def]
    c = committed_county
    first = _submit(c)
    actions.dispatch_case(actor=c.operator, case=first, unit=c.village_unit)
    actions.accept_case(actor=c.handler, case=first)
    actions.resolve_case(actor=c.handler, case=first, resolution="修好了")
    actions.rate_case(actor=actions.RESIDENT, case=first, rating=4, is_solved=True)
    second = _submit(c)
    actions.dispatch_case(actor=c.operator, case=second, unit=c.village_unit)
    actions.return_case(actor=c.handler, case=second, reason="不归我们")
    kept_current = _table()
    call_command("rollups", "rebuild")
    assert _table() == kept_current
    call_command("rollups", "rebuild")
    assert _table() == kept_current
    call_command("rollups", "rebuild", "--since", dt.date.today().isoformat())
    assert _table() == kept_current
    assert CaseFact.objects.count() == 2


def test_a_partial_rebuild_repairs_recent_days(committed_county) -> None:  # type: ignore[no-untyped-def]
    c = committed_county
    case = _submit(c)
    actions.dispatch_case(actor=c.operator, case=case, unit=c.village_unit)
    correct = _table()
    DailyRollup.objects.update(raised=7)  # damage
    rebuild(since=dt.date.today() - dt.timedelta(days=1))
    assert _table() == correct
