"""Playwright in the system Chromium against pytest-django's live server.

Reusable by any browser test: ``browser`` (a launched Chromium, one per test) and
``new_page`` (a page factory: viewport and language, base URL set to the live server).
Tests here use a transactional database, so data created in the test is visible to the
live server thread; the serialized rollback restores the seeded categories afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # (staff steps, assertions) are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def release_live_server_connections(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """After the browser tests, end the live server's database sessions on PostgreSQL.

    Its request threads keep a connection to the test database, which would otherwise
    stop pytest-django from dropping it at the end of the run.
    """
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture
def new_page(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    transactional_db,
    django_db_serialized_rollback,
    release_live_server_connections,
) -> Iterator[Callable]:
    """``new_page(viewport=PHONE, language="en")`` → a Playwright page on the live server,
    its visitor having chosen ``language``; ``chosen=False``: only the phone's setting.

    Pages keep the site's Content-Security-Policy, so these tests also show that it lets
    the pages work; ``bypass_csp=True`` is for tools that inject their own script (axe)."""
    contexts = []

    def _new_page(  # type: ignore[no-untyped-def]
        viewport: dict | None = None,
        language: str = "en",
        bypass_csp: bool = False,
        chosen: bool = True,
    ):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or PHONE,
            extra_http_headers={"Accept-Language": language},
            bypass_csp=bypass_csp,
        )
        if chosen:
            # As if the visitor had used the language switch: a case's page would otherwise
            # open in the language the case was reported in (minsheng.intake.language).
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()
