"""Open cases nearby that describe the same problem as a new one: candidates for a merge.

Five residents reporting the same burst pipe should become one case with one owner, not
five dispatches. The candidates are the OPEN cases raised within a window of days around
the case (``MINSHENG_DUPLICATE_WINDOW_DAYS``, default 30) in the same township — the same
village and its siblings — read with one indexed query (area path prefix + status +
creation time) and capped, then scored in memory:

    score = 0.70 × text similarity + 0.10 × same category + 0.10 × area closeness
            + 0.10 × recency

Text similarity (`minsheng.triage.similarity`) decides; category, closeness and time only
order cases that read alike. A case whose text is not similar enough is never suggested,
however close it is. The text method and that floor were chosen on the benchmark in
`benchmarks/duplicates/`; the small weights of category, place and time are a judgement
(the benchmark holds place and time constant, so that the text must do the work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models.functions import Left

from minsheng.accounts.models import User
from minsheng.accounts.permissions import scope_filter
from minsheng.cases.models import OPEN_STATUSES, Case
from minsheng.directory.models import Area, AreaKind
from minsheng.triage import similarity

TEXT_WEIGHT = 0.70
CATEGORY_WEIGHT = 0.10
AREA_WEIGHT = 0.10
TIME_WEIGHT = 0.10
# Below this text similarity a case is not the same problem, whatever else agrees.
MIN_TEXT_SIMILARITY = 0.25
# The most recent candidates scored per case: a township's open cases over a month fit
# easily; beyond this the oldest are left out rather than the page slowed down.
MAX_CANDIDATES = 3000
# Long descriptions add details, not subject; their first characters are enough.
DESCRIPTION_CHARS = 600
LIMIT = 5

SAME_AREA, SAME_VILLAGE, SAME_TOWNSHIP = "same_area", "same_village", "same_township"
CLOSENESS = {SAME_AREA: 1.0, SAME_VILLAGE: 0.75, SAME_TOWNSHIP: 0.5}


def window_days() -> int:
    return int(getattr(settings, "MINSHENG_DUPLICATE_WINDOW_DAYS", 30))


@dataclass(frozen=True)
class Candidate:
    """What the ranking reads of a case: its text, category, place and time."""

    key: int
    text: str  # normalised (similarity.prepare)
    category_id: int | None
    area_path: str
    created_at: dt.datetime


@dataclass
class Match:
    """One suggested duplicate: the case, its score (0–1) and why."""

    key: int
    score: float
    text_similarity: float
    same_category: bool
    closeness: str
    shared_words: list[str] = field(default_factory=list)
    case: Case | None = None


def closeness(a: str, b: str) -> str:
    """How near two area paths are, for cases already known to share a township."""
    if a == b:
        return SAME_AREA
    if a.startswith(b) or b.startswith(a):
        # One case is on a grid inside the other's village (or recorded at village level).
        return SAME_VILLAGE
    return SAME_TOWNSHIP


def rank(
    query: Candidate,
    candidates: Sequence[Candidate],
    *,
    window: dt.timedelta,
    limit: int = LIMIT,
    method: similarity.Method = similarity.DEFAULT,
    min_text_similarity: float = MIN_TEXT_SIMILARITY,
    explain: bool = True,
) -> list[Match]:
    """The best ``limit`` candidates for ``query``, best first; none below the text floor.

    ``explain`` adds the shared words to each match (the benchmark leaves them out).
    """
    if not candidates:
        return []
    comparison = similarity.Comparison([query.text, *(c.text for c in candidates)], method)
    texts = comparison.scores[1:]
    seconds = max(window.total_seconds(), 1.0)
    scored = []
    for index, (candidate, text_score) in enumerate(zip(candidates, texts, strict=True)):
        if text_score < min_text_similarity:
            continue
        same_category = candidate.category_id == query.category_id
        near = closeness(query.area_path, candidate.area_path)
        age = abs((query.created_at - candidate.created_at).total_seconds())
        recency = max(0.0, 1.0 - age / seconds)
        score = (
            TEXT_WEIGHT * float(text_score)
            + CATEGORY_WEIGHT * same_category
            + AREA_WEIGHT * CLOSENESS[near]
            + TIME_WEIGHT * recency
        )
        scored.append((score, index, float(text_score), same_category, near))
    scored.sort(key=lambda row: (-row[0], row[1]))
    return [
        Match(
            key=candidates[index].key,
            score=round(score, 3),
            text_similarity=round(text_score, 3),
            same_category=same_category,
            closeness=near,
            shared_words=comparison.shared_words(index + 1) if explain else [],
        )
        for score, index, text_score, same_category, near in scored[:limit]
    ]


def neighbourhood_path(area: Area) -> str:
    """The path prefix of "nearby": the township (or street) the area lies in.

    An area at township level or above is its own neighbourhood.
    """
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    kinds = dict(Area.objects.filter(pk__in=ids).values_list("pk", "kind"))
    path = "/"
    for area_id in ids:
        path += f"{area_id}/"
        if kinds.get(area_id) == AreaKind.TOWNSHIP:
            return path
    return area.path


def _candidate(row: dict) -> Candidate:
    return Candidate(
        key=row["pk"],
        text=similarity.prepare(row["title"], row["head"]),
        category_id=row["category_id"],
        area_path=row["area_path"],
        created_at=row["created_at"],
    )


def find_duplicates(
    case: Case,
    *,
    user: User | None = None,
    days: int | None = None,
    limit: int = LIMIT,
) -> list[Match]:
    """Open cases in the case's township, raised within ``days`` of it, that read alike.

    With ``user``, only cases that user may see (and so may merge into) are considered.
    Each match carries its ``Case`` (with category, area and unit loaded).
    """
    window = dt.timedelta(days=days if days is not None else window_days())
    qs = Case.objects.filter(
        area_path__startswith=neighbourhood_path(case.area),
        status__in=OPEN_STATUSES,
        created_at__gte=case.created_at - window,
        created_at__lte=case.created_at + window,
    ).exclude(pk=case.pk)
    if user is not None:
        qs = qs.filter(scope_filter(user))
    rows = (
        qs.order_by("-created_at")
        .annotate(head=Left("description", DESCRIPTION_CHARS))
        .values("pk", "title", "head", "category_id", "area_path", "created_at")[:MAX_CANDIDATES]
    )
    candidates = [_candidate(row) for row in rows]
    query = Candidate(
        key=case.pk,
        text=similarity.prepare(case.title, case.description[:DESCRIPTION_CHARS]),
        category_id=case.category_id,
        area_path=case.area_path,
        created_at=case.created_at,
    )
    matches = rank(query, candidates, window=window, limit=limit)
    cases = Case.objects.select_related("category", "area", "current_unit").in_bulk(
        [m.key for m in matches]
    )
    for match in matches:
        match.case = cases.get(match.key)
    return [m for m in matches if m.case is not None]
