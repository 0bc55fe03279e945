"""Error pages a resident or a clerk may meet: in their language, with a way on."""

from __future__ import annotations

import logging
import re
from importlib import import_module

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import path
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


def _broken_page(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("a bug")


# This module doubles as a URLconf with one page that fails, and minsheng's 500 handler.
urlpatterns = [path("broken/", _broken_page)]
handler500 = import_module("minsheng.urls").handler500  # the one the site uses


@override_settings(DEBUG=False, ROOT_URLCONF="tests.test_error_pages")
def test_the_server_error_page_shows_the_reference_the_log_line_carries(caplog):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")

    assert response.status_code == 500
    shown = re.search(
        r"give this reference: <strong[^>]*>([0-9a-f]{8})</strong>", response.content.decode()
    )
    assert shown, response.content.decode()
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert len(logged) == 1
    assert (
        logged[0].getMessage().startswith(f"[ref {shown.group(1)}] Internal Server Error: /broken/")
    )
    assert logged[0].exc_info is not None  # the traceback is still in the log
