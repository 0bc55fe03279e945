"""Staff pages that print the QR posters: one village, or every village of a township.

Operators, supervisors and administrators print posters for the areas in their scope.
``?lang=en`` prints an English poster, ``?lang=ug`` a Uyghur one; Chinese is the default.
"""

from __future__ import annotations

import re
from itertools import groupby

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minsheng.accounts.models import Role, User
from minsheng.accounts.permissions import area_in_scope
from minsheng.cases.views import staff_required
from minsheng.directory.models import Area, AreaKind
from minsheng.intake.models import POSTER_AREA_KINDS, AreaSmsCode
from minsheng.intake.posters import poster_language, render_posters, township_villages

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]")


def may_print_posters(user: User, area: Area | None = None) -> bool:
    """Operators, supervisors and administrators; for an area, only within their scope."""
    if user.is_administrator:
        return True
    if user.role not in (Role.OPERATOR, Role.SUPERVISOR):
        return False
    return area is None or area_in_scope(user, area)


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_print_posters(user):
        raise PermissionDenied
    villages = Area.objects.filter(kind__in=POSTER_AREA_KINDS).select_related("parent", "sms_code")
    if not user.is_administrator:
        if user.scope_area_id is None:
            villages = villages.none()
        else:
            villages = villages.filter(path__startswith=user.scope_area.path)
    villages = sorted(villages, key=lambda a: (a.parent.path if a.parent else "", a.code))
    # Every village has had its code since it was created (intake.receivers); this only
    # covers one created around the signal, e.g. by a raw fixture.
    drawn = {c.area_id for c in AreaSmsCode.objects.filter(area__in=villages)}
    for village in villages:
        if village.pk not in drawn:
            village.sms_code = AreaSmsCode.for_area(village)
    groups = [
        {
            "township": parent,
            "whole_township": parent is not None
            and parent.kind == AreaKind.TOWNSHIP
            and may_print_posters(user, parent),
            "villages": list(members),
        }
        for parent, members in groupby(villages, key=lambda a: a.parent)
    ]
    return render(
        request,
        "staff/posters.html",
        {
            "nav": "posters",
            "groups": groups,
            "public_url": settings.MINSHENG_PUBLIC_URL,
            "public_url_set": settings.MINSHENG_PUBLIC_URL_SET,
        },
    )


@require_GET
@staff_required
def village_pdf(request: HttpRequest, code: str) -> HttpResponse:
    area = Area.objects.filter(code=code, kind__in=POSTER_AREA_KINDS).first()
    if area is None:
        raise Http404
    if not may_print_posters(request.user, area):
        raise PermissionDenied
    return _pdf(request, [area], f"poster-{area.code}")


@require_GET
@staff_required
def township_pdf(request: HttpRequest, code: str) -> HttpResponse:
    township = Area.objects.filter(code=code, kind=AreaKind.TOWNSHIP).first()
    if township is None:
        raise Http404
    if not may_print_posters(request.user, township):
        raise PermissionDenied
    villages = township_villages(township)
    if not villages:
        raise Http404
    return _pdf(request, villages, f"posters-{township.code}")


def _pdf(request: HttpRequest, areas: list[Area], name: str) -> HttpResponse:
    language = poster_language(request.GET.get("lang"))
    response = HttpResponse(
        render_posters(areas, language=language), content_type="application/pdf"
    )
    filename = _UNSAFE_IN_FILENAME.sub("_", name) + ".pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
