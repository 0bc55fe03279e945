"""The lifecycle as data: for each status, the actions allowed and where they lead.

Actions, templates (which buttons to show) and tests all read this one table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.cases.models import Status


class Action(models.TextChoices):
    DISPATCH = "dispatch", _("Dispatch")
    ACCEPT = "accept", _("Accept")
    NOTE = "note", _("Add progress note")
    RETURN = "return", _("Return")
    ESCALATE = "escalate", _("Escalate")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    MERGE = "merge", _("Merge")
    DECLINE = "decline", _("Decline")
    WITHDRAW = "withdraw", _("Withdraw")


A, S = Action, Status

TRANSITIONS: dict[Status, dict[Action, Status]] = {
    S.SUBMITTED: {A.DISPATCH: S.DISPATCHED, A.MERGE: S.MERGED, A.DECLINE: S.DECLINED,
                  A.WITHDRAW: S.WITHDRAWN},
    S.RETURNED: {A.DISPATCH: S.DISPATCHED, A.MERGE: S.MERGED, A.DECLINE: S.DECLINED,
                 A.WITHDRAW: S.WITHDRAWN},
    S.DISPATCHED: {A.ACCEPT: S.ACCEPTED, A.RETURN: S.RETURNED, A.ESCALATE: S.ESCALATED,
                   A.MERGE: S.MERGED, A.WITHDRAW: S.WITHDRAWN},
    S.ESCALATED: {A.ACCEPT: S.ACCEPTED, A.DISPATCH: S.DISPATCHED, A.RETURN: S.RETURNED,
                  A.ESCALATE: S.ESCALATED, A.MERGE: S.MERGED, A.WITHDRAW: S.WITHDRAWN},
    S.ACCEPTED: {A.NOTE: S.IN_PROGRESS, A.RESOLVE: S.RESOLVED, A.ESCALATE: S.ESCALATED,
                 A.MERGE: S.MERGED, A.WITHDRAW: S.WITHDRAWN},
    S.IN_PROGRESS: {A.NOTE: S.IN_PROGRESS, A.RESOLVE: S.RESOLVED, A.ESCALATE: S.ESCALATED,
                    A.MERGE: S.MERGED, A.WITHDRAW: S.WITHDRAWN},
    S.REOPENED: {A.ACCEPT: S.ACCEPTED, A.RETURN: S.RETURNED, A.ESCALATE: S.ESCALATED,
                 A.WITHDRAW: S.WITHDRAWN},
    S.RESOLVED: {A.CLOSE: S.CLOSED, A.REOPEN: S.REOPENED},
    S.CLOSED: {},
    S.MERGED: {},
    S.DECLINED: {},
    S.WITHDRAWN: {},
}  # fmt: skip


def allowed_actions(status: str) -> list[Action]:
    return list(TRANSITIONS.get(Status(status), {}))


def next_status(status: str, action: Action) -> Status | None:
    return TRANSITIONS.get(Status(status), {}).get(action)
