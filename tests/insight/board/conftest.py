"""Helpers for the public board's tests: cases with known histories (raised days ago,
resolved, rated) and a reader for the page's headline figures.

The board reads the rollups that committed case events keep current. A test's transaction
never commits, so every action called through ``actions`` here delivers its committed
events when it returns, as it does in production when its request ends.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel


@pytest.fixture(autouse=True)
def committed_actions(monkeypatch, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Each public action of ``actions`` runs its on-commit callbacks (the rollups' receiver
    among them) when it returns."""

    def delivering(action):  # type: ignore[no-untyped-def]
        @functools.wraps(action)
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            with django_capture_on_commit_callbacks(execute=True):
                return action(*args, **kwargs)

        return run

    for name, value in inspect.getmembers(actions, inspect.isfunction):
        if not name.startswith("_") and value.__module__ == actions.__name__:
            monkeypatch.setattr(actions, name, delivering(value))


@pytest.fixture
def client_en() -> Client:
    """A visitor who chose English (a case's own page otherwise opens in the language the
    case was reported in)."""
    client = Client(headers={"accept-language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def raise_case(county):  # type: ignore[no-untyped-def]
    """A case copied from a ledger, raised ``days_ago`` days ago (through the import door,
    the only one that may carry an earlier date)."""

    def _raise(days_ago: float = 0, **overrides) -> Case:  # type: ignore[no-untyped-def]
        fields = {
            "actor": county.operator,
            "title": "村口水管破裂",
            "description": "柳树村村口的水管破了，已经停水两天。",
            "category": county.roads,
            "area": county.village,
            "channel": Channel.IMPORT,
            "raised_at": timezone.now() - dt.timedelta(days=days_ago),
        }
        fields.update(overrides)
        return actions.submit_case(**fields)

    return _raise


@pytest.fixture
def resolve(county):  # type: ignore[no-untyped-def]
    """Dispatch, accept and resolve a case now, in the test village (or the other one)."""

    def _resolve(case: Case, resolution: str = "已修好", *, other: bool = False) -> Case:
        unit = county.other_village_unit if other else county.village_unit
        handler = county.other_handler if other else county.handler
        case = actions.dispatch_case(actor=county.operator, case=case, unit=unit)
        case = actions.accept_case(actor=handler, case=case)
        return actions.resolve_case(actor=handler, case=case, resolution=resolution)

    return _resolve


def rate(case: Case, stars: int, solved: bool = True) -> Case:
    return actions.rate_case(actor=actions.RESIDENT, case=case, rating=stars, is_solved=solved)


def figure(html: str, name: str) -> str:
    """The value shown for one headline figure (raised, resolved, median, …)."""
    match = re.search(rf'id="fig-{name}">.*?<strong class="b-value">(.*?)</strong>', html, re.S)
    assert match, f"no figure {name}"
    return match.group(1).strip()
