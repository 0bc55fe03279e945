"""Template context shared by staff pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from minsheng.accounts.models import Role
from minsheng.accounts.permissions import is_staff_user

# Those who can do something about a stopped worker, or must know their deadlines stand
# still: handlers see their own queue's deadlines and call whoever runs the installation.
_WARNED_ROLES = {Role.SUPERVISOR, Role.OPERATOR, Role.ADMINISTRATOR}


def _late_sweep(user):  # type: ignore[no-untyped-def]
    from minsheng.cases.selectors import sweep_health

    if not (user.is_administrator or user.role in _WARNED_ROLES):
        return None
    health = sweep_health()
    return health if health.is_late else None


def staff_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    is_staff = is_staff_user(user)
    return {
        "is_staff_user": is_staff,
        # Read only by staff pages that show it (a lazy object costs nothing elsewhere).
        "late_sweep": SimpleLazyObject(lambda: _late_sweep(user)) if is_staff else None,
    }
