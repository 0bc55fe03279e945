"""Staff sign-in and sign-out."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

PASSWORD = "demo-pass-123"  # tests.factories.UserFactory's password


def test_login_page_shows_the_form(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html


def test_correct_password_signs_in_and_lands_on_role_page(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("accounts:login"), {"username": "handler", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("staff:queue")
    assert response.status_code == 200


def test_wrong_password_shows_an_error_and_does_not_sign_in(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("accounts:login"), {"username": "handler", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()
    assert client.get(reverse("staff:queue")).status_code == 302


def test_login_goes_back_to_the_page_asked_for(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("accounts:login") + "?next=/staff/overdue/",
        {"username": "operator", "password": PASSWORD, "next": "/staff/overdue/"},
    )
    assert response["Location"] == "/staff/overdue/"


def test_logout_is_a_post_that_ends_the_session(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.operator)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("staff:triage")).status_code == 302
