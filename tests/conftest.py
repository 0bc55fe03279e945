from __future__ import annotations

import os

import pytest

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel
from tests.factories import County, make_county


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every committing test restores the migrated data by serialized rollback.

    A committing test ends by flushing the database. Without serialized rollback the flush
    re-creates content types and permissions with new ids, and a later test that does use
    serialized rollback (the browser tests) then fails to load its snapshot over them, so
    the suite passed or failed by test order. With it everywhere, every committing test
    starts from the same snapshot whatever ran before.
    """
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        marker = item.get_closest_marker("django_db")
        committing = "transactional_db" in fixtures or "live_server" in fixtures
        if marker is not None and marker.kwargs.get("transaction"):
            committing = True
        if committing:
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:  # type: ignore[no-untyped-def]
    # Several suites may run against one PostgreSQL server at once (developers, CI,
    # benchmarks); a per-process test database name keeps them from dropping each other's.
    from django.conf import settings

    db = settings.DATABASES["default"]
    # Persistent connections from live-server threads would keep the test database busy
    # and stop it from being dropped at the end.
    db["CONN_MAX_AGE"] = 0
    if db["ENGINE"].endswith("postgresql"):
        base = db.get("TEST", {}).get("NAME") or f"test_{db['NAME']}"
        db.setdefault("TEST", {})["NAME"] = f"{base}_{os.getpid()}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # PBKDF2 at production strength costs ~0.3 s per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db) -> County:  # type: ignore[no-untyped-def]
    return make_county()


@pytest.fixture
def submit(county: County):  # type: ignore[no-untyped-def]
    """Submit a resident's case in the test village; keyword overrides pass through."""

    def _submit(**overrides) -> Case:  # type: ignore[no-untyped-def]
        fields = {
            "actor": actions.RESIDENT,
            "title": "村口水管破裂",
            "description": "柳树村村口的水管破了，已经停水两天。",
            "category": county.roads,
            "area": county.village,
            "channel": Channel.WEB,
        }
        fields.update(overrides)
        return actions.submit_case(**fields)

    return _submit


@pytest.fixture
def committed_county(transactional_db) -> County:  # type: ignore[no-untyped-def]
    """The test county in a test whose transactions really commit, for code that handles
    database connections itself: the task worker and management commands run in-process
    close connections, which would end a test wrapped in one transaction. A committing
    test ends by emptying every table, the seeded categories too, so restore them first."""
    from minsheng.directory.models import Category
    from minsheng.directory.seed import CATEGORIES

    for order, row in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=row["code"], defaults={**row, "sort_order": order * 10})
    return make_county()
