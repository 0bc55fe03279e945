"""The staff case page: who sees it, which forms it offers, and what posting them does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Event, EventKind, Feedback, Status
from minsheng.contacts.models import Contact
from minsheng.directory.models import Unit

PHONE = "13800138000"


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def case_url(case: Case) -> str:
    return reverse("staff:case", args=[case.pk])


def act_url(case: Case, action: str) -> str:
    return reverse("staff:act", args=[case.pk, action])


def dispatched(county, submit, **kw) -> Case:  # type: ignore[no-untyped-def]
    case = submit(**kw)
    return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)


def state(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return case.status, case.version, case.current_unit_id, case.events.count()


def action_forms(html: str) -> set[str]:
    """The action slugs the page offers a form for."""
    return {
        slug
        for slug in (
            "dispatch", "accept", "note", "return", "escalate", "resolve", "merge",
            "decline", "withdraw", "rate", "close", "reopen",
        )
        if f'/{slug}/#action-{slug}"' in html
    }  # fmt: skip


# --- who sees the case page ------------------------------------------------------------


def test_handler_of_holding_unit_sees_case_facts_and_timeline(county, submit):
    case = dispatched(county, submit)
    response = login(county.handler).get(case_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.tracking_code in html
    assert "青河县 / 东湖镇 / 柳树村" in html
    assert "柳树村委会" in html
    assert "柳树村村口的水管破了" in html
    assert "Dispatched" in html or "dispatched" in html


def test_handler_of_other_unit_gets_404_on_case_page(county, submit):
    case = dispatched(county, submit)
    assert login(county.other_handler).get(case_url(case)).status_code == 404


def test_handler_of_other_unit_cannot_act_and_nothing_changes(county, submit):
    case = dispatched(county, submit)
    before = state(case)
    response = login(county.other_handler).post(
        act_url(case, "accept"), {"expected_version": case.version}
    )
    assert response.status_code == 404
    assert state(case) == before


def test_supervisor_outside_scope_gets_404_on_case_page(county, submit):
    case = dispatched(county, submit)
    assert login(county.other_supervisor).get(case_url(case)).status_code == 404
    assert login(county.supervisor).get(case_url(case)).status_code == 200


def test_anonymous_visitor_is_sent_to_login(county, submit):
    case = submit()
    response = Client().get(case_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- which forms are offered -------------------------------------------------------------


def test_operator_sees_routing_forms_on_a_new_case(county, submit):
    case = submit()
    html = login(county.operator).get(case_url(case)).content.decode()
    assert action_forms(html) == {"dispatch", "merge", "decline", "withdraw"}


def test_handler_sees_handling_forms_on_a_dispatched_case(county, submit):
    case = dispatched(county, submit)
    html = login(county.handler).get(case_url(case)).content.decode()
    assert action_forms(html) == {"accept", "return", "escalate", "merge"}


def test_supervisor_in_scope_may_escalate_merge_or_withdraw_but_not_accept(county, submit):
    case = dispatched(county, submit)
    html = login(county.supervisor).get(case_url(case)).content.decode()
    assert action_forms(html) == {"escalate", "merge", "withdraw"}


def test_accepted_case_offers_note_and_resolve_to_handler(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    html = login(county.handler).get(case_url(case)).content.decode()
    assert action_forms(html) == {"note", "resolve", "escalate", "merge"}


def test_resolved_case_offers_call_back_rating_to_the_operator(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    html = login(county.operator).get(case_url(case)).content.decode()
    assert "rate" in action_forms(html)


def test_the_unit_that_resolved_a_case_cannot_record_its_rating(county, submit):
    # A unit rating its own work would close the case and lift its own satisfaction rate.
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    client = login(county.handler)
    assert "rate" not in action_forms(client.get(case_url(case)).content.decode())
    response = client.post(case_url(case) + "rate/", {"rating": "5", "is_solved": "yes"})
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert not Feedback.objects.filter(case=case).exists()
    assert response.status_code in (302, 403)


def test_closed_case_offers_no_forms(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)
    html = login(county.operator).get(case_url(case)).content.decode()
    assert action_forms(html) == set()
    assert "This case has ended" in html


def test_dispatch_form_preselects_the_routing_proposal(county, submit):
    case = submit(area=county.other_village)  # the village rule names 石门村委会
    html = login(county.operator).get(case_url(case)).content.decode()
    selected = f'<option value="{county.other_village_unit.pk}" selected>'
    assert selected in html
    proposal = html.split('<optgroup label="Proposed by routing rules">')[1].split("</optgroup>")[0]
    assert "石门村委会" in proposal
    # every active unit may be chosen instead
    for unit in (county.village_unit, county.township_unit, county.county_unit):
        assert f'<option value="{unit.pk}"' in html


def test_a_unit_without_staff_accounts_says_so_in_the_dispatch_form(county, submit):
    empty = Unit.objects.create(name="县住建局", code="ZJJ", level=3)
    html = login(county.operator).get(case_url(submit())).content.decode()
    assert f'<option value="{empty.pk}">县住建局 (no staff account)</option>' in html
    assert f'<option value="{county.village_unit.pk}" selected>柳树村委会</option>' in html


def test_forms_carry_the_version_the_user_saw(county, submit):
    case = dispatched(county, submit)
    html = login(county.handler).get(case_url(case)).content.decode()
    assert f'name="expected_version" value="{case.version}"' in html


# --- actions through the forms -------------------------------------------------------------


def test_operator_dispatches_through_the_form(county, submit):
    case = submit()
    response = login(county.operator).post(
        act_url(case, "dispatch"),
        {"expected_version": case.version, "unit": county.village_unit.pk, "note": "请尽快"},
    )
    assert response.status_code == 302
    assert response["Location"] == case_url(case) + "#top"
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert case.current_unit == county.village_unit
    assert case.deadline is not None


def test_dispatch_and_open_the_next_case_waiting(county, submit):
    first, second = submit(), submit()
    response = login(county.operator).post(
        act_url(first, "dispatch"),
        {"expected_version": first.version, "unit": county.village_unit.pk, "then": "next"},
    )
    assert response["Location"] == case_url(second)
    response = login(county.operator).post(
        act_url(second, "dispatch"),
        {"expected_version": second.version, "unit": county.village_unit.pk, "then": "next"},
    )
    assert response["Location"] == reverse("staff:triage")  # none left: back to the queue


def dispatch_as_operator(county, case, category, unit):  # type: ignore[no-untyped-def]
    """The operator sends the dispatch form with this category and unit."""
    return login(county.operator).post(
        act_url(case, "dispatch"),
        {"expected_version": case.version, "category": category.pk, "unit": unit.pk},
    )


def test_operator_corrects_the_category_while_dispatching(county, submit):
    case = submit(category=None)
    html = login(county.operator).get(case_url(case)).content.decode()
    other = case.category.pk
    assert f'<option value="{other}" selected>' in html  # the case's own, to start with
    response = dispatch_as_operator(county, case, county.water, county.county_unit)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.category, case.current_unit) == (county.water, county.county_unit)
    page = login(county.operator).get(case_url(case)).content.decode()
    assert "Category corrected: Other → Water supply" in page


def test_a_corrected_category_with_the_old_proposal_left_shows_the_new_proposal(county, submit):
    # Without JavaScript the unit select still holds the village committee, the proposal for
    # "roads"; water goes to the county bureau by the rules: ask again, send nothing.
    case = submit()
    before = state(case)
    response = dispatch_as_operator(county, case, county.water, county.village_unit)
    assert response.status_code == 400
    assert state(case) == before
    html = response.content.decode()
    assert "the routing rules propose 县水利局, chosen now" in html
    assert f'<option value="{county.county_unit.pk}" selected>' in html
    assert f'<option value="{county.water.pk}" selected>' in html
    # Sent again as shown, it goes.
    response = dispatch_as_operator(county, case, county.water, county.county_unit)
    assert response.status_code == 302


def test_the_dispatch_note_is_for_staff_and_the_resident_sees_only_the_move(county, submit):
    case = submit()
    actions.dispatch_case(
        actor=county.operator,
        case=case,
        unit=county.village_unit,
        note="水塔旁主管道，请带抢修工具",
    )
    staff = login(county.handler).get(case_url(case)).content.decode()
    assert "水塔旁主管道" in staff and "note for staff" in staff
    resident = Client(HTTP_ACCEPT_LANGUAGE="en")
    resident.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chose English: a Chinese case
    page = resident.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert "Sent to: 柳树村委会" in page
    assert "水塔旁主管道" not in page
    body = Client().get(f"/api/public/cases/{case.tracking_code}").json()
    assert all("水塔旁主管道" not in (e["note"] or "") for e in body["timeline"])


def test_why_a_unit_handed_a_case_up_or_back_stays_among_staff(county, submit):
    # A bureau escalated with "the contractor's money ran out": internal business, which
    # the resident's page and the public board used to print word for word.
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.escalate_case(actor=county.handler, case=case, reason="施工方资金链断裂停工")
    returned = dispatched(county, submit)
    actions.return_case(actor=county.handler, case=returned, reason="经办人看错了片区")
    staff = login(county.operator)
    assert "施工方资金链断裂停工" in staff.get(case_url(case)).content.decode()
    assert "经办人看错了片区" in staff.get(case_url(returned)).content.decode()
    for secret, shown in (("施工方资金链断裂停工", case), ("经办人看错了片区", returned)):
        resident = Client(HTTP_ACCEPT_LANGUAGE="en").get(
            reverse("intake:case", args=[shown.tracking_code])
        )
        assert secret not in resident.content.decode()
        board = Client().get(f"/board/{county.village.code}/")
        assert board.status_code == 200
        assert secret not in board.content.decode()
        body = Client().get(f"/api/public/cases/{shown.tracking_code}").json()
        assert all(secret not in (e["note"] or "") for e in body["timeline"])


def test_the_escalate_and_return_forms_say_their_reason_is_for_staff(county, submit):
    case = dispatched(county, submit)
    html = login(county.handler).get(case_url(case)).content.decode()
    assert html.count("the resident sees that the case moved, not this reason") == 2


def test_handler_accepts_and_writes_a_private_note(county, submit):
    case = dispatched(county, submit)
    client = login(county.handler)
    client.post(act_url(case, "accept"), {"expected_version": case.version})
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    client.post(
        act_url(case, "note"), {"expected_version": case.version, "note": "内部：已联系水厂"}
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    note = case.events.get(kind=EventKind.NOTE)
    assert note.note == "内部：已联系水厂"
    assert note.is_public is False


def test_note_is_visible_to_resident_when_box_is_ticked(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    case.refresh_from_db()
    login(county.handler).post(
        act_url(case, "note"),
        {"expected_version": case.version, "note": "维修队明天到", "is_public": "on"},
    )
    assert case.events.get(kind=EventKind.NOTE).is_public is True


def test_stale_version_shows_conflict_and_changes_nothing(county, submit):
    case = dispatched(county, submit)
    seen_version = case.version
    actions.accept_case(actor=county.admin, case=case)  # someone else moved first
    before = state(case)
    response = login(county.handler).post(
        act_url(case, "return"), {"expected_version": seen_version, "reason": "不归我们管"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this case" in html
    assert state(case) == before
    # the fresh page carries the new version, so the user can act again at once
    assert f'name="expected_version" value="{before[1]}"' in html


def test_a_stale_dispatch_keeps_the_operators_choices_to_send_again(county, submit):
    case = submit()
    seen = case.version
    actions.set_board_visibility(actor=county.operator, case=case, hidden=True, reason="涉及个人")
    response = login(county.operator).post(
        act_url(case, "dispatch"),
        {
            "expected_version": seen,
            "category": county.water.pk,
            "unit": county.county_unit.pk,
            "note": "三组水塔",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    form = html.split('action="' + act_url(case, "dispatch") + '#action-dispatch"')[1]
    form = form.split("</form>")[0]
    assert f'<option value="{county.county_unit.pk}" selected>' in form
    assert f'<option value="{county.water.pk}" selected>' in form
    assert "三组水塔" in form
    case.refresh_from_db()
    assert f'name="expected_version" value="{case.version}"' in form
    assert case.status == "submitted"


def test_action_not_allowed_in_current_state_is_refused_with_message(county, submit):
    case = dispatched(county, submit)
    before = state(case)
    response = login(county.handler).post(
        act_url(case, "resolve"), {"expected_version": case.version, "resolution": "已处理"}
    )
    assert response.status_code == 409
    assert "is not possible for a case that is" in response.content.decode()
    assert state(case) == before


def test_return_without_reason_is_refused_and_changes_nothing(county, submit):
    case = dispatched(county, submit)
    before = state(case)
    response = login(county.handler).post(
        act_url(case, "return"), {"expected_version": case.version, "reason": "  "}
    )
    assert response.status_code == 400
    assert 'class="field-errors"' in response.content.decode()
    assert state(case) == before


def test_supervisor_trying_to_accept_is_refused(county, submit):
    case = dispatched(county, submit)
    before = state(case)
    response = login(county.supervisor).post(
        act_url(case, "accept"), {"expected_version": case.version}
    )
    assert response.status_code == 403
    assert "not allowed" in response.content.decode()
    assert state(case) == before


def test_handler_return_leaves_their_queue_and_shows_reason_in_triage(county, submit):
    case = dispatched(county, submit)
    response = login(county.handler).post(
        act_url(case, "return"), {"expected_version": case.version, "reason": "不属于本村管辖"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:home")
    case.refresh_from_db()
    assert case.status == Status.RETURNED
    triage = login(county.operator).get(reverse("staff:triage")).content.decode()
    assert case.tracking_code in triage
    assert "不属于本村管辖" in triage


def test_handler_escalates_to_the_township(county, submit):
    case = dispatched(county, submit)
    login(county.handler).post(
        act_url(case, "escalate"), {"expected_version": case.version, "reason": "需要镇里协调"}
    )
    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    assert case.current_unit == county.township_unit
    assert login(county.township_handler).get(case_url(case)).status_code == 200


def test_merge_by_tracking_code(county, submit):
    survivor = submit(title="村口停水")
    duplicate = submit(title="村口又停水了")
    response = login(county.operator).post(
        act_url(duplicate, "merge"),
        {"expected_version": duplicate.version, "into": survivor.tracking_code.lower()},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED
    assert duplicate.merged_into == survivor


def test_merge_into_unknown_code_is_refused(county, submit):
    case = submit()
    before = state(case)
    response = login(county.operator).post(
        act_url(case, "merge"), {"expected_version": case.version, "into": "MSZZZZZZZZ"}
    )
    assert response.status_code == 400
    assert "No such case to merge into" in response.content.decode()
    assert state(case) == before


def test_decline_needs_a_reason_and_ends_the_case(county, submit):
    case = submit(title="举报邻居")
    client = login(county.operator)
    refused = client.post(act_url(case, "decline"), {"expected_version": case.version})
    assert refused.status_code == 400
    client.post(
        act_url(case, "decline"),
        {"expected_version": case.version, "reason": "这是关于个人的，不属于公共服务"},
    )
    case.refresh_from_db()
    assert case.status == Status.DECLINED


def test_unknown_action_is_404(county, submit):
    case = submit()
    response = login(county.operator).post(act_url(case, "delete"), {})
    assert response.status_code == 404


def test_action_urls_opened_by_get_lead_back_to_the_case_and_change_nothing(county, submit):
    # The address bar shows an action's address after a refused form; reopened or shared,
    # it must not end on a bare "405" page.
    case = dispatched(county, submit)
    before = state(case)
    client = login(county.handler)
    for address in (act_url(case, "accept"), reverse("staff:reveal_contact", args=[case.pk])):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"] == case_url(case)
    assert state(case) == before
    assert not case.events.filter(kind=EventKind.CONTACT_REVEALED).exists()


def test_an_escalated_case_is_not_proposed_back_to_the_unit_that_handed_it_up(county, submit):
    case = dispatched(county, submit)
    actions.escalate_case(actor=county.handler, case=case, reason="村里没有经费")
    html = login(county.township_handler).get(case_url(case)).content.decode()
    unit = html.split('id="id_dispatch_unit"')[1].split("</select>")[0]
    assert '<option value="" selected>' in unit  # nothing chosen for them
    assert f'<option value="{county.village_unit.pk}" selected>' not in unit
    assert "Handed up from the unit below" in html
    assert 'name="then"' not in html  # no "open the next case": that is the operator's queue


@pytest.mark.parametrize(
    ("rating", "solved", "status"),
    [("5", "yes", Status.CLOSED), ("2", "yes", Status.REOPENED), ("4", "no", Status.REOPENED)],
)
def test_call_back_rating_closes_or_reopens(county, submit, rating, solved, status):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    case.refresh_from_db()
    login(county.operator).post(
        act_url(case, "rate"),
        {"expected_version": case.version, "rating": rating, "is_solved": solved},
    )
    case.refresh_from_db()
    assert case.status == status
    assert case.feedback.get().rating == int(rating)


# --- contact details ---------------------------------------------------------------------


def with_contact(county, submit) -> Case:  # type: ignore[no-untyped-def]
    return dispatched(county, submit, contact_name="王大妈", contact_phone=PHONE)


def test_holding_unit_reveals_contact_and_it_is_audited(county, submit):
    case = with_contact(county, submit)
    client = login(county.handler)
    page = client.get(case_url(case)).content.decode()
    assert "Show contact details to call back" in page
    assert PHONE not in page
    response = client.post(reverse("staff:reveal_contact", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert PHONE in html and "王大妈" in html
    assert "no-store" in response["Cache-Control"]
    event = case.events.get(kind=EventKind.CONTACT_REVEALED)
    assert event.actor == county.handler
    # the next ordinary view does not carry it
    assert PHONE not in client.get(case_url(case)).content.decode()


def test_operator_sees_no_contact_button_and_a_forged_post_is_refused(county, submit):
    case = with_contact(county, submit)
    client = login(county.operator)
    assert "Show contact details" not in client.get(case_url(case)).content.decode()
    response = client.post(reverse("staff:reveal_contact", args=[case.pk]))
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert not case.events.filter(kind=EventKind.CONTACT_REVEALED).exists()


def test_no_contact_button_once_the_case_is_closed_and_a_forged_post_is_refused(county, submit):
    case = with_contact(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    resolved = actions.resolve_case(actor=county.handler, case=case, resolution="已修复")
    client = login(county.handler)
    # Resolved: the call-back that asks for the rating may still need the number.
    assert "Show contact details to call back" in client.get(case_url(case)).content.decode()
    actions.rate_case(actor=actions.RESIDENT, case=resolved, rating=5, is_solved=True)
    assert "Show contact details" not in client.get(case_url(case)).content.decode()
    response = client.post(reverse("staff:reveal_contact", args=[case.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert PHONE not in html
    assert "This case has ended, so there is no call-back to make" in html
    assert not case.events.filter(kind=EventKind.CONTACT_REVEALED).exists()


def test_other_unit_cannot_reveal_contact(county, submit):
    case = with_contact(county, submit)
    response = login(county.other_handler).post(reverse("staff:reveal_contact", args=[case.pk]))
    assert response.status_code == 404
    assert not case.events.filter(kind=EventKind.CONTACT_REVEALED).exists()


def test_no_button_when_resident_left_no_contact(county, submit):
    case = dispatched(county, submit)
    assert not Contact.objects.filter(case=case).exists()
    html = login(county.handler).get(case_url(case)).content.decode()
    assert "Show contact details" not in html


def test_contact_never_appears_in_lists(county, submit):
    case = with_contact(county, submit)
    Case.objects.filter(pk=case.pk).update(deadline=case.deadline.replace(year=2020))
    login(county.handler).post(reverse("staff:reveal_contact", args=[case.pk]))
    pages = {
        county.handler: ["staff:queue", "staff:overdue"],
        county.supervisor: ["staff:supervise", "staff:overdue", "staff:queue"],
        county.admin: ["staff:supervise", "staff:overdue", "staff:triage"],
    }
    for user, names in pages.items():
        client = login(user)
        for name in names:
            html = client.get(reverse(name)).content.decode()
            assert PHONE not in html and "王大妈" not in html, name
    # the case is really on those lists
    overdue_page = login(county.supervisor).get(reverse("staff:overdue")).content.decode()
    assert case.tracking_code in overdue_page
    assert Event.objects.filter(case=case, kind=EventKind.CONTACT_REVEALED).count() == 1


def test_a_case_that_has_ended_does_not_say_it_waits_for_dispatch(county, submit):
    waiting = submit()
    html = login(county.operator).get(case_url(waiting)).content.decode()
    assert "none — waiting for dispatch" in html

    declined = actions.decline_case(
        actor=county.operator, case=submit(), reason="这是对个人的投诉，不属于公共服务。"
    )
    html = login(county.operator).get(case_url(declined)).content.decode()
    assert "waiting for dispatch" not in html
    assert "<dd>none</dd>" in html


def test_staff_read_unit_names_in_their_language(county, submit):
    unit = county.village_unit
    unit.name_en, unit.name_ug = "Willow Village Committee", "سۆگەتلىك كەنت كومىتېتى"
    unit.save()
    case = dispatched(county, submit)
    client = Client(HTTP_ACCEPT_LANGUAGE="ug")
    client.force_login(county.handler)
    for url in (case_url(case), reverse("staff:queue")):
        html = client.get(url).content.decode()
        assert "سۆگەتلىك كەنت كومىتېتى" in html, url
    english = login(county.supervisor).get(reverse("staff:supervise")).content.decode()
    assert "Willow Village Committee" in english


def test_how_late_a_case_is_reads_naturally_in_chinese(county, submit):
    import datetime as dt

    from django.utils import timezone

    case = dispatched(county, submit)
    Case.objects.filter(pk=case.pk).update(
        deadline=timezone.now() - dt.timedelta(days=4 * 30 + 8, minutes=5)
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(county.handler)
    html = client.get(case_url(case)).content.decode()
    # Django's own words said "4 月，1 周": "April, week 1".
    assert "4个月\u200b1周" in html and "4 月" not in html
    english = login(county.handler).get(case_url(case)).content.decode()
    assert "overdue by 4 months, 1 week" in english


def test_a_village_team_follows_the_case_it_handed_up_but_cannot_act_on_it(county, submit):
    case = dispatched(county, submit)
    actions.escalate_case(actor=county.handler, case=case, reason="村里没有经费")
    page = login(county.handler).get(case_url(case))
    assert page.status_code == 200
    assert action_forms(page.content.decode()) == set()
    found = login(county.handler).get(reverse("staff:search"), {"q": case.tracking_code})
    assert found["Location"] == case_url(case)
    # Another village's team, which never held it, still gets nothing.
    assert login(county.other_handler).get(case_url(case)).status_code == 404


def test_the_same_note_sent_twice_is_saved_once_and_said_so(county, submit):
    case = dispatched(county, submit)
    case = actions.accept_case(actor=county.handler, case=case)
    form = {"expected_version": case.version, "note": "维修队明天到", "is_public": "on"}
    client = login(county.handler)
    assert client.post(act_url(case, "note"), form).status_code == 302
    again = client.post(act_url(case, "note"), form, follow=True)
    html = again.content.decode()
    assert "already saved" in html and "Someone else changed" not in html
    assert case.events.filter(kind=EventKind.NOTE).count() == 1


def test_a_refused_form_says_so_at_the_top_and_brings_the_phone_back_to_it(county, submit):
    # On a phone the form sits several screens down: the page came back at the top with
    # nothing there, and the clerk thought the note was saved.
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    case.refresh_from_db()
    response = login(county.handler).post(
        act_url(case, "note"), {"expected_version": case.version, "note": ""}
    )
    assert response.status_code == 400
    html = response.content.decode()
    head = html.split('<div class="case-layout">')[0]
    assert "Not saved: see the form" in head and 'href="#action-note"' in head
    assert 'id="action-note"' in html
    assert f'action="{act_url(case, "note")}#action-note"' in html


def test_dates_stay_left_to_right_on_a_uyghur_case_page(county, submit):
    # Without isolation the bidirectional algorithm showed "10:23 2026-11-30".
    case = dispatched(county, submit)
    client = login(county.handler)
    uyghur = client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="ug").content.decode()
    raised = timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M")
    assert f"\u2066{raised}\u2069" in uyghur
    english = client.get(case_url(case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert raised in english and "\u2066" not in english


def test_a_reopened_case_shows_its_resolution_as_the_earlier_one(county, submit):
    case = dispatched(county, submit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="管道已修复")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=1, is_solved=False)
    html = login(county.handler).get(case_url(case)).content.decode()
    assert "Earlier resolution" in html and "管道已修复" in html
    assert "<h3>Resolution</h3>" not in html
