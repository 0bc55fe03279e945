"""The deadline sweep escalates overdue cases by itself and says why."""

import datetime as dt

from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.deadlines import sweep_deadlines
from minsheng.cases.models import Case, EventKind, Status


def test_overdue_case_climbs_to_the_parent_unit_with_an_event(county, submit):
    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    result = sweep_deadlines(now=case.deadline + dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert result.escalated == 1
    assert case.status == Status.ESCALATED
    assert case.current_unit == county.township_unit
    event = case.events.last()
    assert event.kind == EventKind.ESCALATED and event.actor_kind == "system"
    assert event.is_public and event.note


def test_case_within_its_deadline_is_left_alone(county, submit):
    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    assert sweep_deadlines(now=case.deadline - dt.timedelta(minutes=1)).escalated == 0
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_sweep_walks_the_whole_ladder_over_time(county, submit):
    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    for expected in (county.township_unit, county.county_unit):
        case.refresh_from_db()
        sweep_deadlines(now=case.deadline + dt.timedelta(seconds=1))
        case.refresh_from_db()
        assert case.current_unit == expected
    # At the top it cannot climb: it is flagged once, not escalated again and again.
    later = case.deadline + dt.timedelta(days=1)
    assert sweep_deadlines(now=later).flagged_at_top == 1
    assert sweep_deadlines(now=later).flagged_at_top == 0
    assert case.events.filter(kind=EventKind.OVERDUE).count() == 1


def test_sweep_does_not_touch_resolved_cases_before_the_waiting_period(county, submit):
    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    case = actions.resolve_case(actor=county.handler, case=case, resolution="已处理")
    sweep_deadlines(now=timezone.now() + dt.timedelta(days=30))
    case.refresh_from_db()
    # Resolved cases wait for the resident; after the waiting period they close unrated.
    assert case.status == Status.CLOSED
    assert case.events.last().actor_kind == "system"
    assert not case.feedback.exists()


def test_resolved_case_is_not_escalated_even_if_deadline_passed(county, submit, settings):
    settings.MINSHENG_AUTO_CLOSE_DAYS = 365
    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已处理")
    sweep_deadlines(now=case.deadline + dt.timedelta(days=3))
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_before():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from minsheng.cases.templatetags.minsheng_cases import deadline_text

    shanghai = ZoneInfo("Asia/Shanghai")
    assert deadline_text(dt.datetime(2026, 11, 24, 0, 0, tzinfo=shanghai)) == "2026-11-23 24:00"
    assert deadline_text(dt.datetime(2026, 11, 24, 17, 30, tzinfo=shanghai)) == "2026-11-24 17:30"
    assert deadline_text(None) == ""
