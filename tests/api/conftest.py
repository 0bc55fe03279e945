from __future__ import annotations

import json

import pytest
from django.test import Client

from minsheng.accounts.models import ApiToken, User
from minsheng.cases import actions
from minsheng.cases.models import Case


class Api:
    """A JSON client for the API, optionally signed in with a bearer token, in English."""

    def __init__(self, token: str | None = None, language: str = "en") -> None:
        self.client = Client()
        self.headers = {"Accept-Language": language}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, params: dict | None = None):  # type: ignore[no-untyped-def]
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: object = None):  # type: ignore[no-untyped-def]
        data = "" if body is None else json.dumps(body)
        return self.client.post(path, data, content_type="application/json", headers=self.headers)

    def delete(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def public_api() -> Api:
    return Api()


@pytest.fixture
def api_as():  # type: ignore[no-untyped-def]
    """api_as(user) → an Api signed in with a fresh token of that user."""

    def _api_as(user: User, language: str = "en") -> Api:
        _token, raw = ApiToken.issue(user=user, name="tests")
        return Api(raw, language=language)

    return _api_as


@pytest.fixture
def dispatched(county, submit):  # type: ignore[no-untyped-def]
    """A resident's case dispatched to the test village's committee."""

    def _dispatched(**overrides) -> Case:  # type: ignore[no-untyped-def]
        case = submit(**overrides)
        return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)

    return _dispatched


@pytest.fixture
def accepted(county, dispatched):  # type: ignore[no-untyped-def]
    def _accepted(**overrides) -> Case:  # type: ignore[no-untyped-def]
        case = dispatched(**overrides)
        return actions.accept_case(actor=county.handler, case=case)

    return _accepted
