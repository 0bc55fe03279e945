"""Staff sign-in and sign-out."""

from __future__ import annotations

import re

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


# --- password guessing ----------------------------------------------------------------------


def sign_in(username: str, password: str, *, address: str = "198.51.100.7", **extra):  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address, **extra)
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return client, response


def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(county):
    answers = [sign_in("handler", f"guess-{n}")[1].status_code for n in range(40)]
    assert answers[:10] == [200] * 10
    assert set(answers[10:]) == {429}
    client, response = sign_in("handler", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts from this address" in response.content.decode()
    assert "Please try again after" in response.content.decode()
    assert client.get(reverse("staff:queue")).status_code == 302


def test_the_lock_reads_the_same_for_a_username_that_does_not_exist(county):
    for name in ("handler", "nobody-by-this-name"):
        for _ in range(10):
            sign_in(name, "wrong")
    known = sign_in("handler", "wrong")[1]
    unknown = sign_in("nobody-by-this-name", "wrong")[1]
    assert known.status_code == unknown.status_code == 429
    message = re.compile(r"Too many failed sign-in attempts[^<]*")
    assert message.findall(known.content.decode()) == message.findall(unknown.content.decode())


def test_a_lock_from_one_address_does_not_lock_the_user_out_elsewhere(county):
    for _ in range(12):
        sign_in("handler", "wrong", address="203.0.113.66")
    client, response = sign_in("handler", PASSWORD, address="198.51.100.7")
    assert response.status_code == 302


def test_signing_in_clears_the_count_of_earlier_mistakes(county):
    for _ in range(9):
        sign_in("handler", "wrong")
    assert sign_in("handler", PASSWORD)[1].status_code == 302
    for _ in range(9):
        sign_in("handler", "wrong")
    assert sign_in("handler", PASSWORD)[1].status_code == 302


def test_fifty_failures_from_one_address_lock_every_username_there(county):
    for n in range(50):
        sign_in(f"user{n}", "wrong")
    assert sign_in("operator", PASSWORD)[1].status_code == 429
    assert sign_in("operator", PASSWORD, address="198.51.100.8")[1].status_code == 302


def test_forwarded_address_counts_only_behind_a_trusted_proxy(county, settings):
    proxy = {"address": "127.0.0.1"}
    for n in range(10):
        sign_in("handler", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", **proxy)
    # Not behind a proxy: the header is the client's own and the proxy's address counts.
    assert sign_in("handler", PASSWORD, **proxy)[1].status_code == 429
    settings.MINSHENG_TRUSTED_PROXIES = 1
    response = sign_in("handler", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.200", **proxy)[1]
    assert response.status_code == 302


def test_web_sign_in_and_api_token_requests_share_one_count(county):
    for _ in range(5):
        sign_in("handler", "wrong", address="127.0.0.1")
    api = Client(REMOTE_ADDR="127.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    body = '{"username": "handler", "password": "wrong", "name": "laptop"}'
    for _ in range(5):
        assert api.post("/api/auth/token", body, content_type="application/json").status_code == 401
    assert sign_in("handler", PASSWORD, address="127.0.0.1")[1].status_code == 429


def test_the_administration_sites_sign_in_is_counted_too(county):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(10):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD}
    )
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_the_lock_is_explained_in_chinese(county):
    for _ in range(10):
        sign_in("handler", "wrong")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR="198.51.100.7")
    response = client.post(reverse("accounts:login"), {"username": "handler", "password": "x"})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
