"""Who may see and change needs, resources and projects.

Scope works as for cases: administrators everywhere; supervisors (and, for reading,
operators) within their scope area; staff of a unit within the areas their units cover.
"""

from __future__ import annotations

from django.db.models import Q

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import Role, User
from minsheng.directory.models import Area, Unit


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
    may read."""
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
    """Record needs and run projects in ``area``: staff of a unit covering it, or a
    supervisor (administrator) whose scope holds it. Operators route cases, they do not
    run projects."""
    if not perms.is_staff_user(user):
        return False
    if user.is_administrator:
        return True
    if user.role == Role.SUPERVISOR and perms.area_in_scope(user, area):
        return True
    return _units_cover(user, area.path)


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
