"""Keeping the rollups current: per event after commit, and by a full or partial rebuild.

A case's contribution to ``DailyRollup`` is stored in its ``CaseFact``. When one of its
events commits, ``refresh_case`` recomputes the facts from the timeline and applies the
difference (new contribution minus old) to the rollup rows, so a case that moves to another
unit or is reopened leaves no stale count behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from minsheng.cases.models import Case, Event, Feedback
from minsheng.directory.calendar import WorkingCalendar
from minsheng.insight.indicators import Facts, facts_for_case
from minsheng.insight.models import COUNTERS, CaseFact, DailyRollup

logger = logging.getLogger(__name__)

Key = tuple[str, int, str, int, int, str]  # day, area id, area path, unit, category, channel


def _keyed(facts: Facts | CaseFact) -> dict[Key, Counter]:
    out: dict[Key, Counter] = {}
    for day, counts in facts.contribution.items():
        key = (day, facts.area_id, facts.area_path, facts.unit_id, facts.category_id, facts.channel)
        out[key] = Counter(counts)
    return out


def _fact_row(facts: Facts) -> CaseFact:
    return CaseFact(
        case_id=facts.case_id,
        area_id=facts.area_id,
        area_path=facts.area_path,
        unit_id=facts.unit_id,
        category_id=facts.category_id,
        channel=facts.channel,
        raised_day=facts.raised_day,
        raised_at=facts.raised_at,
        response_seconds=facts.response_seconds,
        resolved_day=facts.resolved_day,
        resolve_days=facts.resolve_days,
        on_time=facts.on_time,
        confirmed=facts.confirmed,
        reopened=facts.reopened,
        ended_day=facts.ended_day,
        contribution=facts.contribution,
    )


def _add_to_rollups(deltas: dict[Key, Counter]) -> None:
    for (day, area_id, area_path, unit_id, category_id, channel), counts in deltas.items():
        changes = {name: F(name) + value for name, value in counts.items() if value}
        if not changes:
            continue
        key = {
            "day": dt.date.fromisoformat(day),
            "area_id": area_id,
            "unit_id": unit_id,
            "category_id": category_id,
            "channel": channel,
        }
        if DailyRollup.objects.filter(**key).update(**changes):
            continue
        try:
            with transaction.atomic():
                DailyRollup.objects.create(area_path=area_path, **key, **counts)
        except IntegrityError:
            # Another refresh created the row first: add to it.
            DailyRollup.objects.filter(**key).update(**changes)


@transaction.atomic
def refresh_case(case_id: int, *, calendar: WorkingCalendar | None = None) -> None:
    """Bring one case's facts and its share of the daily rollups up to date."""
    # The case row lock orders concurrent refreshes of one case (and waits for its actions).
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        return
    facts = facts_for_case(
        case,
        list(Event.objects.filter(case_id=case_id)),
        list(Feedback.objects.filter(case_id=case_id)),
        calendar or WorkingCalendar.load(),
    )
    old = CaseFact.objects.filter(case_id=case_id).first()
    deltas: dict[Key, Counter] = defaultdict(Counter)
    if old is not None:
        for key, counts in _keyed(old).items():
            deltas[key].subtract(counts)
    for key, counts in _keyed(facts).items():
        deltas[key].update(counts)
    _add_to_rollups(deltas)
    row = _fact_row(facts)
    if old is None:
        row.save(force_insert=True)
    else:
        row.save(force_update=True)


def on_case_event(sender, event, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Receiver of ``case_event_committed``: runs after the action's transaction commits."""
    try:
        refresh_case(event.case_id)
    except Exception:  # noqa: BLE001 - an action has already succeeded; a rebuild repairs
        logger.exception("rollups: could not refresh case %s", event.case_id)


def rebuild(*, since: dt.date | None = None, batch_size: int = 2000) -> int:
    """Recompute facts and rollups from the timeline; returns the number of cases read.

    Without ``since`` everything is recomputed. With it, rollup days from ``since`` on are
    recomputed from the cases touched since then (a case contributes to a day only if
    something happened to it that day, so an untouched case has nothing to add). Running it
    twice gives the same tables.
    """
    calendar = WorkingCalendar.load()
    cases = Case.objects.order_by("pk")
    if since is not None:
        start = timezone.make_aware(dt.datetime.combine(since, dt.time()))
        cases = cases.filter(updated_at__gte=start)
    since_iso = since.isoformat() if since else ""
    with transaction.atomic():
        if since is None:
            CaseFact.objects.all().delete()
            DailyRollup.objects.all().delete()
        else:
            DailyRollup.objects.filter(day__gte=since).delete()
        totals: dict[Key, Counter] = defaultdict(Counter)
        early: dict[Key, Counter] = defaultdict(Counter)
        seen = 0
        last_pk = 0
        while True:
            batch = list(cases.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                break
            last_pk = batch[-1].pk
            ids = [c.pk for c in batch]
            events: dict[int, list[Event]] = defaultdict(list)
            for e in Event.objects.filter(case_id__in=ids).order_by():
                events[e.case_id].append(e)
            feedback: dict[int, list[Feedback]] = defaultdict(list)
            for fb in Feedback.objects.filter(case_id__in=ids).order_by():
                feedback[fb.case_id].append(fb)
            rows = []
            old_facts = (
                {f.case_id: f for f in CaseFact.objects.filter(case_id__in=ids)} if since else {}
            )
            for case in batch:
                facts = facts_for_case(case, events[case.pk], feedback[case.pk], calendar)
                rows.append(_fact_row(facts))
                for key, counts in _keyed(facts).items():
                    if key[0] >= since_iso:
                        totals[key].update(counts)
                    else:
                        # Days before ``since`` keep their rows; move this case's share.
                        early[key].update(counts)
                old = old_facts.get(case.pk)
                if old is not None:
                    for key, counts in _keyed(old).items():
                        if key[0] < since_iso:
                            early[key].subtract(counts)
            if since is not None:
                CaseFact.objects.filter(case_id__in=ids).delete()
            CaseFact.objects.bulk_create(rows, batch_size=1000)
            seen += len(batch)
        DailyRollup.objects.bulk_create(
            [
                DailyRollup(
                    day=dt.date.fromisoformat(day),
                    area_id=area_id,
                    area_path=area_path,
                    unit_id=unit_id,
                    category_id=category_id,
                    channel=channel,
                    **{name: counts.get(name, 0) for name in COUNTERS},
                )
                for (day, area_id, area_path, unit_id, category_id, channel), counts in (
                    totals.items()
                )
                if any(counts.values())
            ],
            batch_size=1000,
        )
        _add_to_rollups(early)
    return seen
