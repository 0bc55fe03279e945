"""Staff and monitoring notice when deadline sweeps (and so the workers) have stopped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minsheng.cases.deadlines import sweep_deadlines
from minsheng.cases.models import SweepRecord

WARNING = "no worker seems to be running"


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _sweep_finished(ago: dt.timedelta) -> None:
    SweepRecord.objects.update_or_create(
        pk=SweepRecord.ONLY, defaults={"finished_at": timezone.now() - ago}
    )


def test_a_sweep_records_when_it_finished(county):
    before = timezone.now()
    sweep_deadlines()
    record = SweepRecord.objects.get()
    assert before <= record.finished_at <= timezone.now()
    assert "escalated=0" in record.summary


@pytest.mark.parametrize("page", ["staff:supervise", "staff:overdue"])
def test_overview_and_overdue_pages_say_when_overdue_cases_were_last_checked(county, page):
    sweep_deadlines()
    shown = timezone.localtime(SweepRecord.objects.get().finished_at).strftime("%Y-%m-%d %H:%M")
    html = login(county.supervisor).get(reverse(page)).content.decode()
    assert f"Last checked for overdue cases at {shown}." in html
    assert WARNING not in html


def test_overdue_page_says_when_no_sweep_ever_checked(county):
    html = login(county.supervisor).get(reverse("staff:overdue")).content.decode()
    assert "Not yet checked for overdue cases" in html


@pytest.mark.parametrize("role", ["supervisor", "operator", "admin"])
def test_staff_pages_warn_who_can_act_when_no_sweep_ever_ran(county, role):
    html = login(getattr(county, role)).get(reverse("staff:queue")).content.decode()
    assert "No deadline sweep has run yet" in html
    assert "minsheng worker" in html


def test_handlers_are_not_told_about_the_worker(county):
    html = login(county.handler).get(reverse("staff:queue")).content.decode()
    assert WARNING not in html


def test_staff_pages_warn_once_the_last_sweep_is_three_intervals_old(county, settings):
    settings.MINSHENG_SWEEP_INTERVAL = 300
    _sweep_finished(dt.timedelta(seconds=3 * 300 + 30))
    html = login(county.supervisor).get(reverse("staff:queue")).content.decode()
    assert "No deadline sweep since" in html
    assert WARNING in html


def test_a_recent_sweep_raises_no_warning(county, settings):
    settings.MINSHENG_SWEEP_INTERVAL = 300
    _sweep_finished(dt.timedelta(seconds=2 * 300))
    html = login(county.supervisor).get(reverse("staff:queue")).content.decode()
    assert WARNING not in html


# --- /healthz ----------------------------------------------------------------------------


def test_healthz_answers_without_sign_in_with_the_sweep_age_and_the_queue(county, settings):
    settings.MINSHENG_SWEEP_INTERVAL = 300
    _sweep_finished(dt.timedelta(seconds=90))
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["database"] == "ok"
    assert 90 <= body["last_sweep_age_s"] < 120
    assert body["sweep_interval_s"] == 300
    assert body["sweeps"] == "ok"
    assert isinstance(body["queued_tasks"], int)


def test_healthz_says_sweeps_are_late_when_none_ever_ran(county):
    body = Client().get("/healthz").json()
    assert body["last_sweep_age_s"] is None
    assert body["sweeps"] == "late"


def test_healthz_is_503_when_the_database_does_not_answer(transactional_db, tmp_path):
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.ensure_connection()
    # Set the open connection aside (SQLite's in-memory test database would vanish if it
    # were closed) and point the next one where no database is.
    kept, connection.connection = connection.connection, None
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "missing" / "db.sqlite3")
    else:
        connection.settings_dict["PORT"] = "1"  # nothing listens there
    try:
        response = Client().get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.connection = kept
    assert response.status_code == 503
    assert response.json() == {"database": "unavailable"}
