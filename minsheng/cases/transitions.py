"""The lifecycle as data: for each status, the actions allowed and where they lead.

Actions, templates (which buttons to show) and tests all read this one table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy

from minsheng.cases.models import Status


class Action(models.TextChoices):
    DISPATCH = "dispatch", pgettext_lazy("case action", "Dispatch")
    ACCEPT = "accept", pgettext_lazy("case action", "Accept")
    NOTE = "note", pgettext_lazy("case action", "Add progress note")
    RETURN = "return", pgettext_lazy("case action", "Return")
    ESCALATE = "escalate", pgettext_lazy("case action", "Escalate")
    RESOLVE = "resolve", pgettext_lazy("case action", "Resolve")
    CLOSE = "close", pgettext_lazy("case action", "Close")
    REOPEN = "reopen", pgettext_lazy("case action", "Reopen")
    MERGE = "merge", pgettext_lazy("case action", "Merge")
    DECLINE = "decline", pgettext_lazy("case action", "Decline")
    WITHDRAW = "withdraw", pgettext_lazy("case action", "Withdraw")


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
