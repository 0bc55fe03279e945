"""The "Triage models" staff page: mode, versions, train now, roll back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from minsheng.triage.models import ChangeAction, ModelChange, ModelKind, TriageModel, Trigger
from minsheng.triage.training import train_kind
from tests.triage.test_training_support import history, small_thresholds  # noqa: F401

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_fresh_installation_page_says_keyword_mode_and_why(county) -> None:
    html = login(county.admin).get(reverse("triage_models:index")).content.decode()

    assert "Category keywords." in html
    assert "at least 2 categories have 6 dispatched cases each" in html
    assert "Train now" in html


def test_admin_trains_from_the_page_and_sees_the_learned_mode(
    county, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    history(county)
    admin = login(county.admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("triage_models:train"))
    assert response.status_code == 302
    html = admin.get(reverse("triage_models:index")).content.decode()

    assert "Learned model." in html and "version 1" in html
    change = ModelChange.objects.filter(action=ChangeAction.ACTIVATED, kind="category").get()
    assert change.actor == county.admin and change.trigger == Trigger.PAGE


def test_admin_rolls_back_from_the_page(county) -> None:
    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    history(county, per_category=1, seed=3)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)

    response = login(county.admin).post(reverse("triage_models:activate", args=["category", 1]))

    assert response.status_code == 302
    assert TriageModel.objects.get(is_active=True).version == 1


def test_supervisor_sees_the_page_but_cannot_train_or_roll_back(county) -> None:
    supervisor = login(county.supervisor)

    assert "Train now" not in supervisor.get(reverse("triage_models:index")).content.decode()
    assert supervisor.post(reverse("triage_models:train")).status_code == 403
    assert supervisor.post(reverse("triage_models:activate", args=["unit", 1])).status_code == 403


def test_handlers_and_operators_may_not_open_it(county) -> None:
    assert login(county.handler).get(reverse("triage_models:index")).status_code == 403
    assert login(county.operator).get(reverse("triage_models:index")).status_code == 403


def test_page_shows_how_often_operators_followed_each_version(
    county, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from minsheng.cases import actions
    from minsheng.cases.models import Channel
    from tests.triage.test_training_support import ROADS_TEXT, WATER_TEXT

    history(county)
    train_kind(ModelKind.CATEGORY, trigger=Trigger.COMMAND)
    with django_capture_on_commit_callbacks(execute=True):
        for text, category in ((WATER_TEXT, county.water), (ROADS_TEXT, county.water)):
            actions.submit_case(
                actor=county.operator,
                title="",
                description=text * 2,
                category=category,
                area=county.village,
                channel=Channel.PHONE,
            )

    html = login(county.admin).get(reverse("triage_models:index")).content.decode()

    assert "50% (2)" in html  # the second call was filed against the suggestion


def test_a_training_nobody_takes_up_is_explained(county, settings) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    # The installation's queue, which a worker process empties (none runs in this test).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    admin = login(county.admin)
    admin.post(reverse("triage_models:train"))
    html = admin.get(reverse("triage_models:index")).content.decode()
    assert "is waiting for the worker" in html

    # No worker took it for a quarter of an hour: the page says what to do.
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=15))
    html = admin.get(reverse("triage_models:index")).content.decode()
    assert "no worker seems to be running" in html and "minsheng worker" in html
