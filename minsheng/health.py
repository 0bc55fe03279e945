"""`/healthz`: a small JSON answer for the reverse proxy and monitoring.

200 while the database answers, 503 when it does not. The body says how long ago the
deadline sweep last finished and how many tasks wait: a late sweep or a growing queue
means no worker is running. No secrets, no sign-in, not translated (machines read it).
"""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _queued_tasks() -> int | None:
    from django_tasks_db.models import DBTaskResult

    from minsheng.worker import uses_database_backend

    if not uses_database_backend():
        return None  # tasks run in the web process itself: there is no queue
    return DBTaskResult.objects.ready().count()


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    from minsheng.cases.selectors import sweep_health

    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        sweep = sweep_health()
        queued = _queued_tasks()
    except DatabaseError as exc:
        logger.warning("healthz: the database does not answer: %s", exc)
        return JsonResponse({"database": "unavailable"}, status=503)
    return JsonResponse(
        {
            "database": "ok",
            "last_sweep_age_s": sweep.age_seconds,
            "sweep_interval_s": sweep.interval,
            "sweeps": "late" if sweep.is_late else "ok",
            "queued_tasks": queued,
        }
    )
