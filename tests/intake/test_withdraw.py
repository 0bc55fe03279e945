"""Withdrawing a request takes a confirmation step; a resolved or ended case cannot be."""

from __future__ import annotations

from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Event, Status


def test_tracking_page_offers_withdrawal_for_an_open_case(en_client, submit):
    case = submit()
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert reverse("intake:withdraw", args=[case.tracking_code]) in html


def test_first_post_only_asks_for_confirmation(en_client, submit):
    case = submit()
    response = en_client.post(
        reverse("intake:withdraw", args=[case.tracking_code]),
        {"reason": "已经自己修好了", "expected_version": case.version},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Are you sure?" in html
    assert 'name="confirm" value="1"' in html
    assert "已经自己修好了" in html
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_confirmed_withdrawal_ends_the_case_with_the_reason(en_client, submit):
    case = submit()
    response = en_client.post(
        reverse("intake:withdraw", args=[case.tracking_code]),
        {"reason": "已经自己修好了", "expected_version": case.version, "confirm": "1"},
        follow=True,
    )
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    html = response.content.decode()
    assert "Your request has been withdrawn." in html
    assert "This request was withdrawn." in html
    assert "已经自己修好了" in html
    assert Event.objects.filter(case=case, kind="withdrawn", actor_kind="resident").exists()


def test_resolved_case_cannot_be_withdrawn(en_client, resolved_case):
    case = resolved_case()
    page = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert reverse("intake:withdraw", args=[case.tracking_code]) not in page
    response = en_client.post(
        reverse("intake:withdraw", args=[case.tracking_code]),
        {"expected_version": case.version, "confirm": "1"},
    )
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_confirmation_page_for_an_ended_case_offers_no_button(en_client, county, submit):
    case = submit()
    actions.decline_case(actor=county.operator, case=case, reason="不属于公共服务")
    html = en_client.get(reverse("intake:withdraw", args=[case.tracking_code])).content.decode()
    assert "can no longer be withdrawn" in html
    assert 'name="confirm"' not in html
