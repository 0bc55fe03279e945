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


def test_a_case_due_monday_morning_is_due_soon_on_friday_afternoon(county, submit):
    from django.test import Client
    from django.urls import reverse

    from minsheng.cases.selectors import QueueBucket, queue_counts, queue_for
    from minsheng.demo.clock import frozen_clock
    from tests.insight.kpi_support import moment

    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    # Due Monday 16 June 2025, 09:00; it is Friday 13 June, 15:00 (66 hours before).
    Case.objects.filter(pk=case.pk).update(deadline=moment(16, 9))
    friday = moment(13, 15)
    assert list(queue_for(user=county.handler, bucket=QueueBucket.DUE_SOON, now=friday)) == [
        Case.objects.get(pk=case.pk)
    ]
    assert queue_counts(user=county.handler, now=friday)["due_soon"] == 1
    # The chip on the queue page says so too.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.handler)
    with frozen_clock(friday):
        html = client.get(reverse("staff:queue")).content.decode()
    assert "deadline-due_soon" in html
    # On Thursday at the same hour it is not yet due soon (more than a working day away).
    thursday = moment(12, 15)
    assert not queue_for(user=county.handler, bucket=QueueBucket.DUE_SOON, now=thursday).exists()


def test_the_unit_the_deadline_took_a_case_from_sees_it_read_only(county, submit):
    from django.test import Client
    from django.urls import reverse

    case = actions.dispatch_case(actor=county.operator, case=submit(), unit=county.village_unit)
    sweep_deadlines(now=case.deadline + dt.timedelta(minutes=1))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.handler)
    queue = client.get(reverse("staff:queue")).content.decode()
    assert "taken-by-deadline" in queue
    assert case.tracking_code in queue
    page = client.get(reverse("staff:case", args=[case.pk]))
    assert page.status_code == 200
    assert reverse("staff:act", args=[case.pk, "accept"]) not in page.content.decode()
    # A unit that never held it sees nothing of it.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(county.other_handler)
    assert case.tracking_code not in other.get(reverse("staff:queue")).content.decode()
