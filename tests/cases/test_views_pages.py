"""Staff list pages: home redirect, queue, triage, overview, overdue list and search."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def dispatched(county, submit, unit=None, **kw) -> Case:  # type: ignore[no-untyped-def]
    case = submit(**kw)
    return actions.dispatch_case(actor=county.operator, case=case, unit=unit or county.village_unit)


def make_overdue(case: Case, hours: int) -> None:
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(hours=hours))


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("handler", "staff:queue"),
        ("operator", "staff:triage"),
        ("supervisor", "staff:supervise"),
        ("admin", "staff:supervise"),
    ],
)
def test_home_sends_each_role_to_its_page(county, role, target):
    response = login(getattr(county, role)).get(reverse("staff:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse(target)


def test_every_staff_page_needs_login(county):
    for name in ("home", "queue", "triage", "intake", "supervise", "overdue", "search"):
        response = Client().get(reverse(f"staff:{name}"))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


# --- queue -------------------------------------------------------------------------------


def test_handler_queue_lists_only_cases_held_by_own_unit(county, submit):
    mine = dispatched(county, submit, title="本村路灯坏了")
    theirs = dispatched(county, submit, unit=county.other_village_unit, title="石门村水渠")
    html = login(county.handler).get(reverse("staff:queue")).content.decode()
    assert mine.tracking_code in html
    assert theirs.tracking_code not in html


def test_queue_tabs_count_each_bucket_and_filter(county, submit):
    fresh = dispatched(county, submit, title="新派来的")
    late = dispatched(county, submit, title="已经超时的")
    make_overdue(late, hours=3)
    accepted = dispatched(county, submit, title="已受理的")
    actions.accept_case(actor=county.handler, case=accepted)
    client = login(county.handler)

    html = client.get(reverse("staff:queue")).content.decode()
    assert 'href="?bucket=new"' in html
    counts = {
        bucket: html.split(f'class="tab tab-{bucket}"')[1].split('class="count">')[1].split("<")[0]
        for bucket in ("new", "overdue", "active")
    }
    assert counts == {"new": "2", "overdue": "1", "active": "3"}

    overdue_html = client.get(reverse("staff:queue"), {"bucket": "overdue"}).content.decode()
    assert late.tracking_code in overdue_html
    assert fresh.tracking_code not in overdue_html
    new_html = client.get(reverse("staff:queue"), {"bucket": "new"}).content.decode()
    assert accepted.tracking_code not in new_html and fresh.tracking_code in new_html


def test_queue_shows_fifty_cases_a_page_with_a_next_link(county, submit):
    codes = {dispatched(county, submit, title=f"路灯{i}").tracking_code for i in range(51)}
    client = login(county.handler)
    first = client.get(reverse("staff:queue"), {"bucket": "active"}).content.decode()
    on_first = {code for code in codes if code in first}
    assert len(on_first) == 50
    assert 'rel="next"' in first
    second = client.get(reverse("staff:queue"), {"bucket": "active", "page": 2}).content.decode()
    assert (codes - on_first) == {code for code in codes if code in second}
    assert 'rel="next"' not in second and 'rel="prev"' in second


def test_queue_ignores_a_nonsense_bucket_and_page(county, submit):
    case = dispatched(county, submit)
    response = login(county.handler).get(reverse("staff:queue"), {"bucket": "x", "page": "y"})
    assert response.status_code == 200
    assert case.tracking_code in response.content.decode()


# --- triage ------------------------------------------------------------------------------


def test_triage_lists_new_and_returned_cases_in_scope(county, submit):
    new = submit(title="新来的")
    returned = dispatched(county, submit, title="派错了")
    actions.return_case(actor=county.handler, case=returned, reason="应由镇里处理")
    running = dispatched(county, submit, title="正在办")
    html = login(county.operator).get(reverse("staff:triage")).content.decode()
    assert new.tracking_code in html and returned.tracking_code in html
    assert "应由镇里处理" in html
    assert running.tracking_code not in html


def test_triage_is_empty_for_supervisor_of_other_township(county, submit):
    case = submit()
    html = login(county.other_supervisor).get(reverse("staff:triage")).content.decode()
    assert case.tracking_code not in html


# --- supervise and overdue -------------------------------------------------------------------


def test_supervise_shows_status_counts_and_unit_table(county, submit):
    late = dispatched(county, submit)
    make_overdue(late, hours=5)
    dispatched(county, submit)
    submit()
    html = login(county.supervisor).get(reverse("staff:supervise")).content.decode()
    assert "柳树村委会" in html
    row = html.split("柳树村委会")[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('<td class="num')[1:]]
    assert [c.split(">")[1] for c in cells] == ["2", "1", "0", "0"]
    assert "1 case is overdue" in html
    assert reverse("staff:overdue") in html


def test_supervisor_outside_scope_sees_nothing(county, submit):
    late = dispatched(county, submit)
    make_overdue(late, hours=5)
    client = login(county.other_supervisor)
    supervise = client.get(reverse("staff:supervise")).content.decode()
    assert "柳树村委会" not in supervise
    assert "There are no cases in your area yet" in supervise
    assert late.tracking_code not in client.get(reverse("staff:overdue")).content.decode()
    assert late.tracking_code not in client.get(reverse("staff:queue")).content.decode()


@pytest.mark.parametrize("role", ["handler", "operator"])
def test_overview_is_for_supervisors_only(county, role):
    assert login(getattr(county, role)).get(reverse("staff:supervise")).status_code == 403


def test_overdue_list_shows_most_overdue_first(county, submit):
    a_little = dispatched(county, submit, title="刚超时")
    make_overdue(a_little, hours=1)
    very = dispatched(county, submit, title="超时很久")
    make_overdue(very, hours=48)
    on_time = dispatched(county, submit, title="未超时")
    html = login(county.supervisor).get(reverse("staff:overdue")).content.decode()
    assert html.index(very.tracking_code) < html.index(a_little.tracking_code)
    assert on_time.tracking_code not in html


# --- search --------------------------------------------------------------------------------


def test_search_by_tracking_code_opens_the_case(county, submit):
    case = dispatched(county, submit)
    response = login(county.handler).get(
        reverse("staff:search"), {"q": " " + case.tracking_code.lower()}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:case", args=[case.pk])


def test_a_search_with_more_results_than_shown_says_how_many_there_are(county, submit, monkeypatch):
    from minsheng.cases import views

    for _ in range(4):
        submit(title="东湖镇柳树村路灯不亮")
    monkeypatch.setattr(views, "SEARCH_LIMIT", 3)
    html = login(county.supervisor).get(reverse("staff:search"), {"q": "路灯"}).content.decode()
    assert "4 cases found" in html
    assert "Only the newest 3 are shown" in html
    assert html.count('class="cc-code"') == 3


def test_search_by_title_fragment_stays_within_scope(county, submit):
    mine = submit(title="东湖镇柳树村路灯不亮")
    other = submit(title="石门村路灯不亮", area=county.other_village)
    html = login(county.supervisor).get(reverse("staff:search"), {"q": "路灯"}).content.decode()
    assert mine.tracking_code in html
    assert other.tracking_code not in html
    response = login(county.supervisor).get(reverse("staff:search"), {"q": other.tracking_code})
    assert response.status_code == 200
    assert "0 cases found" in response.content.decode()


def test_cases_cannot_be_found_by_a_residents_phone_number(county, submit):
    # Searching by phone would make the case list a register of who complained.
    submit(title="路灯不亮 13912345678")
    for query in ("13912345678", "139 1234 5678", "110101199003071234"):
        response = login(county.operator).get(reverse("staff:search"), {"q": query})
        html = response.content.decode()
        assert response.status_code == 200
        assert "cannot be searched by a phone number" in html
        assert 'class="cc-code"' not in html


def test_urgent_cases_come_first_in_a_units_queue_and_the_dispatch_queue(county, submit):
    normal = submit(title="路面小坑")
    urgent = submit(title="全组停水", priority="urgent")
    triage = login(county.operator).get(reverse("staff:triage")).content.decode()
    assert triage.index(urgent.tracking_code) < triage.index(normal.tracking_code)
    for case in (normal, urgent):
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    queue = login(county.handler).get(reverse("staff:queue")).content.decode()
    assert queue.index(urgent.tracking_code) < queue.index(normal.tracking_code)
