"""Tokens issued before tokens expired get an expiry from their issue date."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("accounts", "0003_must_change_password")]
AFTER = [("accounts", "0004_api_token_expiry")]


def test_existing_tokens_expire_the_configured_days_after_issue(transactional_db, settings):
    settings.MINSHENG_API_TOKEN_DAYS = 30
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(username="early")
    token = old.get_model("accounts", "ApiToken").objects.create(
        user=user, name="old client", prefix="ms_abcde", digest="x" * 64
    )
    issued = timezone.now() - dt.timedelta(days=100)
    old.get_model("accounts", "ApiToken").objects.filter(pk=token.pk).update(created_at=issued)
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    migrated = new.get_model("accounts", "ApiToken").objects.get(pk=token.pk)
    assert abs(migrated.expires_at - (issued + dt.timedelta(days=30))) < dt.timedelta(seconds=1)
