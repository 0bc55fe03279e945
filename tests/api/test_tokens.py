"""Getting a token, using it, losing it; browser sessions; the issue_token command."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from minsheng.accounts.models import ApiToken
from tests.api.conftest import Api


@pytest.fixture(autouse=True)
def _clear_cache():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def ask_token(username="handler", password="demo-pass-123", name="laptop"):  # type: ignore[no-untyped-def]
    return Api().post("/api/auth/token", {"username": username, "password": password, "name": name})


def test_password_exchanged_for_a_token_that_opens_the_api(county):
    response = ask_token()
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("ms_") and body["name"] == "laptop"
    me = Api(body["token"]).get("/api/me")
    assert me.status_code == 200
    assert me.json()["username"] == "handler"
    assert me.json()["role"] == "handler"
    assert [u["id"] for u in me.json()["units"]] == [county.village_unit.pk]


def test_only_a_digest_of_the_token_is_stored(county):
    raw = ask_token().json()["token"]
    stored = ApiToken.objects.get(user=county.handler)
    assert stored.digest == ApiToken.hash(raw)
    assert raw not in (stored.digest, stored.prefix)


def test_me_shows_an_operators_scope_area(county, api_as):
    body = api_as(county.operator).get("/api/me").json()
    assert body["role"] == "operator"
    assert body["scope_area"]["code"] == "C1"
    assert body["units"] == []


def test_wrong_password_is_refused_with_401(county):
    response = ask_token(password="nope")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Wrong username or password.",
        "field": None,
        "code": "WrongCredentials",
    }
    assert not ApiToken.objects.exists()


def test_token_needs_a_name(county):
    response = ask_token(name="  ")
    assert response.status_code == 400
    assert response.json()["field"] == "name"


def test_ten_failures_lock_the_username_out_even_with_the_right_password(county):
    for _ in range(10):
        assert ask_token(password="guess").status_code == 401
    response = ask_token()
    assert response.status_code == 429
    assert response.json()["code"] == "TooManyAttempts"
    assert response.json()["detail"].startswith(
        "Too many failed sign-in attempts from this address. Please try again after "
    )
    assert 0 < int(response["Retry-After"]) <= 15 * 60 + 1
    assert ask_token(username="operator").status_code == 201


def test_the_lock_holds_in_every_web_process_because_it_is_in_the_database(county):
    for _ in range(10):
        ask_token(password="guess")
    cache.clear()  # what a per-process memory would lose (another process, a restart)
    assert ask_token().status_code == 429


def test_nobody_can_lock_a_colleague_out_from_another_address(county):
    for _ in range(10):
        ask_token(password="guess")
    elsewhere = Client(REMOTE_ADDR="198.51.100.23")
    body = '{"username": "handler", "password": "demo-pass-123", "name": "laptop"}'
    assert (
        elsewhere.post("/api/auth/token", body, content_type="application/json").status_code == 201
    )


def test_a_token_expires_after_the_configured_days(county, settings):
    settings.MINSHENG_API_TOKEN_DAYS = 30
    body = ask_token().json()
    token = ApiToken.objects.get()
    assert abs(token.expires_at - (token.created_at + dt.timedelta(days=30))) < dt.timedelta(
        seconds=5
    )
    assert body["expires_at"]
    api = Api(body["token"])
    assert api.get("/api/me").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get("/api/me").status_code == 401


def test_changing_ones_password_on_the_staff_page_revokes_ones_tokens(county, api_as):
    api = api_as(county.handler)
    other = api_as(county.operator)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(county.handler)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "demo-pass-123",
            "new_password1": "a-new-long-passphrase-42",
            "new_password2": "a-new-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    assert api.get("/api/me").status_code == 401
    assert other.get("/api/me").status_code == 200


def test_an_administrator_setting_a_password_revokes_that_users_tokens(county, api_as):
    api = api_as(county.handler)
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(county.admin)
    url = f"/admin/accounts/user/{county.handler.pk}/password/"
    response = admin.post(
        url,
        {
            "password1": "a-new-long-passphrase-42",
            "password2": "a-new-long-passphrase-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert api.get("/api/me").status_code == 401


def test_the_changepassword_command_revokes_the_users_tokens(county, api_as, monkeypatch):
    api = api_as(county.handler)
    # changepassword reads the password twice from the terminal.
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-new-long-passphrase-42")
    call_command("changepassword", "handler", stdout=io.StringIO())
    assert api.get("/api/me").status_code == 401


def test_signing_in_keeps_the_tokens_even_when_it_upgrades_the_password_hash(
    county, api_as, settings
):
    api = api_as(county.handler)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    client = Client()
    client.post("/accounts/login/", {"username": "handler", "password": "demo-pass-123"})
    county.handler.refresh_from_db()
    assert county.handler.password.startswith("pbkdf2_")
    assert api.get("/api/me").status_code == 200


def test_request_without_credentials_gets_401(db):
    response = Api().get("/api/cases")
    assert response.status_code == 401
    assert response.json()["code"] == "NotAuthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_gets_401(county):
    assert Api("ms_not-a-real-token").get("/api/me").status_code == 401


def test_revoked_token_gets_401(county, api_as):
    api = api_as(county.handler)
    assert api.get("/api/me").status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api.get("/api/me").status_code == 401
    assert api.post("/api/cases/1/accept").status_code == 401


def test_client_can_revoke_its_own_token(county, api_as):
    api = api_as(county.handler)
    assert api.delete("/api/auth/token").status_code == 204
    assert api.get("/api/me").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_token_of_a_deactivated_user_gets_401(county, api_as):
    api = api_as(county.handler)
    county.handler.is_active = False
    county.handler.save()
    assert api.get("/api/me").status_code == 401


def test_use_is_recorded_at_most_once_a_minute(county, api_as):
    api = api_as(county.handler)
    api.get("/api/me")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    api.get("/api/me")
    assert ApiToken.objects.get().last_used_at == first


def test_browser_session_reads_without_a_token(county):
    client = Client()
    client.force_login(county.handler)
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "handler"


def test_browser_session_must_send_the_csrf_token_to_act(county, dispatched):
    case = dispatched()
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.handler)
    url = f"/api/cases/{case.pk}/accept"
    refused = client.post(url, "{}", content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "CsrfFailed"
    secret = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = secret
    accepted = client.post(
        url, "{}", content_type="application/json", headers={"X-CSRFToken": secret}
    )
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"


def test_issue_token_command_prints_a_working_token_once(county):
    out = io.StringIO()
    call_command(
        "issue_token", "handler", "--name", "hotline desk", stdout=out, stderr=io.StringIO()
    )
    raw = out.getvalue().strip()
    assert ApiToken.objects.get(user=county.handler).name == "hotline desk"
    assert Api(raw).get("/api/me").json()["username"] == "handler"


def test_issue_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody", "--name", "x", stdout=io.StringIO())


def test_errors_are_rendered_in_the_requests_language(db):
    english = Api(language="en").get("/api/me")
    chinese = Api(language="zh-hans").get("/api/me")
    assert english.json()["detail"] == "Please sign in, or send a valid API token."
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
