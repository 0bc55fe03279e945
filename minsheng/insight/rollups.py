"""Keeping the rollups current: per event after commit, and by a full or partial rebuild.

A case's contribution to ``DailyRollup`` is stored in its ``CaseFact``. When one of its
events commits, ``refresh_case`` recomputes the facts from the timeline and applies the
difference (new facts minus old) to the rollup rows, so a case that moves to another
unit or is reopened leaves no stale count behind.

The node tables the dashboards read (``AreaRollup``, ``AreaRaised``, ``AreaHistogram``,
``AreaOpen``) hold the same facts added up per node: every area on the case's path and
the region, and the region per unit. ``node_deltas`` says what one case adds to them; the
receiver applies it as a difference like the daily rows, and the rebuild adds the same
things up in SQL from the rebuilt DailyRollup and CaseFact tables.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from minsheng.cases.models import Case, Event, Feedback
from minsheng.directory.calendar import WorkingCalendar
from minsheng.insight.indicators import Facts, contributions, facts_for_case, local_day
from minsheng.insight.models import (
    ALL_UNITS,
    COUNTERS,
    NOT_ENDED,
    REGION,
    RESOLVE,
    RESPONSE,
    AreaHistogram,
    AreaOpen,
    AreaRaised,
    AreaRollup,
    AreaStatus,
    CaseFact,
    DailyRollup,
    OpenRaised,
)

logger = logging.getLogger(__name__)

Key = tuple[str, int, str, int, int, str]  # day, area id, area path, unit, category, channel


def _keyed(facts: Facts | CaseFact) -> dict[Key, Counter]:
    """The case's contribution by DailyRollup key: to its own unit, and to units it left."""
    out: dict[Key, Counter] = {}
    for unit_id, day, counts in contributions(facts):
        key = (day, facts.area_id, facts.area_path, unit_id, facts.category_id, facts.channel)
        out.setdefault(key, Counter()).update(counts)
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
        response_tenths=facts.response_tenths,
        resolved_day=facts.resolved_day,
        resolve_days=facts.resolve_days,
        resolve_tenths=facts.resolve_tenths,
        on_time=facts.on_time,
        confirmed=facts.confirmed,
        reopened=facts.reopened,
        ended_day=facts.ended_day,
        status=facts.status,
        contribution=facts.contribution,
        elsewhere=facts.elsewhere,
    )


# --- adding differences: INSERT … ON CONFLICT DO UPDATE (PostgreSQL and SQLite ≥ 3.24) ---

UPSERT_BATCH = 500


def _upsert_add(
    model: type[Model],
    keys: tuple[str, ...],
    values: tuple[str, ...],
    rows: list[tuple],
    *,
    extra: tuple[str, ...] = (),
) -> None:
    """Add ``values`` to the rows with these ``keys``, creating missing rows; ``extra``
    columns are written only when a row is created. One statement per batch of rows, and
    safe against a concurrent refresh creating the same row."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = keys + extra + values
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{qn(v)} = {table}.{qn(v)} + EXCLUDED.{qn(v)}" for v in values)
    # Every refresh locks rows in key order, so two refreshes never wait on each other in
    # a cycle (the region's row for today is shared by every case).
    rows = sorted(rows, key=lambda row: row[: len(keys)])
    with connection.cursor() as cursor:
        for i in range(0, len(rows), UPSERT_BATCH):
            batch = rows[i : i + UPSERT_BATCH]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "
                f"VALUES {', '.join([one] * len(batch))} "
                f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}",
                [value for row in batch for value in row],
            )


def _add_to_rollups(deltas: dict[Key, Counter]) -> None:
    rows = [
        (dt.date.fromisoformat(day), area_id, unit_id, category_id, channel, area_path)
        + tuple(counts.get(name, 0) for name in COUNTERS)
        for (day, area_id, area_path, unit_id, category_id, channel), counts in deltas.items()
        if any(counts.values())
    ]
    _upsert_add(
        DailyRollup,
        ("day", "area_id", "unit_id", "category_id", "channel"),
        COUNTERS,
        rows,
        extra=("area_path",),
    )


# --- the node tables ----------------------------------------------------------------------


@dataclass
class NodeDeltas:
    """What cases add to (or, with a negative sign, take from) the node tables."""

    rollup: dict[tuple, Counter] = field(default_factory=lambda: defaultdict(Counter))
    raised: Counter = field(default_factory=Counter)
    histogram: Counter = field(default_factory=Counter)
    open: Counter = field(default_factory=Counter)
    open_raised: Counter = field(default_factory=Counter)
    status: Counter = field(default_factory=Counter)


def area_nodes(area_path: str) -> list[int]:
    """The region and every area on the path, top down."""
    return [REGION] + [int(part) for part in area_path.strip("/").split("/") if part]


def node_deltas(facts: Facts | CaseFact, deltas: NodeDeltas, sign: int = 1) -> None:
    """Add one case's share of the node tables (times ``sign``) to ``deltas``."""
    areas = area_nodes(facts.area_path)
    # Area totals and the region per unit; AreaRollup also per (area, unit) for rankings.
    nodes = [(a, ALL_UNITS) for a in areas] + [(REGION, facts.unit_id)]
    for unit, day, counts in contributions(facts):
        signed = Counter({name: sign * n for name, n in counts.items()})
        pairs = [(a, ALL_UNITS) for a in areas] + [(REGION, unit)] + [(a, unit) for a in areas[1:]]
        for area_id, unit_id in pairs:
            deltas.rollup[(day, area_id, unit_id)].update(signed)
        if counts.get("raised"):
            for area_id, unit_id in nodes:
                key = (day, area_id, unit_id, facts.category_id, facts.channel)
                deltas.raised[key] += sign * counts["raised"]
    raised_day = _iso(facts.raised_day)
    ended_day = _iso(facts.ended_day or NOT_ENDED)
    for area_id in areas:
        deltas.status[(raised_day, area_id, facts.category_id, facts.status)] += sign
    for area_id, unit_id in nodes:
        if facts.response_tenths is not None:
            key = (raised_day, area_id, unit_id, RESPONSE, facts.response_tenths)
            deltas.histogram[key] += sign
        if facts.resolved_day is not None:
            key = (_iso(facts.resolved_day), area_id, unit_id, RESOLVE, facts.resolve_tenths)
            deltas.histogram[key] += sign
        deltas.open[(area_id, unit_id, raised_day, ended_day)] += sign
    if facts.ended_day is None:
        deltas.open_raised[(facts.area_path, facts.category_id, raised_day)] += sign


def _iso(day: dt.date | str) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _date(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


def _apply_node_deltas(deltas: NodeDeltas) -> None:
    _upsert_add(
        AreaRollup,
        ("day", "area_id", "unit_id"),
        COUNTERS,
        [
            (_date(day), area_id, unit_id) + tuple(counts.get(name, 0) for name in COUNTERS)
            for (day, area_id, unit_id), counts in deltas.rollup.items()
            if any(counts.values())
        ],
    )
    _upsert_add(
        AreaRaised,
        ("day", "area_id", "unit_id", "category_id", "channel"),
        ("raised",),
        [(_date(k[0]), *k[1:], n) for k, n in deltas.raised.items() if n],
    )
    _upsert_add(
        AreaHistogram,
        ("day", "area_id", "unit_id", "metric", "value"),
        ("n",),
        [(_date(k[0]), *k[1:], n) for k, n in deltas.histogram.items() if n],
    )
    _upsert_add(
        AreaOpen,
        ("area_id", "unit_id", "raised_day", "ended_day"),
        ("n",),
        [(k[0], k[1], _date(k[2]), _date(k[3]), n) for k, n in deltas.open.items() if n],
    )
    _upsert_add(
        AreaStatus,
        ("day", "area_id", "category_id", "status"),
        ("n",),
        [(_date(k[0]), *k[1:], n) for k, n in deltas.status.items() if n],
    )
    _upsert_add(
        OpenRaised,
        ("area_path", "category_id", "day"),
        ("n",),
        [(k[0], k[1], _date(k[2]), n) for k, n in deltas.open_raised.items() if n],
    )


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
    nodes = NodeDeltas()
    if old is not None:
        for key, counts in _keyed(old).items():
            deltas[key].subtract(counts)
        node_deltas(old, nodes, -1)
    for key, counts in _keyed(facts).items():
        deltas[key].update(counts)
    node_deltas(facts, nodes)
    _add_to_rollups(deltas)
    _apply_node_deltas(nodes)
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


def _daily_rows(totals: dict[Key, Counter]) -> list[DailyRollup]:
    return [
        DailyRollup(
            day=dt.date.fromisoformat(day),
            area_id=area_id,
            area_path=area_path,
            unit_id=unit_id,
            category_id=category_id,
            channel=channel,
            **{name: counts.get(name, 0) for name in COUNTERS},
        )
        for (day, area_id, area_path, unit_id, category_id, channel), counts in totals.items()
        if any(counts.values())
    ]


# Only what facts_for_case reads, so a rebuild of millions of cases loads no free text.
CASE_FIELDS = ("pk", "area_id", "area_path", "current_unit_id", "category_id", "channel",
               "created_at", "deadline", "status")  # fmt: skip
EVENT_FIELDS = ("pk", "case_id", "kind", "is_public", "actor_kind", "created_at", "unit_id", "data")


def rebuild(*, since: dt.date | None = None, batch_size: int = 5000) -> int:
    """Recompute facts and rollups from the timeline; returns the number of cases read.

    Without ``since`` everything is recomputed. With it, rollup days from ``since`` on are
    recomputed from the cases touched since then (a case contributes to a day only if
    something happened to it that day, so an untouched case has nothing to add). Running it
    twice gives the same tables. The node tables are then added up again from the daily
    rows and the facts.

    Cases are read in the order they were raised, and a case adds nothing to a day before
    it was raised, so the daily rows of days already passed are written out as the rebuild
    goes: memory holds the days still open, not the whole history. A full rebuild on
    PostgreSQL is set-based SQL instead (``_rebuild_sql``), minutes rather than hours at
    millions of cases.
    """
    if since is None and connection.vendor == "postgresql":
        count = _rebuild_sql()
        _vacuum_nodes()
        return count
    calendar = WorkingCalendar.load()
    cases = Case.objects.only(*CASE_FIELDS).order_by("created_at", "pk")
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
        # Shares of days before ``since`` (which keep their rows), and of days already
        # written out (should an event ever predate its case): added at the end.
        late: dict[Key, Counter] = defaultdict(Counter)
        written_before = ""
        seen = 0
        after: Q = Q()
        while True:
            batch = list(cases.filter(after)[:batch_size])
            if not batch:
                break
            last = batch[-1]
            after = Q(created_at__gt=last.created_at) | Q(
                created_at=last.created_at, pk__gt=last.pk
            )
            ids = [c.pk for c in batch]
            events: dict[int, list[Event]] = defaultdict(list)
            for e in Event.objects.filter(case_id__in=ids).only(*EVENT_FIELDS).order_by():
                events[e.case_id].append(e)
            feedback: dict[int, list[Feedback]] = defaultdict(list)
            for fb in (
                Feedback.objects.filter(case_id__in=ids)
                .only("pk", "case_id", "rating", "created_at")
                .order_by()
            ):
                feedback[fb.case_id].append(fb)
            rows = []
            old_facts = (
                {f.case_id: f for f in CaseFact.objects.filter(case_id__in=ids)} if since else {}
            )
            for case in batch:
                facts = facts_for_case(case, events[case.pk], feedback[case.pk], calendar)
                rows.append(_fact_row(facts))
                for key, counts in _keyed(facts).items():
                    if key[0] >= since_iso and key[0] >= written_before:
                        totals[key].update(counts)
                    else:
                        late[key].update(counts)
                old = old_facts.get(case.pk)
                if old is not None:
                    for key, counts in _keyed(old).items():
                        if key[0] < since_iso:
                            late[key].subtract(counts)
            if since is not None:
                CaseFact.objects.filter(case_id__in=ids).delete()
            CaseFact.objects.bulk_create(rows, batch_size=1000)
            seen += len(batch)
            # Later cases were raised on or after this day: earlier days are complete.
            written_before = local_day(last.created_at).isoformat()
            done = {key: totals.pop(key) for key in [k for k in totals if k[0] < written_before]}
            DailyRollup.objects.bulk_create(_daily_rows(done), batch_size=1000)
        DailyRollup.objects.bulk_create(_daily_rows(totals), batch_size=1000)
        _add_to_rollups(late)
        rebuild_nodes()
    _vacuum_nodes()
    return seen


def _vacuum_nodes() -> None:
    """Let PostgreSQL read the freshly written node tables from their covering indexes
    alone (index-only scans need the visibility map) and plan with their new sizes.
    VACUUM cannot run inside a transaction; autovacuum catches up there."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (AreaRollup, AreaRaised, AreaHistogram, AreaOpen, AreaStatus, OpenRaised):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


# --- the node tables, added up in SQL -----------------------------------------------------

_NODE_MAP = "insight_node_map"


def _node_map(cursor) -> None:  # type: ignore[no-untyped-def]
    """A temporary (leaf area, node area) table: each area in the facts with the region and
    every area on its path."""
    cursor.execute(f"DROP TABLE IF EXISTS {_NODE_MAP}")
    cursor.execute(f"CREATE TEMPORARY TABLE {_NODE_MAP} (area_id integer, node_id integer)")
    paths = set(CaseFact.objects.values_list("area_id", "area_path").distinct().order_by())
    paths |= set(DailyRollup.objects.values_list("area_id", "area_path").distinct().order_by())
    rows = [(area_id, node) for area_id, path in paths for node in area_nodes(path)]
    for i in range(0, len(rows), UPSERT_BATCH):
        batch = rows[i : i + UPSERT_BATCH]
        cursor.execute(
            f"INSERT INTO {_NODE_MAP} (area_id, node_id) VALUES "
            + ", ".join(["(%s, %s)"] * len(batch)),
            [value for row in batch for value in row],
        )


OPEN_RAISED_SQL = (
    "INSERT INTO insight_openraised (area_path, category_id, day, n) "
    "SELECT area_path, category_id, raised_day, COUNT(*) FROM insight_casefact "
    "WHERE ended_day IS NULL GROUP BY area_path, category_id, raised_day"
)


def rebuild_nodes() -> None:
    """Add the node tables up again from DailyRollup and CaseFact (what ``node_deltas``
    adds case by case, summed per node in the database)."""
    qn = connection.ops.quote_name
    daily, facts = DailyRollup._meta.db_table, CaseFact._meta.db_table
    counters = ", ".join(qn(name) for name in COUNTERS)
    sums = ", ".join(f"SUM(r.{qn(name)})" for name in COUNTERS)
    rollup, raised = AreaRollup._meta.db_table, AreaRaised._meta.db_table
    histogram, open_ = AreaHistogram._meta.db_table, AreaOpen._meta.db_table
    status, open_raised = AreaStatus._meta.db_table, OpenRaised._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        for table in (rollup, raised, histogram, open_, status, open_raised):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute(OPEN_RAISED_SQL)
        _node_map(cursor)
        m = _NODE_MAP
        cursor.execute(
            f"INSERT INTO {rollup} (day, area_id, unit_id, {counters}) "
            f"SELECT r.day, m.node_id, {ALL_UNITS}, {sums} FROM {daily} r "
            f"JOIN {m} m ON m.area_id = r.area_id GROUP BY r.day, m.node_id"
        )
        cursor.execute(
            f"INSERT INTO {rollup} (day, area_id, unit_id, {counters}) "
            f"SELECT r.day, m.node_id, r.unit_id, {sums} FROM {daily} r "
            f"JOIN {m} m ON m.area_id = r.area_id GROUP BY r.day, m.node_id, r.unit_id"
        )
        cursor.execute(
            f"INSERT INTO {raised} (day, area_id, unit_id, category_id, channel, raised) "
            f"SELECT r.day, m.node_id, {ALL_UNITS}, r.category_id, r.channel, SUM(r.raised) "
            f"FROM {daily} r JOIN {m} m ON m.area_id = r.area_id WHERE r.raised <> 0 "
            "GROUP BY r.day, m.node_id, r.category_id, r.channel"
        )
        cursor.execute(
            f"INSERT INTO {raised} (day, area_id, unit_id, category_id, channel, raised) "
            f"SELECT r.day, {REGION}, r.unit_id, r.category_id, r.channel, SUM(r.raised) "
            f"FROM {daily} r WHERE r.raised <> 0 "
            "GROUP BY r.day, r.unit_id, r.category_id, r.channel"
        )
        for metric, day, value in (
            (RESPONSE, "raised_day", "response_tenths"),
            (RESOLVE, "resolved_day", "resolve_tenths"),
        ):
            cursor.execute(
                f"INSERT INTO {histogram} (day, area_id, unit_id, metric, value, n) "
                f"SELECT f.{day}, m.node_id, {ALL_UNITS}, {metric}, f.{value}, COUNT(*) "
                f"FROM {facts} f JOIN {m} m ON m.area_id = f.area_id "
                f"WHERE f.{day} IS NOT NULL AND f.{value} IS NOT NULL "
                f"GROUP BY f.{day}, m.node_id, f.{value}"
            )
            cursor.execute(
                f"INSERT INTO {histogram} (day, area_id, unit_id, metric, value, n) "
                f"SELECT f.{day}, {REGION}, f.unit_id, {metric}, f.{value}, COUNT(*) "
                f"FROM {facts} f WHERE f.{day} IS NOT NULL AND f.{value} IS NOT NULL "
                f"GROUP BY f.{day}, f.unit_id, f.{value}"
            )
        ended = "COALESCE(f.ended_day, %s)"
        cursor.execute(
            f"INSERT INTO {open_} (area_id, unit_id, raised_day, ended_day, n) "
            f"SELECT m.node_id, {ALL_UNITS}, f.raised_day, {ended}, COUNT(*) "
            f"FROM {facts} f JOIN {m} m ON m.area_id = f.area_id "
            "GROUP BY 1, 2, 3, 4",
            [NOT_ENDED],
        )
        cursor.execute(
            f"INSERT INTO {open_} (area_id, unit_id, raised_day, ended_day, n) "
            f"SELECT {REGION}, f.unit_id, f.raised_day, {ended}, COUNT(*) FROM {facts} f "
            "GROUP BY 1, 2, 3, 4",
            [NOT_ENDED],
        )
        cursor.execute(
            f"INSERT INTO {status} (day, area_id, category_id, status, n) "
            f"SELECT f.raised_day, m.node_id, f.category_id, f.status, COUNT(*) "
            f"FROM {facts} f JOIN {m} m ON m.area_id = f.area_id GROUP BY 1, 2, 3, 4"
        )
        cursor.execute(f"DROP TABLE {_NODE_MAP}")


# --- a full rebuild on PostgreSQL, set-based ----------------------------------------------
#
# ``facts_for_case`` stated as SQL over the whole timeline at once, for installations with
# millions of cases, where reading each case into Python would take hours. It must say
# exactly what facts_for_case says: the property test runs it against the event stream's
# tables on PostgreSQL (tests/insight/test_rollups_property.py).

_SQL_FACTS = """
CREATE TEMPORARY TABLE rb_last AS
SELECT DISTINCT ON (case_id) case_id, created_at AS at, id
FROM cases_event WHERE kind = 'resolved'
ORDER BY case_id, created_at DESC, id DESC;

CREATE TEMPORARY TABLE rb_agg AS
SELECT e.case_id,
    min(e.created_at) FILTER (
        WHERE e.kind = 'accepted' OR (e.kind = 'note' AND e.is_public)) AS first_response,
    bool_or(e.kind = 'reopened') AS reopened,
    coalesce(bool_or(e.kind = 'reopened' AND (e.created_at, e.id) > (l.at, l.id)), false)
        AS reopened_after,
    coalesce(bool_or(e.kind = 'escalated' AND e.actor_kind = 'system'), false)
        AS system_escalated,
    min(e.created_at) FILTER (WHERE e.kind IN ('closed', 'merged', 'declined', 'withdrawn'))
        AS ended_at,
    min(e.created_at) FILTER (WHERE e.kind = 'closed' AND (e.created_at, e.id) > (l.at, l.id))
        AS closed_at,
    min(e.created_at) FILTER (WHERE e.kind = 'rated' AND (e.created_at, e.id) > (l.at, l.id))
        AS rated_at
FROM cases_event e LEFT JOIN rb_last l ON l.case_id = e.case_id
GROUP BY e.case_id;

CREATE TEMPORARY TABLE rb_case AS
SELECT c.id AS case_id, c.area_id, c.area_path, coalesce(c.current_unit_id, 0) AS unit_id,
    c.category_id, c.channel, c.created_at, c.deadline, c.status,
    (c.created_at AT TIME ZONE %(tz)s)::date AS raised_day,
    CASE WHEN a.first_response IS NOT NULL THEN greatest(0,
        floor(extract(epoch FROM a.first_response - c.created_at)))::bigint END
        AS response_seconds,
    CASE WHEN NOT coalesce(a.reopened_after, false) THEN l.at END AS resolved_at,
    CASE WHEN NOT coalesce(a.reopened_after, false) THEN a.closed_at END AS closed_at,
    CASE WHEN NOT coalesce(a.reopened_after, false) AND a.closed_at IS NOT NULL THEN
        coalesce(a.rated_at <= a.closed_at, false) END AS closed_rated,
    coalesce(a.reopened, false) AS reopened,
    coalesce(a.system_escalated, false) AS system_escalated,
    (a.ended_at AT TIME ZONE %(tz)s)::date AS ended_day
FROM cases_case c
LEFT JOIN rb_agg a ON a.case_id = c.id
LEFT JOIN rb_last l ON l.case_id = c.id;

CREATE TEMPORARY TABLE rb_fact AS
SELECT f.*,
    (f.response_seconds + 180) / 360 AS response_tenths,
    (f.resolved_at AT TIME ZONE %(tz)s)::date AS resolved_day,
    (f.closed_at AT TIME ZONE %(tz)s)::date AS closed_day,
    NOT f.system_escalated AND f.deadline IS NOT NULL AND f.resolved_at <= f.deadline
        AS on_time,
    f.closed_at IS NOT NULL AND NOT f.reopened AS confirmed,
    round((CASE
        WHEN f.resolved_at <= f.created_at THEN 0
        WHEN s.day = e.day THEN CASE WHEN s.working
            THEN extract(epoch FROM f.el - f.sl)::float8 / 86400 ELSE 0 END
        ELSE (CASE WHEN s.working
                THEN extract(epoch FROM (s.day + 1)::timestamp - f.sl)::float8 / 86400
                ELSE 0 END)
            + (e.cum - s.cum - s.working::int)
            + (CASE WHEN e.working
                THEN extract(epoch FROM f.el - e.day::timestamp)::float8 / 86400 ELSE 0 END)
    END)::numeric, 4)::float8 AS resolve_days
FROM (
    SELECT c.*, c.created_at AT TIME ZONE %(tz)s AS sl, c.resolved_at AT TIME ZONE %(tz)s AS el
    FROM rb_case c
) f
LEFT JOIN rb_cal s ON s.day = f.sl::date AND f.resolved_at IS NOT NULL
LEFT JOIN rb_cal e ON e.day = f.el::date;

CREATE TEMPORARY TABLE rb_contribution AS
SELECT x.case_id, x.day,
    CASE WHEN x.unit_id IS NULL OR x.unit_id = 0 THEN f.unit_id ELSE x.unit_id END AS unit_id,
    x.name, sum(x.n)::bigint AS n
FROM (
    SELECT case_id, raised_day AS day, NULL::int AS unit_id, 'raised' AS name, 1::bigint AS n
        FROM rb_fact
    UNION ALL SELECT case_id, raised_day, NULL, 'responded', 1 FROM rb_fact
        WHERE response_seconds IS NOT NULL
    UNION ALL SELECT case_id, raised_day, NULL, 'response_seconds', response_seconds
        FROM rb_fact WHERE response_seconds IS NOT NULL
    UNION ALL SELECT case_id, resolved_day, NULL, 'resolved', 1 FROM rb_fact
        WHERE resolved_day IS NOT NULL
    UNION ALL SELECT case_id, resolved_day, NULL, 'resolved_on_time', on_time::int FROM rb_fact
        WHERE resolved_day IS NOT NULL
    UNION ALL SELECT case_id, resolved_day, NULL, 'deadlines', 1 FROM rb_fact
        WHERE resolved_day IS NOT NULL AND NOT system_escalated
    UNION ALL SELECT case_id, resolved_day, NULL, 'resolved_confirmed', confirmed::int
        FROM rb_fact WHERE resolved_day IS NOT NULL
    UNION ALL SELECT case_id, resolved_day, NULL, 'resolved_reopened', reopened::int
        FROM rb_fact WHERE resolved_day IS NOT NULL
    UNION ALL SELECT case_id, closed_day, NULL, 'closed', 1 FROM rb_fact
        WHERE closed_day IS NOT NULL
    UNION ALL SELECT case_id, closed_day, NULL, 'closed_rated', closed_rated::int FROM rb_fact
        WHERE closed_day IS NOT NULL
    UNION ALL SELECT case_id, (created_at AT TIME ZONE %(tz)s)::date,
        CASE WHEN jsonb_typeof(data::jsonb -> 'from_unit') = 'number'
            THEN (data::jsonb ->> 'from_unit')::int END, 'escalations', 1
        FROM cases_event WHERE kind = 'escalated'
    UNION ALL SELECT case_id, (created_at AT TIME ZONE %(tz)s)::date,
        CASE WHEN jsonb_typeof(data::jsonb -> 'from_unit') = 'number'
            THEN (data::jsonb ->> 'from_unit')::int END, m.name, 1
        FROM cases_event CROSS JOIN (VALUES ('deadlines'), ('deadlines_missed')) AS m (name)
        WHERE kind = 'escalated' AND actor_kind = 'system'
    UNION ALL SELECT case_id, (created_at AT TIME ZONE %(tz)s)::date, unit_id, 'extensions', 1
        FROM cases_event WHERE kind = 'extension_granted'
    UNION ALL SELECT case_id, (created_at AT TIME ZONE %(tz)s)::date, NULL, 'rated', 1
        FROM cases_feedback
    UNION ALL SELECT case_id, (created_at AT TIME ZONE %(tz)s)::date, NULL, 'rating_sum', rating
        FROM cases_feedback
    UNION ALL SELECT case_id, (created_at AT TIME ZONE %(tz)s)::date, NULL, 'rated_4_5',
        (rating >= 4)::int FROM cases_feedback
) AS x
JOIN rb_fact f ON f.case_id = x.case_id
GROUP BY 1, 2, 3, 4
HAVING sum(x.n) <> 0;

INSERT INTO insight_casefact (case_id, area_id, area_path, unit_id, category_id, channel,
    raised_day, raised_at, response_seconds, response_tenths, resolved_day, resolve_days,
    resolve_tenths, on_time, confirmed, reopened, ended_day, status, contribution, elsewhere)
SELECT f.case_id, f.area_id, f.area_path, f.unit_id, f.category_id, f.channel, f.raised_day,
    f.created_at, f.response_seconds, f.response_tenths, f.resolved_day,
    CASE WHEN f.resolved_day IS NOT NULL THEN f.resolve_days END,
    CASE WHEN f.resolved_day IS NOT NULL THEN floor(f.resolve_days * 10 + 0.5)::int END,
    coalesce(f.on_time AND f.resolved_day IS NOT NULL, false),
    coalesce(f.confirmed AND f.resolved_day IS NOT NULL, false), f.reopened, f.ended_day,
    f.status, coalesce(j.contribution, '{{}}'::jsonb), coalesce(o.elsewhere, '{{}}'::jsonb)
FROM rb_fact f
LEFT JOIN (
    SELECT case_id, jsonb_object_agg(day::text, counts) AS contribution FROM (
        SELECT r.case_id, r.day, jsonb_object_agg(r.name, r.n) AS counts
        FROM rb_contribution r JOIN rb_fact f ON f.case_id = r.case_id
        WHERE r.unit_id = f.unit_id GROUP BY r.case_id, r.day
    ) AS d GROUP BY case_id
) AS j ON j.case_id = f.case_id
LEFT JOIN (
    SELECT case_id, jsonb_object_agg(unit_id::text, days) AS elsewhere FROM (
        SELECT case_id, unit_id, jsonb_object_agg(day::text, counts) AS days FROM (
            SELECT r.case_id, r.unit_id, r.day, jsonb_object_agg(r.name, r.n) AS counts
            FROM rb_contribution r JOIN rb_fact f ON f.case_id = r.case_id
            WHERE r.unit_id <> f.unit_id GROUP BY r.case_id, r.unit_id, r.day
        ) AS d GROUP BY case_id, unit_id
    ) AS u GROUP BY case_id
) AS o ON o.case_id = f.case_id;

INSERT INTO insight_dailyrollup (day, area_id, area_path, unit_id, category_id, channel,
    {counters})
SELECT r.day, f.area_id, f.area_path, r.unit_id, f.category_id, f.channel, {sums}
FROM rb_contribution r JOIN rb_fact f ON f.case_id = r.case_id
GROUP BY r.day, f.area_id, f.area_path, r.unit_id, f.category_id, f.channel;
"""


def _calendar_table(cursor) -> None:  # type: ignore[no-untyped-def]
    """rb_cal: every day the timeline touches, whether it is a working day, and how many
    working days came before it."""
    cursor.execute(
        "SELECT min(created_at), max(created_at) FROM cases_event",
    )
    first, last = cursor.fetchone()
    cursor.execute(
        "CREATE TEMPORARY TABLE rb_cal (day date PRIMARY KEY, working boolean, cum integer)"
    )
    if first is None:
        return
    calendar = WorkingCalendar.load()
    day, end = local_day(first) - dt.timedelta(days=1), local_day(last) + dt.timedelta(days=1)
    rows, cum = [], 0
    while day <= end:
        working = calendar.is_working_day(day)
        rows.append((day, working, cum))
        cum += int(working)
        day += dt.timedelta(days=1)
    for i in range(0, len(rows), UPSERT_BATCH):
        batch = rows[i : i + UPSERT_BATCH]
        cursor.execute(
            "INSERT INTO rb_cal (day, working, cum) VALUES "
            + ", ".join(["(%s, %s, %s)"] * len(batch)),
            [v for row in batch for v in row],
        )


def _rebuild_sql() -> int:
    """Full rebuild of CaseFact and DailyRollup in PostgreSQL (see _SQL_FACTS)."""
    qn = connection.ops.quote_name
    sql = _SQL_FACTS.format(
        counters=", ".join(qn(name) for name in COUNTERS),
        sums=", ".join(
            f"coalesce(sum(r.n) FILTER (WHERE r.name = '{name}'), 0)" for name in COUNTERS
        ),
    )
    temporary = "rb_cal, rb_last, rb_agg, rb_case, rb_fact, rb_contribution"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {temporary}")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        CaseFact.objects.all().delete()
        DailyRollup.objects.all().delete()
        _calendar_table(cursor)
        cursor.execute("ANALYZE rb_cal")
        for statement in sql.split(";\n"):
            if statement.strip():
                cursor.execute(statement, {"tz": settings.TIME_ZONE})
                if statement.lstrip().startswith("CREATE TEMPORARY TABLE"):
                    # Temporary tables get no statistics by themselves; the joins need them.
                    cursor.execute("ANALYZE " + statement.split()[3])
        cursor.execute("SELECT count(*) FROM rb_fact")
        count = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {temporary}")
        rebuild_nodes()
    return count
