"""Who may take which lifecycle action on a case: one rule set for actions, pages and API.

The transition table says what the case's status allows; these rules say whether a
given staff member may do it. ``cases.actions`` enforces them, and the case page and
the API offer exactly what ``permitted_actions`` returns.
"""

from __future__ import annotations

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import User
from minsheng.cases.models import RUNNING_STATUSES, ActorKind, Case, ExtensionStatus, Status
from minsheng.cases.transitions import Action, allowed_actions

# Recording the resident's verdict on a call-back: it closes (Action.CLOSE) or reopens
# (Action.REOPEN) the case depending on the rating, so it is one choice for staff.
RATE = "rate"
# Extensions (延期): the holding unit asks for more time; an operator or supervisor grants
# or refuses. The status does not change, so they are not in the transition table: they
# are open while the case runs against a deadline (see ``may_extend``).
EXTEND = "extend"
GRANT_EXTENSION = "grant_extension"
REFUSE_EXTENSION = "refuse_extension"
EXTENSION_ACTIONS = (EXTEND, GRANT_EXTENSION, REFUSE_EXTENSION)
# A unit asks for more time on work it has taken on (accepted), not on a case it has not
# looked at yet.
EXTENDABLE_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS)
# Adding photos (minsheng.photos) outside a note or a resolution: not a transition, so not
# in the table; allowed while the case is open (see ``cases.actions.add_photos``).
ADD_PHOTOS = "add_photos"

# The order in which the choices are offered.
ACTION_ORDER: tuple[str, ...] = (
    Action.ACCEPT,
    Action.DISPATCH,
    Action.NOTE,
    GRANT_EXTENSION,
    REFUSE_EXTENSION,
    Action.RESOLVE,
    RATE,
    EXTEND,
    Action.ESCALATE,
    Action.RETURN,
    Action.MERGE,
    Action.DECLINE,
    Action.WITHDRAW,
)


def may_take(user: User | None, case: Case, action: str) -> bool:
    """Whether this staff member has the right to take ``action`` on ``case``.

    Holding unit: accept, note, return, resolve (and re-dispatch what was escalated to
    it). Operators and supervisors in scope: dispatch, decline, withdraw on the
    resident's behalf, and record the resident's rating on a call-back. Escalation: the
    holding unit or a supervisor. Merge: either side. Adding photos: either side too (a
    handler's site photos, an operator's copy of what the resident sent by WeChat).
    """
    if user is None:
        return False
    handle = perms.can_handle(user, case)
    if action in (Action.ACCEPT, Action.NOTE, Action.RETURN, Action.RESOLVE):
        return handle
    triage = perms.can_triage(user, case)
    if action == Action.DISPATCH:
        return triage or (case.status == Status.ESCALATED and handle)
    if action == Action.ESCALATE:
        return handle or perms.can_supervise(user, case)
    if action in (Action.MERGE, ADD_PHOTOS):
        return handle or triage
    if action in (RATE, Action.CLOSE, Action.REOPEN):
        # The call-back is made by the hotline or a supervisor, never by the unit whose
        # work is being rated: it would be marking its own exam.
        return triage
    if action in (Action.DECLINE, Action.WITHDRAW):
        return triage
    if action == EXTEND:
        return handle
    if action in (GRANT_EXTENSION, REFUSE_EXTENSION):
        # Like the call-back: the unit asking for time does not grant it to itself.
        return triage
    return False


def runs_against_deadline(case: Case) -> bool:
    """Whether a unit holds the case with its deadline running (extensions apply)."""
    return case.status in RUNNING_STATUSES and case.deadline is not None


def pending_extension(case: Case):  # type: ignore[no-untyped-def]
    """The request for more time awaiting a decision, if it still stands: asked by the unit
    that holds the case now, against the deadline the case still has."""
    found = case.extensions.filter(status=ExtensionStatus.PENDING).first()
    if (
        found is None
        or not runs_against_deadline(case)
        or found.unit_id != case.current_unit_id
        or found.old_deadline != case.deadline
    ):
        return None
    return found


def extension_choices(case: Case) -> set[str]:
    """The extension steps the case's state allows now (before asking who the user is)."""
    from django.conf import settings

    if not runs_against_deadline(case):
        return set()
    if pending_extension(case) is not None:
        return {GRANT_EXTENSION, REFUSE_EXTENSION}
    if (
        case.status in EXTENDABLE_STATUSES
        and case.extension_count < settings.MINSHENG_EXTENSIONS_PER_CASE
    ):
        return {EXTEND}
    return set()


def system_may_dispatch(actor_kind: str, case: Case, *, automatic: bool) -> bool:
    """Whether the system may dispatch this case: only as the triage auto-dispatcher
    (``automatic=True``, passed by ``minsheng.triage.autodispatch`` alone, after it checked
    the installation's switch and the models' confidence), and only a new case.

    A case a unit returned or escalated, and any other dispatch by the system, stays with
    the operators.
    """
    return automatic and actor_kind == ActorKind.SYSTEM and case.status == Status.SUBMITTED


def permitted_actions(user: User, case: Case) -> list[str]:
    """The choices to offer this user now: allowed by the status AND by the rules above.

    Escalation is left out where the holding unit has nowhere higher to send it.
    """
    allowed = {str(a) for a in allowed_actions(case.status)}
    if Action.CLOSE in allowed or Action.REOPEN in allowed:
        allowed.add(RATE)
    if case.current_unit is None or case.current_unit.parent_id is None:
        allowed.discard(Action.ESCALATE)
    allowed |= extension_choices(case)
    return [str(a) for a in ACTION_ORDER if a in allowed and may_take(user, case, a)]
