"""Transport and file hardening: the HTTPS switch, the Content-Security-Policy header, and a
data directory no other account on the machine can read."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from minsheng.datadir import tighten_permissions
from minsheng.security import tile_source

REPO = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> str:
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE="minsheng.settings", **env)
    environment.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environment, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


READ_SECURITY = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS")}))
"""


def test_the_https_switch_secures_cookies_trusts_the_proxy_header_and_sends_hsts(tmp_path):
    on = json.loads(run_python(READ_SECURITY, MINSHENG_HTTPS="1", MINSHENG_DATA_DIR=str(tmp_path)))
    assert on == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 365 * 24 * 3600,
    }
    off = json.loads(run_python(READ_SECURITY, MINSHENG_DATA_DIR=str(tmp_path)))
    assert off["SESSION_COOKIE_SECURE"] is False and off["SECURE_PROXY_SSL_HEADER"] is None
    assert not off["SECURE_HSTS_SECONDS"]


def test_behind_the_https_proxy_pages_carry_hsts_and_secure_cookies(county, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    page = client.get("/accounts/login/")
    assert page["Strict-Transport-Security"] == "max-age=3600"
    assert page.cookies["csrftoken"]["secure"]
    signed_in = client.post(
        "/accounts/login/", {"username": "handler", "password": "demo-pass-123"}
    )
    assert signed_in.cookies["sessionid"]["secure"]


@pytest.mark.parametrize("path", ["/", "/report/", "/track/", "/accounts/login/", "/api/docs"])
def test_pages_allow_scripts_only_from_the_site_itself(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy


def test_no_page_template_has_an_inline_script_the_policy_would_block():
    templates = REPO / "minsheng" / "templates"
    for path in templates.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for chunk in html.split("<script")[1:]:
            opening = chunk.split(">", 1)[0]
            assert "src=" in opening or "application/json" in opening, path


def test_map_tiles_are_allowed_from_the_configured_server():
    assert tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_source("") == ""


OPEN_DATABASE = """
import os, stat
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
    data = settings.DATA_DIR
    for name in sorted(os.listdir(data)):
        print(name, oct(stat.S_IMODE(os.stat(data / name).st_mode)))
"""


def test_a_new_data_directory_and_database_are_readable_by_their_owner_only(tmp_path):
    data = tmp_path / "minsheng"
    listing = run_python(OPEN_DATABASE, MINSHENG_DATA_DIR=str(data))
    modes = dict(line.split() for line in listing.splitlines())
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert modes["minsheng.sqlite3"] == "0o600"
    assert modes["minsheng.sqlite3-wal"] == "0o600"
    assert modes["minsheng.sqlite3-shm"] == "0o600"
    assert modes["contact.key"] == modes["django-secret.key"] == "0o600"


def test_an_older_installation_is_tightened(tmp_path):
    data = tmp_path / "minsheng"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    for name in ("minsheng.sqlite3", "minsheng.sqlite3-wal", "sms-outbox.log"):
        (data / name).write_text("x")
        (data / name).chmod(0o644)
    (data / "static").mkdir()
    changed = tighten_permissions(data)
    assert set(changed) == {str(data), "minsheng.sqlite3", "minsheng.sqlite3-wal", "sms-outbox.log"}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for name in ("minsheng.sqlite3", "minsheng.sqlite3-wal", "sms-outbox.log"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
    assert tighten_permissions(data) == []
