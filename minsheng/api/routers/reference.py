"""Reference data: the area tree, the service categories and the units.

Areas and categories are open, because a resident's app needs them to submit a case;
units are for staff, who dispatch to them.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema

from minsheng.api import render
from minsheng.api.auth import STAFF_AUTH
from minsheng.api.routers import ERRORS_PUBLIC, ERRORS_STAFF
from minsheng.api.schemas import AreaPage, CategoryOut, UnitOut
from minsheng.directory.models import Area, AreaKind, Category, Level, Unit

router = Router(tags=["reference data"])

AREA_PAGE_MAX = 1000


class AreaFilters(Schema):
    parent: int | None = Field(None, description="Only the direct children of this area id.")
    root: bool = Field(False, description="Only areas without a parent (the counties).")
    kind: AreaKind | None = None
    code: str | None = None
    limit: int = Field(200, ge=1, le=AREA_PAGE_MAX)
    offset: int = Field(0, ge=0)


@router.get(
    "/areas",
    response={200: AreaPage, **ERRORS_PUBLIC},
    summary=gettext_lazy("Areas"),
    description=gettext_lazy(
        "The area tree, in tree order, a page at a time; filter by parent, kind or code."
    ),
)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]) -> dict:
    qs = Area.objects.order_by("path")
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    if filters.root:
        qs = qs.filter(parent__isnull=True)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.code:
        qs = qs.filter(code=filters.code.strip())
    rows = list(qs[filters.offset : filters.offset + filters.limit + 1])
    more = len(rows) > filters.limit
    return {
        "items": [render.area(a) for a in rows[: filters.limit]],
        "next_offset": filters.offset + filters.limit if more else None,
    }


@router.get(
    "/categories",
    response={200: list[CategoryOut]},
    summary=gettext_lazy("Service categories"),
    description=gettext_lazy("Active categories with their time limits in working days."),
)
def list_categories(request: HttpRequest) -> list[dict]:
    return [render.category(c) for c in Category.objects.filter(is_active=True)]


class UnitFilters(Schema):
    level: Level | None = None
    area: int | None = Field(None, description="Only units covering this area id.")
    include_inactive: bool = False


@router.get(
    "/units",
    auth=STAFF_AUTH,
    response={200: list[UnitOut], **ERRORS_STAFF},
    summary=gettext_lazy("Units"),
    description=gettext_lazy("The units that handle cases, highest level first."),
)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> list[dict]:
    qs = Unit.objects.prefetch_related("areas")
    if not filters.include_inactive:
        qs = qs.filter(is_active=True)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.area is not None:
        qs = qs.filter(areas__id=filters.area).distinct()
    return [render.unit(u) for u in qs]
