"""Reads for needs, resources and projects: scoped lists, one project's page, the report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from minsheng.accounts.models import User
from minsheng.directory.models import Area
from minsheng.projects import rules
from minsheng.projects.models import (
    FINISHED_PROJECT_STATUSES,
    CaseLink,
    Milestone,
    Need,
    Project,
    ProjectEvent,
    ProjectStatus,
    Resource,
)

# --- lists ---------------------------------------------------------------------------------


def _in_area(qs: QuerySet, area: Area | None) -> QuerySet:
    return qs if area is None else qs.filter(area_path__startswith=area.path)


def needs_for(*, user: User, area: Area | None = None, status: str = "") -> QuerySet[Need]:
    """Needs this user may see, in ``area``'s subtree, newest first, with case counts."""
    qs = Need.objects.filter(rules.visible_filter(user)).select_related("area", "category")
    qs = _in_area(qs, area).annotate(case_count=Count("cases", distinct=True))
    return qs.filter(status=status) if status else qs


def resources_for(*, user: User, area: Area | None = None, status: str = "") -> QuerySet[Resource]:
    """Resources offered for areas this user may see. A resource for the whole county
    shows in every township's list: it may serve any of them."""
    qs = Resource.objects.filter(rules.resource_filter(user)).select_related("area", "sponsor_unit")
    if area is not None:
        qs = qs.filter(Q(area_path__startswith=area.path) | Q(area_path__in=_prefixes(area.path)))
    return qs.filter(status=status) if status else qs


def projects_for(*, user: User, area: Area | None = None, status: str = "") -> QuerySet[Project]:
    """Projects this user may read (``rules.project_filter``), in ``area``'s subtree."""
    visible = Project.objects.filter(rules.project_filter(user)).values("pk")
    qs = Project.objects.filter(pk__in=visible).select_related("area", "lead_unit")
    qs = _in_area(qs, area).annotate(
        case_count=Count("case_links", filter=Q(case_links__unlinked_at__isnull=True))
    )
    return qs.filter(status=status) if status else qs


def _prefixes(path: str) -> list[str]:
    """The paths of an area and its ancestors."""
    return rules.ancestor_paths(path)


def matching_resources(*, user: User, need: Need) -> list[Resource]:
    """Available resources whose area covers the need's area, closest area first."""
    qs = Resource.objects.filter(
        rules.resource_filter(user), status="available", area_path__in=_prefixes(need.area_path)
    ).select_related("area", "sponsor_unit")
    return sorted(qs, key=lambda r: (-len(r.area_path), -r.amount, r.pk))


def live_links(project: Project) -> QuerySet[CaseLink]:
    return (
        project.case_links.filter(unlinked_at__isnull=True)
        .select_related("case", "case__current_unit", "case__area")
        .order_by("linked_at", "id")
    )


def project_log(project: Project) -> QuerySet[ProjectEvent]:
    return project.events.select_related("actor").order_by("-created_at", "-id")


def projects_of_case(*, user: User, case_id: int) -> list[Project]:
    """The projects this case is part of (live links), as far as the user may see them."""
    visible = Project.objects.filter(rules.project_filter(user)).values("pk")
    return list(
        Project.objects.filter(
            pk__in=visible,
            case_links__case_id=case_id,
            case_links__unlinked_at__isnull=True,
        ).distinct()
    )


def linkable_projects(*, user: User, case) -> list[Project]:  # type: ignore[no-untyped-def]
    """Running projects the user may change whose area holds the case and that it is not
    linked to yet: the choices for linking it from the case page."""
    mine = Project.objects.filter(rules.manage_filter(user)).values("pk")
    prefixes = rules.ancestor_paths(case.area_path)
    qs = (
        Project.objects.filter(pk__in=mine, area_path__in=prefixes)
        .exclude(status__in=FINISHED_PROJECT_STATUSES)
        .exclude(
            pk__in=CaseLink.objects.filter(case_id=case.pk, unlinked_at__isnull=True).values(
                "project_id"
            )
        )
        .select_related("area")
        .order_by("-created_at", "-id")
    )
    return list(qs[:200])


# --- the monthly report ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectReportRow:
    """One project as the monthly report prints it, with figures as they stood at the
    period's end."""

    name: str
    status_label: str
    progress: int
    budget: Decimal
    spent: Decimal
    milestones_done: int
    milestones_total: int
    next_milestone: str
    next_milestone_due: dt.date | None
    linked_cases: int
    area_name: str = ""
    project_id: int = 0


def _bounds(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> tuple:
    """[start, end] as aware datetimes; a date ``end`` includes that whole day."""

    def aware(value: dt.datetime) -> dt.datetime:
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    if isinstance(start, dt.datetime):
        start_dt = aware(start)
    else:
        start_dt = aware(dt.datetime.combine(start, dt.time.min))
    if isinstance(end, dt.datetime):
        end_dt = aware(end)
    else:
        end_dt = aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)) - (
            dt.timedelta(microseconds=1)
        )
    return start_dt, end_dt


def _as_of(project: Project, later_events: list[ProjectEvent]) -> dict:
    """The project's figures at the period end: the first later change of each field holds
    the value it had then."""
    figures = {
        "status": project.status,
        "progress": project.progress,
        "budget": project.budget,
        "spent": project.spent,
    }
    seen: set[str] = set()
    for event in later_events:  # oldest first
        for name, pair in (event.data.get("changes") or {}).items():
            if name in figures and name not in seen:
                seen.add(name)
                old = pair[0]
                figures[name] = Decimal(old) if name in ("budget", "spent") else old
    return figures


def projects_for_report(
    area: Area | None, start: dt.date | dt.datetime, end: dt.date | dt.datetime
) -> list[ProjectReportRow]:
    """Projects in ``area``'s subtree (None: all) that were running at any time in
    [start, end], with progress, money, milestones and linked cases as of ``end``.

    Running means recorded by ``end`` and not completed or cancelled before ``start``.
    Figures changed after ``end`` are read back from the project log, so a report for a
    past month prints that month's figures.
    """
    start_dt, end_dt = _bounds(start, end)
    end_date = timezone.localtime(end_dt).date()
    qs = Project.objects.filter(created_at__lte=end_dt).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=start_dt)
    )
    qs = _in_area(qs, area).select_related("area").order_by("area_path", "created_at", "id")
    qs = qs.prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.filter(created_at__lte=end_dt)),
        Prefetch(
            "case_links",
            queryset=CaseLink.objects.filter(linked_at__lte=end_dt).filter(
                Q(unlinked_at__isnull=True) | Q(unlinked_at__gt=end_dt)
            ),
        ),
        Prefetch(
            "events",
            queryset=ProjectEvent.objects.filter(created_at__gt=end_dt).order_by(
                "created_at", "id"
            ),
            to_attr="later_events",
        ),
    )
    labels = dict(ProjectStatus.choices)
    rows = []
    for project in qs:
        figures = _as_of(project, project.later_events)
        milestones = list(project.milestones.all())
        done = [m for m in milestones if m.done_date is not None and m.done_date <= end_date]
        pending = [m for m in milestones if m not in done]
        upcoming = min(pending, key=lambda m: (m.due_date, m.pk), default=None)
        rows.append(
            ProjectReportRow(
                name=project.title,
                status_label=str(labels.get(figures["status"], figures["status"])),
                progress=int(figures["progress"]),
                budget=Decimal(figures["budget"]),
                spent=Decimal(figures["spent"]),
                milestones_done=len(done),
                milestones_total=len(milestones),
                next_milestone=upcoming.title if upcoming else "",
                next_milestone_due=upcoming.due_date if upcoming else None,
                linked_cases=len(project.case_links.all()),
                area_name=project.area.name,
                project_id=project.pk,
            )
        )
    return rows
