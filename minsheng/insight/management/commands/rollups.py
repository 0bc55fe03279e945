"""`minsheng rollups rebuild [--since DATE]`: recompute the KPI rollups from the timeline."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from minsheng.insight.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard rollups from the case timeline (safe to repeat)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument(
            "--since",
            help="only recompute days from this date on (YYYY-MM-DD); default: everything",
        )

    def handle(self, *args, action: str, since: str | None, **options) -> None:  # type: ignore[no-untyped-def]
        since_day = None
        if since:
            try:
                since_day = dt.date.fromisoformat(since)
            except ValueError as exc:
                raise CommandError(f"--since: not a date: {since}") from exc
        started = time.monotonic()
        cases = rebuild(since=since_day)
        self.stdout.write(f"rollups rebuilt: {cases} cases in {time.monotonic() - started:.1f} s")
