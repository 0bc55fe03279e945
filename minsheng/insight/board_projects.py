"""The public board's projects: what a project is, how far it has got and what it cost,
for anyone, without login.

Published: name, description and outcome (redacted like case text), area, lead unit,
status, progress and its history (day and figure only), planned dates, budget and spent,
milestones, and the linked cases the board itself publishes. Never published: the
project log's notes, who entered what, the need and resource it came from, cases hidden
from the board, and projects that oversight keeps off the board (``Project.is_public``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from minsheng.cases.redaction import public_text
from minsheng.directory.models import Area
from minsheng.insight import board
from minsheng.projects.models import (
    FINISHED_PROJECT_STATUSES,
    Milestone,
    Project,
    ProjectEventKind,
    ProjectStatus,
)

# An area's list shows this many; a county with more is read area by area.
MAX_LISTED = 200
# Linked cases shown on a project's page, newest first.
MAX_CASES = 100


@dataclass
class PublicMilestone:
    title: str
    due_date: dt.date
    done_date: dt.date | None

    @property
    def is_late(self) -> bool:
        return self.done_date is None and self.due_date < timezone.localdate()


@dataclass
class ProgressPoint:
    day: dt.date
    progress: int


@dataclass
class PublicProject:
    pk: int
    title: str
    description: str
    outcome: str
    area: Area
    lead_unit: str
    status: str
    status_label: str
    progress: int
    start_date: dt.date | None
    end_date: dt.date | None
    finished_at: dt.datetime | None
    budget: Decimal
    spent: Decimal
    milestones: list[PublicMilestone]
    case_count: int
    history: list[ProgressPoint] = field(default_factory=list)

    @property
    def milestones_done(self) -> int:
        return sum(1 for m in self.milestones if m.done_date is not None)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_PROJECT_STATUSES

    @property
    def over_budget(self) -> bool:
        # A budget of 0 is no budget in money (works in kind), never "over budget".
        return bool(self.budget) and self.spent > self.budget

    @property
    def spent_share(self) -> int | None:
        return int(self.spent * 100 / self.budget) if self.budget else None


def _public() -> QuerySet[Project]:
    # A linked case counts when the board publishes it (``board.public_cases``: not
    # hidden from the board) and is still linked.
    return Project.objects.filter(is_public=True).annotate(
        case_count=Count(
            "case_links",
            filter=Q(
                case_links__unlinked_at__isnull=True, case_links__case__hidden_from_board=False
            ),
        )
    )


def _as_public(project: Project) -> PublicProject:
    return PublicProject(
        pk=project.pk,
        title=public_text(project.title, ()),
        description=public_text(project.description, ()),
        outcome=public_text(project.outcome, ()),
        area=project.area,
        lead_unit=project.lead_unit.label,
        status=project.status,
        status_label=str(project.get_status_display()),
        progress=project.progress,
        start_date=project.start_date,
        end_date=project.end_date,
        finished_at=project.finished_at,
        budget=project.budget,
        spent=project.spent,
        milestones=[
            PublicMilestone(
                title=public_text(m.title, ()), due_date=m.due_date, done_date=m.done_date
            )
            for m in project.milestones.all()
        ],
        case_count=project.case_count,
    )


_ORDER = {
    ProjectStatus.IN_PROGRESS: 0,
    ProjectStatus.PLANNED: 1,
    ProjectStatus.COMPLETED: 2,
    ProjectStatus.CANCELLED: 3,
}


def projects_in(area: Area) -> list[PublicProject]:
    """The public projects in the area and below it: running first, then planned, then
    finished; newest first within each."""
    qs = (
        _public()
        .filter(area_path__startswith=area.path)
        .select_related("area", "lead_unit")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id"))
        )
        .order_by("-created_at", "-id")[:MAX_LISTED]
    )
    rows = [_as_public(p) for p in qs]
    return sorted(rows, key=lambda p: _ORDER.get(p.status, 9))


def count_in(area: Area) -> int:
    return Project.objects.filter(is_public=True, area_path__startswith=area.path).count()


def project(pk: int) -> PublicProject | None:
    """One public project with its progress history; None if there is none to publish."""
    found = (
        _public()
        .filter(pk=pk)
        .select_related("area", "lead_unit")
        .prefetch_related(
            Prefetch("milestones", queryset=Milestone.objects.order_by("due_date", "id"))
        )
        .first()
    )
    if found is None:
        return None
    result = _as_public(found)
    result.history = _history(found)
    return result


def _history(project: Project) -> list[ProgressPoint]:
    """Progress as recorded over time, one point per day (the day's last figure): the day
    and the figure only, never who entered it or why."""
    by_day: dict[dt.date, int] = {}
    for event in project.events.filter(
        kind__in=(ProjectEventKind.CREATED, ProjectEventKind.UPDATED, ProjectEventKind.COMPLETED)
    ).order_by("created_at", "id"):
        day = timezone.localdate(event.created_at)
        if event.kind == ProjectEventKind.CREATED:
            by_day[day] = int(event.data.get("progress") or 0)
            continue
        change = (event.data.get("changes") or {}).get("progress")
        if change:
            by_day[day] = int(change[1])
    return [ProgressPoint(day=d, progress=v) for d, v in sorted(by_day.items())]


def linked_cases(project_id: int, area: Area) -> list[board.PublicCase]:
    """The project's linked cases that the board publishes, as the board shows cases."""
    cases = list(
        board.public_cases(area)
        .filter(project_links__project_id=project_id, project_links__unlinked_at__isnull=True)
        .select_related("category", "area")
        .order_by("-created_at", "-pk")
        .distinct()[:MAX_CASES]
    )
    return board.published(cases)


def projects_of_case(case_id: int) -> list[PublicProject]:
    """The public projects a case is linked to, for the resident's case page."""
    qs = (
        _public()
        .filter(
            pk__in=Project.objects.filter(
                case_links__case_id=case_id, case_links__unlinked_at__isnull=True
            ).values("pk")
        )
        .select_related("area", "lead_unit")
        .prefetch_related("milestones")
    )
    return [_as_public(p) for p in qs]
