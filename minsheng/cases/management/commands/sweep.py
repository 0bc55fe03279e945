"""`manage.py sweep`: one deadline sweep, now, in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from minsheng.cases.deadlines import sweep_deadlines
from minsheng.server import require_keys, require_migrated


class Command(BaseCommand):
    help = (
        "Escalate cases whose deadline has passed, close resolved cases the resident never "
        "rated, and purge expired contact details. Prints what it did."
    )

    def handle(self, *args: object, **options: object) -> None:
        require_migrated()
        require_keys()
        result = sweep_deadlines()
        self.stdout.write(str(result))
