"""The dashboard's hot-spots section, read from snapshots instead of searched on each visit.

Finding hot spots groups the open cases of the last 30 days in view; at region scale that
takes seconds, while the dashboard's figures take a tenth of a second. Bursts build up
over days, so the section shows what the last search found, with its time:

- a snapshot younger than ``FRESH_FOR`` is shown as it is;
- an older one is still shown, with its time, and the worker is asked (once) to search
  again — so the first supervisor of the morning does not wait for a region's search;
- a search is run at once only when there is no snapshot yet, when one is older than
  ``SHOW_STALE_FOR``, or when the worker has left a request unanswered for
  ``WORKER_GRACE`` (no worker running, say). The dashboard does not wait for it: it shows
  its figures at once and fetches the section separately (``pending``).

The worker also keeps warm the views people look at: every snapshot shown within
``KEEP_WARM_FOR`` is searched again once it is ``WARM_EVERY`` old, so the first view of a
Monday morning finds a search of the last hour, not one from Friday.

The hot spots list with its default wording split reads its own snapshot the same way
(more hot spots kept); with the split turned off, and on each hot spot's page, the search
runs at that moment. Coordinating a hot spot marks the snapshots stale.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from minsheng.accounts.models import User
from minsheng.directory.models import Area, Category
from minsheng.insight import hotspots as hs
from minsheng.insight.models import HotspotSnapshot

logger = logging.getLogger(__name__)

FRESH_FOR = dt.timedelta(minutes=getattr(settings, "MINSHENG_HOTSPOT_SNAPSHOT_MINUTES", 5))
SHOW_STALE_FOR = dt.timedelta(hours=24)
# A busy worker may be training a model or searching another region; one that has not
# answered a request in this long is taken to be missing.
WORKER_GRACE = dt.timedelta(minutes=10)
KEEP_WARM_FOR = dt.timedelta(days=7)
WARM_EVERY = dt.timedelta(hours=1)
# Recording each view would be a write per dashboard view; to the hour is enough.
VIEW_RECORDED_EVERY = dt.timedelta(hours=1)
SHOWN = 5  # hot spots on the dashboard
LIST_SHOWN = 20  # on the hot spots list (its default filters read a snapshot too)


@dataclass(frozen=True)
class HotSpotSummary:
    """What the dashboard shows of a hot spot (the attributes of ``HotSpot`` that
    ``hotspot_item.html`` reads), restored from a snapshot."""

    key: str
    area: Area
    level: str
    category: Category
    window_days: int
    count: int
    baseline_cases: int
    surprise: float
    first_reported: dt.datetime
    last_reported: dt.datetime
    titles: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        per_day = max(self.baseline_cases / hs.BASELINE_DAYS, hs.RATE_FLOOR_PER_DAY)
        return self.count / (per_day * self.window_days)


@dataclass(frozen=True)
class Section:
    spots: list[HotSpotSummary]
    more: bool
    computed_at: dt.datetime | None
    stale: bool
    # Nothing to show until a search has run, and the caller asked not to wait for one.
    pending: bool = False


def _plain(spot: hs.HotSpot) -> dict:
    return {
        "key": spot.key,
        "area": spot.area.pk,
        "level": spot.level,
        "category": spot.category.pk,
        "window_days": spot.window_days,
        "count": spot.count,
        "baseline_cases": spot.baseline_cases,
        "surprise": spot.surprise,
        "first_reported": spot.first_reported.isoformat(),
        "last_reported": spot.last_reported.isoformat(),
        "titles": spot.titles,
        "words": spot.words,
    }


def _restore(rows: list[dict]) -> list[HotSpotSummary]:
    areas = Area.objects.in_bulk({r["area"] for r in rows})
    categories = Category.objects.in_bulk({r["category"] for r in rows})
    spots = []
    for r in rows:
        # An area or category can only be deactivated, never removed; skip it if it is.
        if r["area"] not in areas or r["category"] not in categories:
            continue
        spots.append(
            HotSpotSummary(
                key=r["key"],
                area=areas[r["area"]],
                level=r["level"],
                category=categories[r["category"]],
                window_days=r["window_days"],
                count=r["count"],
                baseline_cases=r["baseline_cases"],
                surprise=r["surprise"],
                first_reported=parse_datetime(r["first_reported"]),  # type: ignore[arg-type]
                last_reported=parse_datetime(r["last_reported"]),  # type: ignore[arg-type]
                titles=r["titles"],
                words=r["words"],
            )
        )
    return spots


def compute_snapshot(
    *,
    view_path: str,
    area_path: str,
    window_days: int,
    min_count: int,
    size: int = SHOWN,
    viewed: bool = False,
) -> HotspotSnapshot:
    """Search now for the ``size`` most unusual hot spots and store them (replacing the
    view's earlier snapshot of that size); one more is looked for, to know whether there
    are more. ``viewed``: a page searched to show it (not the worker)."""
    started = time.perf_counter()
    found = hs.find_hotspots_in(
        view=view_path,
        area_path=area_path or None,
        window_days=window_days,
        min_count=min_count,
        limit=size + 1,
    )
    values = {
        "computed_at": timezone.now(),
        "refresh_requested_at": None,
        "outdated": False,
        "spots": [_plain(s) for s in found[:size]],
        "more": len(found) > size,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if viewed:
        values["viewed_at"] = values["computed_at"]
    key = {
        "view_path": view_path,
        "area_path": area_path,
        "window_days": window_days,
        "min_count": min_count,
        "size": size,
    }
    try:
        with transaction.atomic():
            snapshot, _created = HotspotSnapshot.objects.update_or_create(**key, defaults=values)
    except IntegrityError:
        # Another page or the worker stored the same view's snapshot at the same moment.
        snapshot = HotspotSnapshot.objects.get(**key)
    return snapshot


def _request_refresh(snapshot: HotspotSnapshot, now: dt.datetime) -> bool:
    """Ask the worker to search again, once however many pages ask (an unanswered request
    is not repeated: after WORKER_GRACE the page searches itself). True if this call
    asked."""
    claimed = HotspotSnapshot.objects.filter(
        pk=snapshot.pk, refresh_requested_at__isnull=True
    ).update(refresh_requested_at=now)
    if claimed:
        from minsheng.insight.tasks import refresh_hotspots_task

        refresh_hotspots_task.enqueue(snapshot.pk)
    return bool(claimed)


def section_for(
    user: User,
    area: Area | None,
    *,
    window_days: int = hs.DEFAULT_WINDOW,
    min_count: int = hs.DEFAULT_MIN_COUNT,
    size: int = SHOWN,
    now: dt.datetime | None = None,
    search_now: bool = True,
) -> Section | None:
    """The ``size`` most unusual hot spots to show ``user`` within ``area`` (the dashboard's
    section, or the list with these settings), from the snapshot; None: not for them.

    When a search must run first, ``search_now=False`` returns a pending section at once
    instead of waiting for it (seconds at region scale)."""
    view = hs.view_path(user)
    if view is None:
        return None
    now = now or timezone.now()
    key = {
        "view_path": view,
        "area_path": area.path if area is not None else "",
        "window_days": window_days,
        "min_count": min_count,
        "size": size,
    }
    snapshot = HotspotSnapshot.objects.filter(**key).first()
    if (
        snapshot is None
        or snapshot.computed_at < now - SHOW_STALE_FOR
        or _worker_missed(snapshot, now)
    ):
        if not search_now:
            return Section(spots=[], more=False, computed_at=None, stale=False, pending=True)
        snapshot = compute_snapshot(**key, viewed=True)
    else:
        _record_view(snapshot, now)
        if _stale(snapshot, now):
            _request_refresh(snapshot, now)
    return Section(
        spots=_restore(snapshot.spots),
        more=snapshot.more,
        computed_at=snapshot.computed_at,
        stale=_stale(snapshot, now),
    )


def _record_view(snapshot: HotspotSnapshot, now: dt.datetime) -> None:
    if snapshot.viewed_at is None or snapshot.viewed_at < now - VIEW_RECORDED_EVERY:
        HotspotSnapshot.objects.filter(pk=snapshot.pk).update(viewed_at=now)


def keep_warm(now: dt.datetime | None = None) -> int:
    """The scheduler's part: ask the worker to search again each view shown within
    KEEP_WARM_FOR whose last search is WARM_EVERY old. Returns how many were asked for."""
    now = now or timezone.now()
    due = HotspotSnapshot.objects.filter(
        viewed_at__gte=now - KEEP_WARM_FOR,
        computed_at__lt=now - WARM_EVERY,
        refresh_requested_at__isnull=True,
    ).only("pk")
    asked = 0
    for snapshot in due:
        asked += _request_refresh(snapshot, now)
    return asked


def _worker_missed(snapshot: HotspotSnapshot, now: dt.datetime) -> bool:
    asked = snapshot.refresh_requested_at
    return asked is not None and asked < now - WORKER_GRACE


def _stale(snapshot: HotspotSnapshot, now: dt.datetime) -> bool:
    return snapshot.outdated or snapshot.computed_at < now - FRESH_FOR


def refresh(snapshot_id: int) -> str:
    """The worker's part: search again for a snapshot's view unless it is fresh already."""
    snapshot = HotspotSnapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None:
        return "gone"
    if not _stale(snapshot, timezone.now()):
        return "fresh already"
    done = compute_snapshot(
        view_path=snapshot.view_path,
        area_path=snapshot.area_path,
        window_days=snapshot.window_days,
        min_count=snapshot.min_count,
        size=snapshot.size,
    )
    return f"{len(done.spots)} hot spots in {done.seconds:.2f} s"


def mark_stale() -> None:
    """After a hot spot was acted on (its cases merged, a need recorded): every dashboard
    asks for a new search on its next view, and shows the old one until then."""
    HotspotSnapshot.objects.filter(outdated=False).update(outdated=True, refresh_requested_at=None)
