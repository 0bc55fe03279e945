"""Template context shared by staff pages."""

from __future__ import annotations

from django.http import HttpRequest

from minsheng.accounts.permissions import is_staff_user


def staff_navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"is_staff_user": is_staff_user(user)}
