"""Who may see and change needs, resources and projects.

Reading works as for cases: administrators everywhere; supervisors and operators within
their scope area; staff of a unit within the areas their units cover, and the projects
their unit leads or takes part in wherever they lie.

Changing a project is narrower: its lead unit and participating units, supervisors whose
scope holds its area, and administrators. Covering the area is not enough: every county
bureau covers the whole county, and one bureau does not run another's project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import Role, User
from minsheng.directory.models import Area, Unit

if TYPE_CHECKING:
    from minsheng.projects.models import Project, Resource


def _unit_area_paths(user: User) -> list[str]:
    cached = getattr(user, "_minsheng_unit_area_paths", None)
    if cached is None:
        cached = sorted(
            set(Area.objects.filter(units__in=perms.unit_ids(user)).values_list("path", flat=True))
        )
        user._minsheng_unit_area_paths = cached  # type: ignore[attr-defined]
    return cached


def _units_cover(user: User, area_path: str) -> bool:
    return any(area_path.startswith(p) for p in _unit_area_paths(user))


def visible_filter(user: User) -> Q:
    """A filter on Need, Resource or Project (each has ``area_path``) for what ``user``
    may read (see ``project_filter`` for projects)."""
    if not perms.is_staff_user(user):
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    q = Q(pk__in=[])
    if user.role in (Role.SUPERVISOR, Role.OPERATOR) and user.scope_area_id:
        q |= Q(area_path__startswith=user.scope_area.path)
    for path in _unit_area_paths(user):
        q |= Q(area_path__startswith=path)
    return q


def project_filter(user: User) -> Q:
    """A filter on Project for what ``user`` may read: the projects in their sight and
    those their units lead or take part in."""
    q = visible_filter(user)
    units = perms.unit_ids(user) if perms.is_staff_user(user) else set()
    if units and not user.is_administrator:
        q |= Q(lead_unit_id__in=sorted(units)) | Q(units__in=sorted(units))
    return q


def takes_part(user: User, project: Project) -> bool:
    """Whether one of the user's units leads the project or is involved in it."""
    units = perms.unit_ids(user) if perms.is_staff_user(user) else set()
    if not units:
        return False
    return project.lead_unit_id in units or project.units.filter(pk__in=units).exists()


def can_view_project(user: User, project: Project) -> bool:
    return can_view(user, project.area_path) or takes_part(user, project)


def can_manage_project(user: User, project: Project) -> bool:
    """Change a project's figures, milestones and linked cases, complete or cancel it:
    its lead and participating units, a supervisor whose scope holds its area, or an
    administrator."""
    if not perms.is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role == Role.SUPERVISOR and perms.area_in_scope(user, project.area):
        return True
    return takes_part(user, project)


def manage_filter(user: User) -> Q:
    """A filter on Project for what ``user`` may change: ``can_manage_project`` as a query."""
    if not perms.is_staff_user(user):
        return Q(pk__in=[])
    if user.is_administrator:
        return Q()
    units = sorted(perms.unit_ids(user))
    q = Q(lead_unit_id__in=units) | Q(units__in=units) if units else Q(pk__in=[])
    if user.role == Role.SUPERVISOR and user.scope_area_id:
        q |= Q(area_path__startswith=user.scope_area.path)
    return q


def can_oversee_project(user: User, project: Project) -> bool:
    """Decide whether the project shows on the public board: administrators and
    supervisors whose scope holds its area (oversight, not the units doing the work)."""
    if not perms.is_staff_user(user):
        return False
    return user.is_administrator or (
        user.role == Role.SUPERVISOR and perms.area_in_scope(user, project.area)
    )


def can_view(user: User, area_path: str) -> bool:
    if not perms.is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role in (Role.SUPERVISOR, Role.OPERATOR) and user.scope_area_id:
        if area_path.startswith(user.scope_area.path):
            return True
    return _units_cover(user, area_path)


def _own_paths(user: User) -> list[str]:
    paths = list(_unit_area_paths(user))
    if user.role in (Role.SUPERVISOR, Role.OPERATOR) and user.scope_area_id:
        paths.append(user.scope_area.path)
    return paths


def ancestor_paths(path: str) -> list[str]:
    """The paths of an area and its ancestors: "/1/7/42/" gives "/1/", "/1/7/", "/1/7/42/"."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def resource_filter(user: User) -> Q:
    """Resources this user may read: those for areas in their sight, and offers for a
    wider area that includes theirs (a county-wide fund serves every township)."""
    q = visible_filter(user)
    if perms.is_staff_user(user) and not user.is_administrator:
        wider = {a for path in _own_paths(user) for a in ancestor_paths(path)}
        if wider:
            q |= Q(area_path__in=sorted(wider))
    return q


def can_view_resource(user: User, area_path: str) -> bool:
    return can_view(user, area_path) or (
        perms.is_staff_user(user) and any(p.startswith(area_path) for p in _own_paths(user))
    )


def can_manage(user: User, area: Area) -> bool:
    """Record needs and start projects in ``area``: staff of a unit covering it, or a
    supervisor (administrator) whose scope holds it. Operators route cases, they do not
    run projects. A running project is changed under ``can_manage_project``."""
    if not perms.is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role == Role.SUPERVISOR and perms.area_in_scope(user, area):
        return True
    return _units_cover(user, area.path)


def can_start_project(user: User, area: Area, unit_ids: list[int]) -> bool:
    """Start a project in ``area`` led by or involving ``unit_ids``: as ``can_manage``,
    and staff of a unit only for a project their unit leads or takes part in, so nobody
    starts a project they could not then run."""
    if not can_manage(user, area):
        return False
    if user.is_administrator or (user.role == Role.SUPERVISOR and perms.area_in_scope(user, area)):
        return True
    return bool(perms.unit_ids(user) & set(unit_ids))


def can_offer_for(user: User, sponsor: Unit, area: Area) -> bool:
    """A resource is offered by a member of the sponsor unit for an area it may act in,
    or recorded by a supervisor (administrator) of that area on the unit's word."""
    if not perms.is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role == Role.SUPERVISOR and perms.area_in_scope(user, area):
        return True
    return perms.is_member_of(user, sponsor) and _units_cover(user, area.path)


def can_withdraw(user: User, resource: Resource) -> bool:
    """An offer is taken back by its sponsor unit, or by a supervisor of its area (who may
    record it on the unit's word) or an administrator."""
    if not perms.is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role == Role.SUPERVISOR and perms.area_in_scope(user, resource.area):
        return True
    return perms.is_member_of(user, resource.sponsor_unit_id)
