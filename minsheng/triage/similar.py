"""Resolved cases like this one: how they were solved, by whom and how long it took.

A work team rotates every year; its memory is the county's closed cases. For a case page
this finds the most similar RESOLVED or CLOSED cases of the same county that the user may
see, preferring the same category, and tells for each the resolution note its unit wrote,
the unit, and the working days from report to resolution (``WorkingCalendar``).

The candidates are capped by indexed queries — the most recent cases of the same category
and the most recent of any category in the county — and scored in memory with the text
similarity of `minsheng.triage.similarity`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.db.models.functions import Left

from minsheng.accounts.models import User
from minsheng.accounts.permissions import scope_filter
from minsheng.cases.models import Case, Event, EventKind, Status
from minsheng.cases.redaction import redact
from minsheng.directory.calendar import WorkingCalendar
from minsheng.directory.models import Area, AreaKind, Unit
from minsheng.triage import similarity
from minsheng.triage.duplicates import DESCRIPTION_CHARS

PAST_STATUSES = (Status.RESOLVED, Status.CLOSED)
SAME_CATEGORY_CANDIDATES = 1500
ANY_CATEGORY_CANDIDATES = 500
CATEGORY_BONUS = 0.10
MIN_TEXT_SIMILARITY = 0.25
LIMIT = 5


@dataclass
class PastCase:
    """One similar resolved case and what the timeline says about its resolution."""

    case: Case
    score: float
    text_similarity: float
    same_category: bool
    resolution: str = ""
    unit: Unit | None = None
    resolved_at: dt.datetime | None = None
    working_days: float | None = None
    shared_words: list[str] = field(default_factory=list)


def county_path(area: Area) -> str:
    """The path of the county (or district) the area lies in; the root if there is none."""
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    kinds = dict(Area.objects.filter(pk__in=ids).values_list("pk", "kind"))
    path = "/"
    for area_id in ids:
        path += f"{area_id}/"
        if kinds.get(area_id) == AreaKind.COUNTY:
            return path
    return f"/{ids[0]}/" if ids else area.path


def _rows(qs: QuerySet[Case], limit: int) -> list[dict]:
    return list(
        qs.order_by("-created_at")
        .annotate(head=Left("description", DESCRIPTION_CHARS))
        .values("pk", "title", "head", "category_id")[:limit]
    )


def similar_past_cases(case: Case, *, user: User, limit: int = LIMIT) -> list[PastCase]:
    """The resolved or closed cases most like ``case`` that ``user`` may see, best first."""
    base = (
        Case.objects.filter(area_path__startswith=county_path(case.area), status__in=PAST_STATUSES)
        .filter(scope_filter(user))
        .exclude(pk=case.pk)
    )
    rows = {
        row["pk"]: row
        for row in _rows(base.filter(category=case.category_id), SAME_CATEGORY_CANDIDATES)
    }
    for row in _rows(base, ANY_CATEGORY_CANDIDATES):
        rows.setdefault(row["pk"], row)
    if not rows:
        return []
    candidates = list(rows.values())
    texts = [similarity.prepare(case.title, case.description[:DESCRIPTION_CHARS])]
    texts += [similarity.prepare(row["title"], row["head"]) for row in candidates]
    comparison = similarity.Comparison(texts)
    sims = comparison.scores[1:]
    scored = []
    for index, (row, text_score) in enumerate(zip(candidates, sims, strict=True)):
        if text_score < MIN_TEXT_SIMILARITY:
            continue
        same = row["category_id"] == case.category_id
        scored.append((float(text_score) + CATEGORY_BONUS * same, index, float(text_score), same))
    scored.sort(key=lambda item: (-item[0], item[1]))
    scored = scored[:limit]
    ids = [candidates[index]["pk"] for _score, index, _text, _same in scored]
    cases = Case.objects.select_related("category", "area", "current_unit").in_bulk(ids)
    resolutions = _last_resolutions(ids)
    calendar = WorkingCalendar.load()
    found = []
    for score, index, text_score, same in scored:
        past = cases[candidates[index]["pk"]]
        event = resolutions.get(past.pk)
        resolved_at = event.created_at if event else past.resolved_at
        found.append(
            PastCase(
                case=past,
                score=round(score, 3),
                text_similarity=round(text_score, 3),
                same_category=same,
                # Staff wrote it, but residents' numbers sometimes slip into notes.
                resolution=redact(event.note if event else past.resolution),
                unit=event.unit if event and event.unit_id else past.current_unit,
                resolved_at=resolved_at,
                working_days=round(calendar.working_days_between(past.created_at, resolved_at), 1)
                if resolved_at
                else None,
                shared_words=comparison.shared_words(index + 1),
            )
        )
    return found


def _last_resolutions(case_ids: list[int]) -> dict[int, Event]:
    """The last "resolved" event of each case (a reopened case may have several)."""
    latest: dict[int, Event] = {}
    events = (
        Event.objects.filter(case_id__in=case_ids, kind=EventKind.RESOLVED)
        .select_related("unit")
        .order_by("created_at", "id")
    )
    for event in events:
        latest[event.case_id] = event
    return latest
