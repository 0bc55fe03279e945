"""``case_event_committed``: sent once a case's event is safely committed.

Side effects (resident SMS, partner notifications) connect here, so a rolled-back action
never notifies anyone and the actions stay free of delivery code.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent with ``event`` (a cases.models.Event) after the transaction that wrote it commits.
case_event_committed = Signal()


def announce(event) -> None:  # type: ignore[no-untyped-def]
    transaction.on_commit(lambda: case_event_committed.send(sender=type(event), event=event))
