"""Hot spots: bursts of similar open cases in one area and period.

Twelve reports of no water from one village in three days are one emerging problem, not
twelve. These functions find such bursts among the OPEN cases a user may see — same
category, same village (or, when no single village qualifies, the same township), within
a sliding window of days — and rank them by how unusual they are against that area and
category's usual rate, read from the daily rollups. A supervisor then coordinates the
cluster as one case (``coordinate_as_one_case``, which merges through
``cases.actions.merge_case``) or turns it into a need for a project.

Reads are bounded: the open cases per area, category and day of the look-back period
from their rollup (``OpenRaised``), one grouped sum over ``AreaRaised`` (per-area daily
counts) for the baselines, and one fetch of the most unusual candidates' cases; never a
scan of all cases.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import sparse
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform
from scipy.special import gammainc

from minsheng.accounts import permissions as perms
from minsheng.accounts.models import Role, User
from minsheng.cases import actions
from minsheng.cases.errors import CaseError, InvalidInput, NotFound
from minsheng.cases.models import OPEN_STATUSES, Case
from minsheng.cases.redaction import redact
from minsheng.directory.models import Area, AreaKind, Category, Unit
from minsheng.insight.models import ALL_UNITS, AreaRaised, OpenRaised
from minsheng.triage.text import normalise
from minsheng.triage.text import words as text_words

WINDOWS = (3, 7)
DEFAULT_WINDOW = getattr(settings, "MINSHENG_HOTSPOT_WINDOW_DAYS", 3)
DEFAULT_MIN_COUNT = getattr(settings, "MINSHENG_HOTSPOT_MIN_COUNT", 3)
# Only cases raised this recently can form a hot spot: it is about problems emerging now.
LOOKBACK_DAYS = 30
# The usual rate is the daily average over this many days before the burst.
BASELINE_DAYS = 90
# A burst counts only if the usual rate would explain it less often than this (Poisson
# upper tail), so a busy town with its daily three road complaints is not a hot spot.
MAX_P = 0.001
# An area with no case of the category in the baseline period is treated as if it had
# half a case in it: the odds stay finite and comparable between quiet areas.
RATE_FLOOR_PER_DAY = 0.5 / BASELINE_DAYS
# Text refinement: cases of one category in one place stay together only if their words
# are this alike (average-link cosine of character n-gram TF-IDF, the n-grams weighed by
# how rare they are among the latest open cases in view). Measured on the demo county by
# benchmarks/hotspots_text.py (438 random same-category groups of 3–15 cases in a
# township, "alike" meaning written from the same problem template), pairwise
# precision/recall were 0.27/1.00 without splitting; 0.79/0.96 at 0.10, 0.85/0.95 at
# 0.12, 0.91/0.92 at 0.15, 0.98/0.87 at 0.20.
# (Weighing by the clusters' own texts did worse: 0.65/0.97 at 0.10; single linkage worse
# still.) Residents describing one burst main in their own words stay together only up to
# 0.10 (at 0.12 the demo's twelve reports split 8 + 4), so 0.10: a burst kept whole
# matters more than a stray case, which the supervisor sees and can leave out of a merge.
TEXT_SIMILARITY = 0.10
# More cases than this of one category in one place within a few days are one burst
# whatever their wording: they are not split by text (the pairwise similarities would
# take gigabytes).
MAX_TEXT_SPLIT = 3000
# A hot spot's titles and shared words are read from at most this many of its reports.
DESCRIBE_AT_MOST = 400
# How many of the latest open cases in view give the n-grams' general frequencies.
BACKGROUND_CASES = 400
VILLAGE_KINDS = (AreaKind.VILLAGE, AreaKind.COMMUNITY)


class Level:
    VILLAGE = "village"
    TOWNSHIP = "township"


@dataclass
class HotSpot:
    """One emerging problem: open cases of one category in one area within a few days."""

    key: str
    area: Area
    level: str
    category: Category
    window_days: int
    cases: list[Case]
    baseline_cases: int = 0  # raised in the area and category in the BASELINE_DAYS before
    surprise: float = 0.0  # -log10 of the chance the usual rate gives this many or more
    titles: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def start(self) -> dt.date:
        """The day of the first report; the usual rate is read from the days before it."""
        return timezone.localdate(self.first_reported)

    @property
    def first_reported(self) -> dt.datetime:
        return min(c.created_at for c in self.cases)

    @property
    def last_reported(self) -> dt.datetime:
        return max(c.created_at for c in self.cases)

    @property
    def case_ids(self) -> list[int]:
        return [c.pk for c in self.cases]

    @property
    def baseline_per_day(self) -> float:
        return self.baseline_cases / BASELINE_DAYS

    @property
    def expected(self) -> float:
        """Cases the usual rate gives in a window of this length."""
        return self.baseline_per_day * self.window_days

    @property
    def ratio(self) -> float:
        """How many times the usual number this burst is (the floor keeps it finite)."""
        return self.count / (max(self.baseline_per_day, RATE_FLOOR_PER_DAY) * self.window_days)

    @property
    def units(self) -> list[tuple[Unit | None, int]]:
        """The units holding the cases, busiest first; ``None`` for cases not yet dispatched."""
        counts = Counter(c.current_unit_id for c in self.cases)
        by_id = {c.current_unit_id: c.current_unit for c in self.cases}
        return [(by_id[uid], n) for uid, n in counts.most_common()]


# --- statistics -----------------------------------------------------------------------


def poisson_tail(count: int, mean: float) -> float:
    """P(X >= count) for X ~ Poisson(mean): the regularised lower incomplete gamma
    function P(count, mean), exact down to the smallest floats."""
    if count <= 0:
        return 1.0
    return float(gammainc(count, max(mean, 1e-12)))


def surprise_of(count: int, baseline_cases: int, window_days: int) -> float:
    mean = max(baseline_cases / BASELINE_DAYS, RATE_FLOOR_PER_DAY) * window_days
    return -math.log10(max(poisson_tail(count, mean), 1e-300))


def densest_days(days: dict[dt.date, int], span: int) -> int:
    """The most cases on any ``span`` consecutive days (a cheap upper bound, from daily
    counts, for the cases in any window of ``span - 1`` days by the clock)."""
    return densest_stretch(days, span)[0]


def densest_stretch(days: dict[dt.date, int], span: int) -> tuple[int, dt.date]:
    """``densest_days`` and the first day of that stretch (the latest on a tie)."""
    best = (0, min(days))
    for first in days:
        count = sum(days.get(first + dt.timedelta(days=i), 0) for i in range(span))
        if (count, first) > best:
            best = (count, first)
    return best


def densest_window(cases: list[Case], window: dt.timedelta) -> list[Case]:
    """The cases within the stretch of ``window`` (by the clock, from one report on)
    holding the most of them; the latest such stretch on a tie, since the newest burst is
    the one to act on."""
    ordered = sorted(cases, key=lambda c: (c.created_at, c.pk))
    best: tuple[int, int] = (0, 0)
    first = 0
    for last, case in enumerate(ordered):
        while case.created_at - ordered[first].created_at >= window:
            first += 1
        if last - first + 1 >= best[1] - best[0]:
            best = (first, last + 1)
    return ordered[best[0] : best[1]]


# --- text -----------------------------------------------------------------------------

_SPLIT = re.compile(
    r"[\s\d.,;:!?'\"()\[\]{}<>/\\|@#%&*+=~`_-]+|[，。、；：！？“”‘’（）【】《》…—·＊]+"
)


def _grams(text: str, sizes: tuple[int, ...] = (1, 2, 3)) -> Counter:
    """Character n-grams within runs of letters: Chinese has no spaces between words and
    Uyghur adds suffixes, so characters say more than tokens. Digits and punctuation are
    dropped (house numbers and dates say nothing about the problem)."""
    grams: Counter = Counter()
    for run in _SPLIT.split(redact(text).lower()):
        for n in sizes:
            grams.update(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


def _case_text(case: Case) -> str:
    return f"{case.title}\n{case.description[:1000]}"


@dataclass(frozen=True)
class Background:
    """How common each n-gram is among reports in general, so the n-grams a burst's
    reports share (水费, 停水) weigh more than those every report has. Read from the
    open cases around the clusters rather than from the clusters alone, where the
    shared n-grams would be the least weighted of all."""

    documents: int
    frequency: dict[str, int]

    @classmethod
    def of(cls, texts: Iterable[str], sizes: tuple[int, ...] = (1, 2, 3)) -> Background:
        frequency: Counter = Counter()
        documents = 0
        for text in texts:
            frequency.update(set(_grams(text, sizes)))
            documents += 1
        return cls(documents, dict(frequency))

    def idf(self, gram: str) -> float:
        return math.log((1 + self.documents) / (1 + self.frequency.get(gram, 0))) + 1.0


def tfidf(
    texts: list[str], sizes: tuple[int, ...] = (1, 2, 3), background: Background | None = None
) -> tuple[sparse.csr_matrix, list[str]]:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf) over character n-grams, as a
    sparse matrix; document frequencies from ``background`` if given, else from ``texts``
    themselves."""
    counts = [_grams(t, sizes) for t in texts]
    vocabulary = sorted({g for c in counts for g in c})
    index = {g: i for i, g in enumerate(vocabulary)}
    rows, columns, values = [], [], []
    for row, grams in enumerate(counts):
        for gram, n in grams.items():
            rows.append(row)
            columns.append(index[gram])
            values.append(1.0 + math.log(n))
    matrix = sparse.csr_matrix((values, (rows, columns)), shape=(len(texts), len(vocabulary)))
    if background is None:
        # Each (text, n-gram) pair is one entry, so counting columns counts documents.
        frequency = np.bincount(columns, minlength=len(vocabulary)).tolist()
        background = Background(len(texts), dict(zip(vocabulary, frequency, strict=True)))
    matrix = matrix @ sparse.diags(np.array([background.idf(g) for g in vocabulary]))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.where(norms == 0, 1.0, norms)) @ matrix, vocabulary


def link_groups(
    similarity: np.ndarray, threshold: float, linkage: str = "average"
) -> list[list[int]]:
    """Agglomerative clustering with average linkage: join the two most similar groups
    while their mean pairwise similarity reaches ``threshold``. Average linkage keeps one
    chain of loosely related reports from pulling unrelated ones together, as joining
    on any single similar pair would.

    On distances 1 − similarity this is SciPy's hierarchical clustering cut at
    1 − ``threshold`` (the mean of the distances is one minus the mean similarity), which
    takes quadratic time: a township's thousand reports of one week split in a blink."""
    n = len(similarity)
    if n < 2:
        return [[i] for i in range(n)]
    distance = np.clip(1.0 - np.asarray(similarity, dtype=float), 0.0, None)
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0.0)
    tree = hierarchy.linkage(squareform(distance, checks=False), method=linkage)
    labels = hierarchy.fcluster(tree, t=1.0 - threshold, criterion="distance")
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    return sorted(groups.values())


def split_by_text(
    cases: list[Case],
    *,
    threshold: float = TEXT_SIMILARITY,
    linkage: str = "average",
    background: Background | None = None,
) -> list[list[Case]]:
    """Groups of cases whose words are alike (cosine of character n-gram TF-IDF), largest
    first."""
    if len(cases) < 2 or len(cases) > MAX_TEXT_SPLIT:
        return [cases]
    matrix, _vocabulary = tfidf([_case_text(c) for c in cases], background=background)
    groups = link_groups((matrix @ matrix.T).toarray(), threshold, linkage)
    return sorted(
        ([cases[i] for i in g] for g in groups), key=lambda g: (-len(g), min(c.pk for c in g))
    )


def background_for(cases: QuerySet[Case], size: int = BACKGROUND_CASES) -> Background:
    """The document frequencies of the latest ``size`` of these cases (one bounded read)."""
    rows = cases.order_by("-created_at").values_list("title", "description")[:size]
    return Background.of(f"{title}\n{description[:1000]}" for title, description in rows)


# Words in nearly every resident's report, whatever it is about.
FILLER = (
    "尽快", "希望", "反映", "问题", "麻烦", "来电", "电人", "村民", "已经", "一直", "没有",
    "什么", "时候", "现在", "请求", "帮忙", "解决", "我们", "我家", "家里", "一下",
    "人称", "相关", "部门", "得到", "这个", "处理",
)  # fmt: skip


def describe(cases: list[Case], *, titles: int = 3, words: int = 6) -> tuple[list, list]:
    """A few representative titles (the cases nearest the cluster's centre) and the
    character n-grams most of its cases share, for a supervisor to read at a glance."""
    if not cases:
        return [], []
    if len(cases) > DESCRIBE_AT_MOST:
        # A burst of thousands is described by an even sample of its reports.
        step = len(cases) / DESCRIBE_AT_MOST
        cases = [cases[int(i * step)] for i in range(DESCRIBE_AT_MOST)]
    matrix, _vocabulary = tfidf([_case_text(c) for c in cases])
    closeness = matrix @ np.asarray(matrix.mean(axis=0)).ravel()
    picked: list[str] = []
    for index in np.argsort(-closeness, kind="stable"):
        if cases[index].title not in picked:
            picked.append(cases[index].title)
        if len(picked) == titles:
            break
    # Words (jieba for Chinese, letter runs otherwise) that most of its cases share,
    # leaving out the filler every complaint has.
    counts = [set(text_words(normalise(_case_text(c)))) for c in cases]
    spread = Counter(w for c in counts for w in c)
    floor = max(2, math.ceil(len(cases) / 3))
    chosen = [
        word
        for word, n in sorted(spread.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
        if n >= floor and len(word) >= 2 and not word.isdigit() and word not in FILLER
    ][:words]
    return picked, chosen


# --- detection ------------------------------------------------------------------------


def _ids(path: str) -> list[int]:
    return [int(p) for p in path.strip("/").split("/") if p]


def _group_of(path: str, areas: dict[int, Area], kinds: tuple[str, ...], scope: str) -> str | None:
    """The path of the nearest area on ``path`` (itself or above) of one of ``kinds``; an
    area above the user's scope is replaced by the scope itself, so no group reaches out
    of what the user may see."""
    ids = _ids(path)
    for depth in range(len(ids), 0, -1):
        node = areas.get(ids[depth - 1])
        if node is not None and node.kind in kinds:
            group = "/" + "/".join(str(i) for i in ids[:depth]) + "/"
            return scope if scope.startswith(group) else group
    return None


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass
class _Candidate:
    path: str
    level: str
    category_id: int
    count: int = 0  # an upper bound of the burst: cases on its densest days
    start: dt.date | None = None
    surprise: float = 0.0

    @property
    def area_id(self) -> int:
        return _ids(self.path)[-1]


def view_path(user: User) -> str | None:
    """The area path whose cases ``user`` may read, for the users hot spots are for
    (administrators: "/"); None for anyone else."""
    if not may_use_hotspots(user):
        return None
    return "/" if user.is_administrator else user.scope_area.path


def find_hotspots(
    *,
    user: User,
    area: Area | None = None,
    category: Category | None = None,
    window_days: int = DEFAULT_WINDOW,
    min_count: int = DEFAULT_MIN_COUNT,
    by_text: bool = True,
    limit: int | None = None,
) -> list[HotSpot]:
    """``find_hotspots_in`` for what ``user`` may see (within ``area`` if given)."""
    seen = view_path(user)
    if seen is None:
        return []
    return find_hotspots_in(
        view=seen,
        area_path=area.path if area else None,
        category=category,
        window_days=window_days,
        min_count=min_count,
        by_text=by_text,
        limit=limit,
    )


def find_hotspots_in(
    *,
    view: str,
    area_path: str | None = None,
    category: Category | None = None,
    window_days: int = DEFAULT_WINDOW,
    min_count: int = DEFAULT_MIN_COUNT,
    by_text: bool = True,
    today: dt.date | None = None,
    lookback_days: int = LOOKBACK_DAYS,
    limit: int | None = None,
) -> list[HotSpot]:
    """The hot spots among the open cases under the area path ``view`` (what a user may
    see; within ``area_path`` if given), most unusual first.

    A village (or community) is a hot spot for a category when at least ``min_count`` of
    its open cases of that category were raised within ``window_days`` × 24 hours during
    the last ``lookback_days``, and the area's usual rate makes that unlikely (``MAX_P``).
    A township is considered for a category only when none of its villages is a hot spot
    for it. With ``by_text`` the cases are first split into groups of alike words and
    each group must reach ``min_count`` by itself.

    Candidates are scored from their daily counts before any case is fetched, and only
    the unusual ones are fetched and split by text — at region scale most village ×
    category pairs have a few cases every few days, and reading them all would take
    minutes. With ``limit``, only the most unusual candidates are examined, enough for
    the first ``limit`` hot spots.
    """
    today = today or timezone.localdate()
    window_days = max(1, int(window_days))
    min_count = max(2, int(min_count))
    if area_path is not None and not (area_path.startswith(view) or view.startswith(area_path)):
        return []
    scope = area_path if area_path is not None and area_path.startswith(view) else view
    since = today - dt.timedelta(days=lookback_days - 1)
    in_view = Case.objects.filter(
        area_path__startswith=view,
        status__in=list(OPEN_STATUSES),
        created_at__gte=_day_start(since),
        created_at__lt=_day_start(today + dt.timedelta(days=1)),
    )
    visible = in_view.filter(area_path__startswith=scope)
    if category is not None:
        visible = visible.filter(category=category)
    # Open cases per area, category and day raised, from their rollup (kept by the same
    # event receiver as the dashboards' tables): a region's open cases are not grouped.
    counted = OpenRaised.objects.filter(
        area_path__startswith=scope, day__gte=since, day__lte=today, n__gt=0
    )
    if category is not None:
        counted = counted.filter(category_id=category.pk)
    rows = list(counted.values_list("area_path", "category_id", "day", "n").order_by())
    if not rows:
        return []
    area_ids = {i for path in {row[0] for row in rows} for i in _ids(path)}
    areas = Area.objects.only("id", "kind", "path").in_bulk(area_ids)
    villages: dict[tuple[str, int], Counter] = defaultdict(Counter)
    townships: dict[tuple[str, int], Counter] = defaultdict(Counter)
    groups: dict[str, tuple[str | None, str | None]] = {}
    for path, category_id, day, n in rows:
        if path not in groups:
            groups[path] = (
                _group_of(path, areas, VILLAGE_KINDS, scope),
                _group_of(path, areas, (AreaKind.TOWNSHIP,), scope),
            )
        village, township = groups[path]
        if village is not None:
            villages[(village, category_id)][day] += n
        if township is not None:
            townships[(township, category_id)][day] += n

    def candidates(counts: dict, level: str) -> list[_Candidate]:
        # Any stretch of window_days × 24 h lies within window_days + 1 calendar days.
        found = []
        for (path, category_id), days in counts.items():
            count, start = densest_stretch(days, window_days + 1)
            if count >= min_count:
                found.append(_Candidate(path, level, category_id, count, start))
        return _unusual(found, window_days, limit)

    # Word frequencies from everything the user may see, not just the area or category
    # asked for, so a hot spot splits the same way on the list and on its own page.
    backgrounds: list[Background] = []

    def background() -> Background:
        if not backgrounds:
            backgrounds.append(background_for(in_view))
        return backgrounds[0]

    def make(found: list[_Candidate]) -> list[HotSpot]:
        return _clusters(
            visible,
            found,
            dt.timedelta(days=window_days),
            min_count,
            background if by_text else None,
        )

    spots = make(candidates(villages, Level.VILLAGE))
    covered = {(s.area.path, s.category.pk) for s in spots}
    spots += make(
        [
            c
            for c in candidates(townships, Level.TOWNSHIP)
            if not any(
                path.startswith(c.path) and category_id == c.category_id
                for path, category_id in covered
            )
        ]
    )
    _score(spots)
    spots = [s for s in spots if s.surprise >= -math.log10(MAX_P)]
    spots.sort(key=lambda s: (-s.surprise, -s.count, s.key))
    if limit is not None:
        spots = spots[:limit]
    _full(spots)
    for spot in spots:
        spot.titles, spot.words = describe(spot.cases)
    return spots


def _clusters(
    visible: QuerySet[Case],
    found: list[_Candidate],
    window: dt.timedelta,
    min_count: int,
    background: Callable[[], Background] | None,
) -> list[HotSpot]:
    """Fetch the candidates' cases (one query), split them by wording, and keep the
    densest stretch of each group that reaches ``min_count``.

    Only the cases on each candidate's densest days are fetched: a busy township holds
    thousands of open cases in the look-back period, and the burst is on those days."""
    if not found:
        return []
    wanted = Q()
    spans = {}
    for c in found:
        first = _day_start(c.start)
        spans[(c.path, c.category_id)] = (
            first,
            _day_start(c.start + window + dt.timedelta(days=1)),
        )
        wanted |= Q(
            area_path__startswith=c.path,
            category_id=c.category_id,
            created_at__gte=first,
            created_at__lt=spans[(c.path, c.category_id)][1],
        )
    # Only what splitting and counting need: at region scale these are tens of thousands
    # of cases, and the few in the hot spots shown are read in full afterwards (``_full``).
    fetched = list(visible.filter(wanted).only(*_LIGHT_FIELDS).order_by("created_at", "pk"))
    group_areas = Area.objects.in_bulk([_ids(c.path)[-1] for c in found])
    categories = Category.objects.in_bulk({c.category_id for c in found})
    spots = []
    for c in found:
        first, end = spans[(c.path, c.category_id)]
        members = [
            case
            for case in fetched
            if case.area_path.startswith(c.path)
            and case.category_id == c.category_id
            and first <= case.created_at < end
        ]
        groups = split_by_text(members, background=background()) if background else [members]
        bursts = [densest_window(g, window) for g in groups]
        kept = [b for b in bursts if len(b) >= min_count]
        area = group_areas[_ids(c.path)[-1]]
        for index, cases in enumerate(kept):
            key = f"{area.pk}-{c.category_id}" + (f"-{index + 1}" if len(kept) > 1 else "")
            spots.append(
                HotSpot(
                    key=key,
                    area=area,
                    level=c.level,
                    category=categories[c.category_id],
                    window_days=window.days,
                    cases=cases,
                )
            )
    return spots


_LIGHT_FIELDS = ("id", "title", "description", "created_at", "area_path", "category_id")


def _full(spots: list[HotSpot]) -> None:
    """Replace the hot spots' lightly read cases by complete ones (one query)."""
    full = Case.objects.select_related("area", "current_unit", "category").in_bulk(
        [c.pk for spot in spots for c in spot.cases]
    )
    for spot in spots:
        spot.cases = [full[c.pk] for c in spot.cases if c.pk in full]


def _baselines(keys: list[tuple[int, int, dt.date]]) -> dict[tuple[int, int, dt.date], int]:
    """Cases raised in (area, category) in the BASELINE_DAYS before each start day, from
    the per-area daily counts (``AreaRaised``, one indexed query for all keys)."""
    if not keys:
        return {}
    per_day: dict[tuple[int, int], dict[dt.date, int]] = defaultdict(dict)
    rows = (
        AreaRaised.objects.filter(
            area_id__in={k[0] for k in keys},
            unit_id=ALL_UNITS,
            category_id__in={k[1] for k in keys},
            day__gte=min(k[2] for k in keys) - dt.timedelta(days=BASELINE_DAYS),
            day__lt=max(k[2] for k in keys),
        )
        .values("area_id", "category_id", "day")
        .annotate(n=Sum("raised"))
        .order_by()
    )
    for row in rows:
        per_day[(row["area_id"], row["category_id"])][row["day"]] = row["n"]
    totals = {}
    for area_id, category_id, start in keys:
        since = start - dt.timedelta(days=BASELINE_DAYS)
        days = per_day.get((area_id, category_id), {})
        totals[(area_id, category_id, start)] = sum(
            n for day, n in days.items() if since <= day < start
        )
    return totals


def _unusual(found: list[_Candidate], window_days: int, limit: int | None) -> list[_Candidate]:
    """The candidates whose densest days the usual rate would hardly explain, most
    unusual first (at most a few times ``limit``: text splitting can only shrink them)."""
    baselines = _baselines([(c.area_id, c.category_id, c.start) for c in found])
    kept = []
    for c in found:
        c.surprise = surprise_of(
            c.count, baselines[(c.area_id, c.category_id, c.start)], window_days
        )
        if c.surprise >= -math.log10(MAX_P):
            kept.append(c)
    kept.sort(key=lambda c: (-c.surprise, -c.count, c.path, c.category_id))
    return kept if limit is None else kept[: max(1, limit) * 3]


def _score(spots: list[HotSpot]) -> None:
    """Each hot spot's baseline from the rollups — one query for all — and its surprise."""
    baselines = _baselines([(s.area.pk, s.category.pk, s.start) for s in spots])
    for spot in spots:
        spot.baseline_cases = baselines[(spot.area.pk, spot.category.pk, spot.start)]
        spot.surprise = surprise_of(spot.count, spot.baseline_cases, spot.window_days)


def get_hotspot(
    *,
    user: User,
    key: str,
    window_days: int = DEFAULT_WINDOW,
    min_count: int = DEFAULT_MIN_COUNT,
    by_text: bool = True,
) -> HotSpot | None:
    """The hot spot with this key as it stands now, if the user may see it and it still
    exists (merging its cases, for one, makes it go away)."""
    parts = key.split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return None
    area = Area.objects.filter(pk=int(parts[0])).first()
    category = Category.objects.filter(pk=int(parts[1])).first()
    if area is None or category is None or not _may_see_area(user, area):
        return None
    spots = find_hotspots(
        user=user,
        area=area,
        category=category,
        window_days=window_days,
        min_count=min_count,
        by_text=by_text,
    )
    return next((s for s in spots if s.key == key), None)


def _may_see_area(user: User, area: Area) -> bool:
    return user.is_administrator or perms.area_in_scope(user, area)


def may_use_hotspots(user: object) -> bool:
    """Hot spots are an area's view: supervisors, operators and administrators."""
    return perms.is_staff_user(user) and (
        user.is_administrator  # type: ignore[union-attr]
        or (user.role in (Role.SUPERVISOR, Role.OPERATOR) and user.scope_area_id is not None)  # type: ignore[union-attr]
    )


# --- acting on a hot spot -------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    case_id: int
    code: str  # the tracking code, or "#id" for a case the user may not see
    reason: str


@dataclass
class Coordinated:
    lead: Case
    merged: list[Case] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def coordinate_as_one_case(
    *,
    actor: User,
    lead: int,
    cases: Iterable[tuple[int, int | None]],
) -> Coordinated:
    """Merge every other case of a hot spot into ``lead``, each by its own
    ``merge_case`` (one transition and one event apiece, in its own transaction).

    ``cases`` are (id, version the user saw) pairs. A case the actor may not merge, or
    that moved meanwhile or cannot be merged in its state, is left untouched and
    reported with the reason; the others are merged regardless.
    """
    survivor = Case.objects.filter(pk=lead).first()
    if survivor is None or not perms.can_view_case(actor, survivor):
        raise NotFound()
    if not survivor.is_open:
        raise InvalidInput(_("The lead case is no longer open; choose another one."), field="lead")
    result = Coordinated(lead=survivor)
    for case_id, version in cases:
        if case_id == survivor.pk:
            continue
        case = Case.objects.filter(pk=case_id).first()
        if case is None or not perms.can_view_case(actor, case):
            # Say no more about a case out of the user's sight than that it was not merged.
            result.refused.append(Refusal(case_id, f"#{case_id}", str(NotFound.default_message)))
            continue
        try:
            merged = actions.merge_case(
                actor=actor, case=case_id, into=survivor.pk, expected_version=version
            )
        except CaseError as exc:
            result.refused.append(Refusal(case_id, case.tracking_code, str(exc.message)))
        else:
            result.merged.append(merged)
    if result.merged:
        from minsheng.insight.hotspot_snapshots import mark_stale

        mark_stale()
    return result
