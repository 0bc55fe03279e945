"""Error pages a resident or a clerk may meet: in their language, with a way on."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.utils import translation
from django.views.defaults import server_error

from minsheng.accounts.models import Role, User

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("zh-hans", "此页面不存在"),
        ("en", "This page does not exist"),
        ("ug", "بۇ بەت مەۋجۇت ئەمەس"),
    ],
)
def test_a_mistyped_address_gets_a_page_in_the_readers_language(client, language, heading):
    response = client.get("/reportt/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    html = response.content.decode()
    assert heading in html
    assert 'href="/report/"' in html and 'href="/track/"' in html
    if language == "ug":
        assert 'dir="rtl"' in html


@override_settings(DEBUG=False)
def test_a_resident_who_opens_a_staff_page_is_told_no_account_is_needed(client):
    response = client.get("/staff/triage-models/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    # Staff pages send signed-out visitors to the sign-in page rather than refusing them.
    assert response.status_code == 200
    assert "/accounts/login/" in response.redirect_chain[-1][0]


@override_settings(DEBUG=False)
def test_staff_refused_a_page_are_told_why_and_led_back_to_their_work(client):
    handler = User.objects.create_user(username="h", password="pw-123456789", role=Role.HANDLER)
    client.force_login(handler)

    response = client.get("/staff/triage-models/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not open this page" in html
    assert "ask your administrator" in html
    assert "Back to my work" in html
    assert 'href="/report/"' not in html  # a clerk is not sent to the residents' pages


def test_the_server_error_page_needs_neither_database_nor_stylesheet():
    request = RequestFactory().get("/report/")
    with translation.override("ug"):
        response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert 'dir="rtl"' in html
    assert "stylesheet" not in html
    assert 'href="/track/"' in html


@override_settings(DEBUG=False)
def test_a_report_sent_without_its_form_token_is_refused_in_the_residents_language():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/report/", {"description": "水管爆了"}, HTTP_ACCEPT_LANGUAGE="ug")

    assert response.status_code == 403
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "جەدۋەلنى يوللىغىلى بولمىدى" in html
    assert 'href="/report/"' in html
