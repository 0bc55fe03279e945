"""The public board: one page per area with its figures, recent cases and map, and the
same public fields as an open-data CSV. No login, GET (and HEAD) only; every figure and every piece
of text comes from ``insight.board``, which publishes nothing a resident would not want
published.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from minsheng.directory.models import Area
from minsheng.insight import board, board_projects
from minsheng.intake.exports import csv_cell

# Far enough back for anyone reading a board; deeper pages of a county belong in the CSV.
MAX_PAGE = 500


def _root_areas() -> list[Area]:
    return list(Area.objects.filter(parent__isnull=True).order_by("path")[:50])


@require_safe
def top_board(request: HttpRequest) -> HttpResponse:
    """The county's board; an installation with several top areas lists them instead."""
    roots = _root_areas()
    if len(roots) == 1:
        return _board(request, roots[0])
    return render(request, "board/index.html", {"areas": roots})


@require_safe
def area_board(request: HttpRequest, code: str) -> HttpResponse:
    return _board(request, _area(code))


def _area(code: str) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404
    return area


def _page_number(request: HttpRequest) -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


def _board(request: HttpRequest, area: Area) -> HttpResponse:
    period = board.period_key(request.GET.get("period"))
    since = board.period_start(period)
    page = _page_number(request)
    size = board.RECENT_PAGE
    cases = board.recent_cases(area=area, since=since, offset=(page - 1) * size, limit=size + 1)
    points = board.map_points(area=area, since=since)
    summary = board.summary(area=area, since=since)
    ancestors = area.ancestors()
    return render(
        request,
        "board/board.html",
        {
            "area": area,
            "ancestors": ancestors[:-1],
            "period": period,
            "periods": [
                {"key": key, "label": label, "current": key == period}
                for key, label in board.PERIODS.items()
            ],
            "period_label": board.PERIODS[period],
            "figures": summary.figures,
            "by_category": summary.by_category,
            "by_status": summary.by_status,
            "children": summary.children,
            "cases": cases[:size],
            "page": page,
            "has_next": len(cases) > size and page < MAX_PAGE,
            "first_number": (page - 1) * size + 1,
            "points": points,
            "points_capped": len(points) >= board.MAX_POINTS,
            "map_tiles": settings.MINSHENG_MAP_TILES,
            "map_attribution": settings.MINSHENG_MAP_ATTRIBUTION,
            "hotline": settings.MINSHENG_HOTLINE,
            "project_count": board_projects.count_in(area),
        },
    )


# --- projects ------------------------------------------------------------------------------


@require_safe
def top_projects(request: HttpRequest) -> HttpResponse:
    roots = _root_areas()
    if len(roots) != 1:
        raise Http404
    return _projects(request, roots[0])


@require_safe
def area_projects(request: HttpRequest, code: str) -> HttpResponse:
    return _projects(request, _area(code))


def _projects(request: HttpRequest, area: Area) -> HttpResponse:
    """The public projects of an area and below it."""
    projects = board_projects.projects_in(area)
    return render(
        request,
        "board/projects.html",
        {
            "area": area,
            "ancestors": area.ancestors()[:-1],
            "projects": projects,
            "capped": len(projects) >= board_projects.MAX_LISTED,
            "hotline": settings.MINSHENG_HOTLINE,
        },
    )


@require_safe
def project_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One public project; a project kept off the board is not found, like a missing one."""
    project = board_projects.project(pk)
    if project is None:
        raise Http404
    return render(
        request,
        "board/project.html",
        {
            "project": project,
            "area": project.area,
            "ancestors": project.area.ancestors(),
            "cases": board_projects.linked_cases(project.pk, project.area),
            "hotline": settings.MINSHENG_HOTLINE,
        },
    )


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(area: Area, since) -> Iterator[str]:  # type: ignore[no-untyped-def]
    writer = csv.writer(_Echo())
    # The byte-order mark tells Excel the file is UTF-8, so Chinese names open correctly.
    yield "\ufeff" + writer.writerow(board.EXPORT_FIELDS)
    for row in board.export_rows(area=area, since=since):
        yield writer.writerow([csv_cell(value) for value in row])


@require_safe
def top_cases_csv(request: HttpRequest) -> StreamingHttpResponse:
    roots = _root_areas()
    if len(roots) != 1:
        raise Http404
    return _cases_csv(request, roots[0])


@require_safe
def area_cases_csv(request: HttpRequest, code: str) -> StreamingHttpResponse:
    return _cases_csv(request, _area(code))


def _cases_csv(request: HttpRequest, area: Area) -> StreamingHttpResponse:
    """Streamed row by row from a database cursor: a county-sized file never sits in memory."""
    period = board.period_key(request.GET.get("period"))
    since = board.period_start(period)
    # HEAD asks whether the file is there and what it is, not for its rows: none are read.
    lines = () if request.method == "HEAD" else _csv_lines(area, since)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type="text/csv; charset=utf-8"
    )
    filename = re.sub(r"[^A-Za-z0-9_-]", "_", f"minsheng-{area.code}-{period}") + ".csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
