"""The resident's rating: only for a resolved case; a low one reopens, a good one closes."""

from __future__ import annotations

import re

from django.urls import reverse

from minsheng.cases import actions
from minsheng.cases.models import Case, Event, Feedback, Status


def rate(client, case: Case, **fields):  # type: ignore[no-untyped-def]
    data = {"rating": "5", "is_solved": "yes", "comment": "", "expected_version": case.version}
    data.update(fields)
    return client.post(reverse("intake:rate", args=[case.tracking_code]), data)


def test_rating_form_is_offered_only_once_the_case_is_resolved(en_client, county, submit):
    case = submit()
    rate_url = reverse("intake:rate", args=[case.tracking_code])
    assert (
        rate_url
        not in en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    )
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="已修好")
    html = en_client.get(reverse("intake:case", args=[case.tracking_code])).content.decode()
    assert rate_url in html
    assert html.count('type="radio" name="rating"') == 5
    assert "the case is reopened" in html


def test_good_rating_closes_the_case(en_client, resolved_case):
    case = resolved_case()
    response = rate(en_client, case, rating="5", is_solved="yes", comment="很快就修好了")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    feedback = Feedback.objects.get(case=case)
    assert (feedback.rating, feedback.is_solved, feedback.comment) == (5, True, "很快就修好了")
    html = en_client.get(response["Location"]).content.decode()
    assert "The case is now closed." in html
    assert 'class="badge status-closed"' in html


def test_low_rating_reopens_the_case(en_client, county, resolved_case):
    case = resolved_case()
    response = rate(en_client, case, rating="2", is_solved="yes")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    assert case.current_unit == county.village_unit
    html = en_client.get(response["Location"]).content.decode()
    assert "The case has been reopened" in html


def test_not_solved_reopens_the_case_even_with_five_stars(en_client, resolved_case):
    case = resolved_case()
    rate(en_client, case, rating="5", is_solved="no")
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_rating_a_case_that_is_not_resolved_is_refused_and_changes_nothing(
    en_client, county, submit
):
    case = submit()
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    case.refresh_from_db()
    events_before = Event.objects.filter(case=case).count()
    response = rate(en_client, case)
    assert response.status_code == 409
    assert "can be rated once the unit reports it resolved" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    assert Feedback.objects.count() == 0
    assert Event.objects.filter(case=case).count() == events_before


def test_rating_without_saying_whether_it_was_solved_is_refused(en_client, resolved_case):
    case = resolved_case()
    response = rate(en_client, case, is_solved="")
    assert response.status_code == 400
    assert "Please say whether the problem was solved." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and Feedback.objects.count() == 0


def test_rating_without_stars_is_refused_and_the_answer_is_kept(en_client, resolved_case):
    case = resolved_case()
    response = rate(en_client, case, rating="", is_solved="no", comment="还在漏水")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please give a rating from 1 to 5." in html
    assert "还在漏水" in html
    assert re.search(r'<input type="radio" name="is_solved" value="no"[^>]* checked', html)
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and Feedback.objects.count() == 0


def test_rating_from_a_stale_page_is_refused_and_changes_nothing(en_client, resolved_case):
    case = resolved_case()
    response = rate(en_client, case, expected_version=case.version - 1)
    assert response.status_code == 409
    assert "Someone else changed this case" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and Feedback.objects.count() == 0


def test_rating_page_rendered_after_a_refusal_can_be_sent_again(en_client, resolved_case):
    case = resolved_case()
    refused = rate(en_client, case, expected_version=case.version - 1)
    assert refused.context["rate_form"]["expected_version"].value() == str(case.version)
    assert rate(en_client, case).status_code == 302


def test_opening_the_rating_address_shows_the_case(en_client, resolved_case):
    case = resolved_case()
    response = en_client.get(reverse("intake:rate", args=[case.tracking_code]))
    assert response["Location"] == reverse("intake:case", args=[case.tracking_code])
