"""Transition rules and who may perform them."""

import pytest

from minsheng.cases import actions
from minsheng.cases.errors import InvalidInput, InvalidTransition, NotPermitted, StaleCase
from minsheng.cases.models import Case, Event, Feedback, Status
from minsheng.cases.transitions import TRANSITIONS, Action
from minsheng.contacts.models import Contact
from minsheng.directory.calendar import WorkingCalendar
from minsheng.directory.models import Category


def dispatched(county, submit, **kw):
    case = submit(**kw)
    return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.status,
        case.version,
        case.current_unit_id,
        Event.objects.filter(case=case).count(),
    )


def test_every_status_is_in_the_transition_table():
    assert set(TRANSITIONS) == set(Status)
    for moves in TRANSITIONS.values():
        assert set(moves.values()) <= set(Status)


def test_dispatch_sets_unit_level_and_working_day_deadline(county, submit):
    case = dispatched(county, submit)
    assert case.status == Status.DISPATCHED
    assert case.current_unit == county.village_unit
    assert case.level == 1
    assert case.deadline > case.dispatched_at


def test_dispatch_corrects_the_category_the_resident_could_not_give(county, submit):
    case = submit(category=None)
    assert case.category.code == "other"
    Category.objects.filter(pk=county.water.pk).update(limit_county=2)
    Category.objects.filter(code="other").update(limit_county=9)
    case = actions.dispatch_case(
        actor=county.operator, case=case, unit=county.county_unit, category=county.water.pk
    )
    case.refresh_from_db()
    assert case.category == county.water
    event = case.events.get(kind="dispatched")
    assert event.data == {"category": {"from": "other", "to": "water"}}
    # The deadline follows the new category's limit at the county level: two working days.
    assert case.deadline == WorkingCalendar.load().add_working_days(case.dispatched_at, 2)


def test_dispatch_keeps_the_category_when_none_is_given_and_refuses_an_unknown_one(county, submit):
    case = submit()
    before = snapshot(case)
    with pytest.raises(InvalidInput) as refused:
        actions.dispatch_case(actor=county.operator, case=case, unit="nonsense", category=999999)
    assert {problem.field for problem in refused.value.every()} == {"unit", "category"}
    assert snapshot(case) == before
    case = actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    case.refresh_from_db()
    assert case.category == county.roads
    assert case.events.get(kind="dispatched").data == {}


def test_handler_of_other_unit_cannot_accept(county, submit):
    case = dispatched(county, submit)
    before = snapshot(case)
    with pytest.raises(NotPermitted):
        actions.accept_case(actor=county.other_handler, case=case)
    assert snapshot(case) == before


def test_handler_cannot_dispatch_a_new_case(county, submit):
    case = submit()
    with pytest.raises(NotPermitted):
        actions.dispatch_case(actor=county.handler, case=case, unit=county.village_unit)


def test_supervisor_outside_scope_cannot_escalate(county, submit):
    case = dispatched(county, submit)
    with pytest.raises(NotPermitted):
        actions.escalate_case(actor=county.other_supervisor, case=case, reason="太慢")
    case = actions.escalate_case(actor=county.supervisor, case=case, reason="群众反映强烈")
    assert case.current_unit == county.township_unit


def test_resolving_a_case_not_yet_accepted_is_refused_and_changes_nothing(county, submit):
    case = dispatched(county, submit)
    before = snapshot(case)
    with pytest.raises(InvalidTransition):
        actions.resolve_case(actor=county.handler, case=case, resolution="已处理")
    assert snapshot(case) == before


def test_return_sends_case_back_to_dispatch_with_reason(county, submit):
    case = dispatched(county, submit)
    actions.return_case(actor=county.handler, case=case, reason="不属于本村管辖")
    case.refresh_from_db()
    assert case.status == Status.RETURNED
    assert case.current_unit is None and case.deadline is None
    event = case.events.last()
    assert event.note == "不属于本村管辖" and event.unit == county.village_unit


def test_return_needs_a_reason(county, submit):
    case = dispatched(county, submit)
    with pytest.raises(InvalidInput) as err:
        actions.return_case(actor=county.handler, case=case, reason="   ")
    assert err.value.field == "reason"
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_escalation_climbs_to_parent_with_fresh_deadline(county, submit):
    case = dispatched(county, submit)
    old_deadline = case.deadline
    case = actions.escalate_case(actor=county.handler, case=case, reason="需要镇里协调")
    assert case.status == Status.ESCALATED
    assert case.current_unit == county.township_unit and case.level == 2
    assert case.deadline > old_deadline
    assert case.escalation_count == 1


def test_escalation_stops_at_the_top(county, submit):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.county_unit)
    with pytest.raises(InvalidTransition):
        actions.escalate_case(actor=county.county_handler, case=case, reason="再上报")


def test_higher_unit_can_redispatch_an_escalated_case(county, submit):
    case = dispatched(county, submit)
    actions.escalate_case(actor=county.handler, case=case, reason="需要镇里协调")
    case = actions.dispatch_case(
        actor=county.township_handler,
        case=case,
        unit=county.village_unit,
        note="请村委会配合镇水管站处理",
    )
    assert case.status == Status.DISPATCHED and case.current_unit == county.village_unit


def test_first_progress_note_starts_work(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    case = actions.add_note(actor=county.handler, case=case, note="已联系水管站", is_public=False)
    assert case.status == Status.IN_PROGRESS
    assert case.events.last().is_public is False


def test_unsatisfied_rating_reopens_at_the_resolving_unit(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    actions.rate_case(
        actor=actions.RESIDENT, case=case, rating=2, is_solved=False, comment="还是没水"
    )
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.current_unit == county.village_unit and case.reopen_count == 1
    assert Feedback.objects.get(case=case).rating == 2


def test_rating_outside_one_to_five_is_refused(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    for bad in (0, 6, "five", None):
        with pytest.raises(InvalidInput):
            actions.rate_case(actor=actions.RESIDENT, case=case, rating=bad, is_solved=True)
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED
    assert not Feedback.objects.filter(case=case).exists()


def test_merged_case_points_to_survivor(county, submit):
    first = submit()
    second = submit(description="村口的水管漏水，和前几天一样")
    actions.merge_case(actor=county.operator, case=second, into=first)
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first


def test_case_cannot_merge_into_itself(county, submit):
    case = submit()
    with pytest.raises(InvalidInput):
        actions.merge_case(actor=county.operator, case=case, into=case)


def test_decline_needs_reason_and_ends_case(county, submit):
    case = submit(description="举报邻居家里的私事")
    case = actions.decline_case(
        actor=county.operator, case=case, reason="属于个人事务，不属于公共服务"
    )
    assert case.status == Status.DECLINED and case.closed_at is not None


def test_resident_can_withdraw_an_open_case(county, submit):
    case = dispatched(county, submit)
    case = actions.withdraw_case(actor=actions.RESIDENT, case=case, reason="已自行解决")
    assert case.status == Status.WITHDRAWN


def test_stale_version_is_refused(county, submit):
    case = dispatched(county, submit)
    seen = case.version
    actions.accept_case(actor=county.handler, case=case, expected_version=seen)
    with pytest.raises(StaleCase):
        actions.return_case(actor=county.handler, case=case, reason="误派", expected_version=seen)
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def test_closed_case_allows_nothing(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)
    for action in Action:
        assert action not in TRANSITIONS[Status.CLOSED]
    with pytest.raises(InvalidTransition):
        actions.withdraw_case(actor=actions.RESIDENT, case=case)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"description": ""}, "description"),
        ({"description": "水" * 4001}, "description"),
        ({"title": "标" * 121}, "title"),
        ({"area": 999999}, "area"),
        ({"area": "../1"}, "area"),
        ({"category": 999999}, "category"),
        ({"contact_phone": "call me maybe"}, "phone"),
        ({"latitude": "north", "longitude": 1}, "location"),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(county, submit, overrides, field):
    with pytest.raises(InvalidInput) as err:
        submit(**overrides)
    assert err.value.field == field
    assert not Case.objects.exists() and not Contact.objects.exists()


def test_resident_cannot_report_for_a_whole_county(county, submit):
    with pytest.raises(InvalidInput):
        submit(area=county.county)


def test_same_submission_key_returns_the_first_case(county, submit):
    one = submit(submission_key="k-123")
    two = submit(submission_key="k-123", description="重复点击")
    assert one.pk == two.pk and Case.objects.count() == 1


def test_title_defaults_to_start_of_description(county, submit):
    case = submit(title="", description="村东头路灯坏了三个星期，晚上出行很不方便，请尽快修理。")
    assert case.title.startswith("村东头路灯坏了")


def test_operator_outside_scope_cannot_record_a_case(county, submit):
    from tests.factories import UserFactory

    far = UserFactory(role="operator", scope_area=county.other_township)
    with pytest.raises(NotPermitted):
        submit(actor=far, channel="phone")
    submit(actor=county.operator, channel="phone")


def test_events_cannot_be_edited_or_deleted(county, submit):
    case = submit()
    event = case.events.get()
    event.note = "改写历史"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_a_colliding_tracking_code_is_drawn_again(county, submit, monkeypatch):
    first = submit()
    codes = iter([first.tracking_code, "MS23456789"])
    monkeypatch.setattr("minsheng.cases.actions.new_tracking_code", lambda: next(codes))
    second = submit(description="另一户也停水了")
    assert second.tracking_code == "MS23456789"
    assert Case.objects.count() == 2


def test_hiding_from_the_board_is_recorded_with_a_reason(county, submit):
    case = submit()
    with pytest.raises(NotPermitted):
        actions.set_board_visibility(
            actor=county.handler, case=case, hidden=True, reason="涉及隐私"
        )
    with pytest.raises(InvalidInput):
        actions.set_board_visibility(actor=county.operator, case=case, hidden=True, reason="")
    case = actions.set_board_visibility(
        actor=county.operator, case=case, hidden=True, reason="描述中涉及个人隐私"
    )
    assert case.hidden_from_board and case.status == Status.SUBMITTED
    event = case.events.last()
    assert event.kind == "hidden" and not event.is_public and event.note == "描述中涉及个人隐私"


def test_case_events_are_announced_only_after_commit(
    county, submit, django_capture_on_commit_callbacks
):
    from minsheng.cases.signals import case_event_committed

    seen = []

    def receiver(sender, event, **kwargs):
        seen.append(event.kind)

    case_event_committed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case = submit()
            actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        assert seen == []
        for callback in callbacks:
            callback()
        assert seen == ["submitted", "dispatched"]
    finally:
        case_event_committed.disconnect(receiver)


def test_imported_ledger_row_keeps_its_original_date(county, submit):
    import datetime as dt

    from django.utils import timezone

    earlier = timezone.now() - dt.timedelta(days=40)
    case = submit(actor=county.operator, channel="import", raised_at=earlier)
    assert case.created_at == earlier and case.events.get().created_at == earlier
    with pytest.raises(InvalidInput):
        submit(actor=county.operator, channel="phone", raised_at=earlier)
    with pytest.raises(InvalidInput):
        submit(actor=county.operator, channel="import", raised_at=timezone.now() + dt.timedelta(1))


def test_a_title_made_from_the_description_ends_at_a_word_in_spaced_languages():
    from minsheng.cases.actions import title_from

    assert (
        title_from("No tap water for two days in the whole village of Qarasu, please come")
        == "No tap water for two days in the whole village of…"
    )
    uyghur = "كەنتىمىزدە ئىككى كۈندىن بېرى تۇرۇبا سۈيى يوق، تېز ئادەم ئەۋەتىڭلار، رەھمەت"
    assert title_from(uyghur) == "كەنتىمىزدە ئىككى كۈندىن بېرى تۇرۇبا سۈيى يوق، تېز…"
    # Chinese has no spaces: thirty characters, as before.
    assert title_from("柳树村村口的水管破了已经停水两天了老人孩子都没水喝请尽快来修一修谢谢") == (
        "柳树村村口的水管破了已经停水两天了老人孩子都没水喝请尽快来修…"
    )
    assert title_from("短\n第二行") == "短"


def test_typed_text_keeps_emoji_sequences_and_loses_hidden_overrides(county, submit):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji, joined by ZWJ
    case = submit(description=f"一家人{family}都没水喝\u202e反转\u202c。\x07")
    assert case.description == f"一家人{family}都没水喝反转。"
