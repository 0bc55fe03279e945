"""Who may see and do what. Every view, API endpoint and action asks these functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from minsheng.accounts.models import Role, User

if TYPE_CHECKING:
    from minsheng.cases.models import Case
    from minsheng.directory.models import Area, Unit


def is_staff_user(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.is_active


def unit_ids(user: User) -> set[int]:
    cached = getattr(user, "_minsheng_unit_ids", None)
    if cached is None:
        cached = set(user.units.values_list("id", flat=True))
        user._minsheng_unit_ids = cached  # type: ignore[attr-defined]
    return cached


def scope_filter(user: User) -> Q:
    """A filter on Case that selects exactly the cases ``user`` may read."""
    if user.is_administrator:
        return Q()
    if user.role in (Role.SUPERVISOR, Role.OPERATOR):
        if user.scope_area_id is None:
            return Q(pk__in=[])
        return Q(area_path__startswith=user.scope_area.path)
    if user.role == Role.HANDLER:
        return Q(current_unit_id__in=unit_ids(user))
    return Q(pk__in=[])


def visible_cases(user: User) -> QuerySet[Case]:
    from minsheng.cases.models import Case

    return Case.objects.filter(scope_filter(user))


def area_in_scope(user: User, area: Area) -> bool:
    if user.is_administrator:
        return True
    if user.role in (Role.SUPERVISOR, Role.OPERATOR) and user.scope_area_id:
        return area.path.startswith(user.scope_area.path)
    return False


def can_view_case(user: User, case: Case) -> bool:
    if not is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role in (Role.SUPERVISOR, Role.OPERATOR):
        return bool(user.scope_area_id) and case.area_path.startswith(user.scope_area.path)
    return (
        case.current_unit_id in unit_ids(user)
        or held_before(user, case)
        or runs_project_of(user, case)
    )


def held_before(user: User, case: Case) -> bool:
    """Whether one of the user's units held the case once (it was dispatched or escalated
    to it): a village team that handed a case up follows it, to answer the resident. Read
    only: acting needs the unit that holds it now."""
    from minsheng.cases.models import Event, EventKind

    units = unit_ids(user)
    return (
        bool(units)
        and Event.objects.filter(
            case_id=case.pk, kind__in=(EventKind.DISPATCHED, EventKind.ESCALATED), unit_id__in=units
        ).exists()
    )


def runs_project_of(user: User, case: Case) -> bool:
    """Whether one of the user's units leads or takes part in a project the case is linked
    to: the unit doing the work reads the requests it answers. Read only, like
    ``held_before``: acting, and the resident's contact details, stay with the holder."""
    from minsheng.projects.models import CaseLink

    units = unit_ids(user)
    if not units:
        return False
    return CaseLink.objects.filter(
        Q(project__lead_unit_id__in=units) | Q(project__units__in=units),
        case_id=case.pk,
        unlinked_at__isnull=True,
    ).exists()


def is_member_of(user: User, unit: Unit | int | None) -> bool:
    if unit is None or not is_staff_user(user):
        return False
    unit_id = unit if isinstance(unit, int) else unit.pk
    return unit_id in unit_ids(user)


def can_handle(user: User, case: Case) -> bool:
    """A member of the unit holding the case (or an administrator) works it."""
    return is_staff_user(user) and (
        user.is_administrator or is_member_of(user, case.current_unit_id)
    )


def can_triage(user: User, case: Case) -> bool:
    """Operators and supervisors route, merge and decline cases in their area."""
    if not is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    return user.role in (Role.OPERATOR, Role.SUPERVISOR) and area_in_scope(user, case.area)


def can_supervise(user: User, case: Case) -> bool:
    return is_staff_user(user) and (
        user.is_administrator or (user.role == Role.SUPERVISOR and area_in_scope(user, case.area))
    )


def holds_case(user: User, case: Case) -> bool:
    """A member of the unit holding the case (administrators included only as members)."""
    return is_staff_user(user) and is_member_of(user, case.current_unit_id)


def can_reveal_contact(user: User, case: Case) -> bool:
    """Only the unit that holds the case calls the resident back; nobody else, not even
    admins, and only while a call-back can be needed (cases.models.CALL_BACK_STATUSES)."""
    from minsheng.cases.models import CALL_BACK_STATUSES

    return holds_case(user, case) and case.status in CALL_BACK_STATUSES
