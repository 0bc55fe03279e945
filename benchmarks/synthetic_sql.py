"""Millions of synthetic cases generated inside PostgreSQL, for the dashboard benchmark.

``synthetic.insert_cases`` builds every row in Python (about 3,000 cases per second of
CPU); five million cases would take hours on a shared machine. Here each batch is one
``INSERT … SELECT … FROM generate_series`` per table, so the database draws the random
values and Python only sends the statements. Like ``synthetic``, this bypasses
``minsheng.cases.actions`` on purpose: a benchmark fixture, never product code.

The histories are fuller than ``synthetic``'s two events per case, because the dashboard's
figures read them: a closed case has its ``submitted``, ``dispatched``, ``accepted``,
(sometimes a deadline ``escalated``), ``resolved``, (usually a rating and ``rated``) and
``closed`` events, and a deadline, so response times, on-time and satisfaction rates and
working days to resolve are all realistic. The distributions of villages, categories,
channels and statuses are ``synthetic``'s. The directory (county, villages, units, staff)
comes from ``synthetic.build_directory``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.db import connection, transaction

from benchmarks import synthetic
from minsheng.cases.models import TRACKING_ALPHABET

SLOTS = 10_000  # resolution of the weighted draws: a weight is a share of this many slots
TABLES = ("cases_case", "cases_event", "cases_feedback")


def _slots(weights: list[float]) -> list[int]:
    """1-based indexes repeated in proportion to their weights, ``SLOTS`` long."""
    total = sum(weights)
    out: list[int] = []
    for index, weight in enumerate(weights, start=1):
        out.extend([index] * round(weight / total * SLOTS))
    return (out + [len(weights)] * SLOTS)[:SLOTS] if out else [1] * SLOTS


def _status_case(var: str) -> str:
    """A CASE expression turning a uniform draw into a status with STATUS_WEIGHTS."""
    total = sum(synthetic.STATUS_WEIGHTS.values())
    parts, cumulative = [], 0.0
    for status, weight in synthetic.STATUS_WEIGHTS.items():
        cumulative += weight / total
        parts.append(f"WHEN {var} < {cumulative:.6f} THEN '{status.value}'")
    return "CASE " + " ".join(parts) + " ELSE 'closed' END"


def _tracking_code(var: str) -> str:
    """``synthetic.tracking_code_for`` in SQL: 'MS' + 8 base-31 digits of a bijection."""
    base = len(TRACKING_ALPHABET)
    value = (
        f"(({var}::bigint * {synthetic._CODE_MULTIPLIER} + {synthetic._CODE_OFFSET})"
        f" %% {synthetic._CODE_SPACE})"
    )
    digits = [
        f"substr('{TRACKING_ALPHABET}', (({value} / {base**p}) %% {base})::int + 1, 1)"
        for p in range(7, -1, -1)
    ]
    return "'MS' || " + " || ".join(digits)


def _prepare(directory: synthetic.Directory) -> None:
    """Lookup tables the INSERTs join: villages (with their units) and categories."""
    others = len(directory.villages) - 1
    zipf = [1 / (rank + 1) ** 0.5 for rank in range(others)]
    scale = (1 - synthetic.BUSY_VILLAGE_SHARE) / sum(zipf)
    village_weights = [synthetic.BUSY_VILLAGE_SHARE] + [w * scale for w in zipf]
    categories = directory.categories
    channels = list(synthetic.CHANNEL_WEIGHTS)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_village, bench_category, bench_slot")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_village (i int PRIMARY KEY, area_id int, path text,"
            " name text, v_unit int, t_unit int)"
        )
        cur.executemany(
            "INSERT INTO bench_village VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (
                    i,
                    v.pk,
                    v.path,
                    v.name,
                    directory.village_units[v.pk].pk,
                    directory.township_units[v.parent_id].pk,
                )
                for i, v in enumerate(directory.villages, start=1)
            ],
        )
        cur.execute(
            "CREATE UNLOGGED TABLE bench_category (i int PRIMARY KEY, category_id int,"
            " county_unit int, problem text, limit_village int, limit_township int,"
            " limit_county int)"
        )
        cur.executemany(
            "INSERT INTO bench_category VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    i,
                    c.pk,
                    directory.county_unit_for(c).pk,
                    synthetic.PROBLEMS.get(c.code, synthetic.PROBLEMS["other"])[0].format(n=3),
                    c.limit_village,
                    c.limit_township,
                    c.limit_county,
                )
                for i, c in enumerate(categories, start=1)
            ],
        )
        cur.execute(
            "CREATE UNLOGGED TABLE bench_slot (slot int PRIMARY KEY, village int,"
            " category int, channel text)"
        )
        village_slots = _slots(village_weights)
        category_slots = _slots([synthetic.CATEGORY_WEIGHTS.get(c.code, 3) for c in categories])
        channel_slots = _slots([synthetic.CHANNEL_WEIGHTS[ch] for ch in channels])
        cur.executemany(
            "INSERT INTO bench_slot VALUES (%s, %s, %s, %s)",
            [
                (
                    slot,
                    village_slots[slot],
                    category_slots[slot],
                    channels[channel_slots[slot] - 1].value,
                )
                for slot in range(SLOTS)
            ],
        )
        cur.execute("ANALYZE bench_village, bench_category, bench_slot")


# One row of random draws per case; every later column is a function of them.
_CASES_SQL = """
INSERT INTO cases_case (
    tracking_code, title, description, category_id, area_id, area_path, address,
    latitude, longitude, channel, priority, status, language, current_unit_id, level,
    deadline, overdue_at_top, hidden_from_board, escalation_count, reopen_count,
    extension_count, resolution, merged_into_id, created_by_id, submission_key, created_at,
    updated_at, dispatched_at, accepted_at, resolved_at, closed_at, version)
SELECT
    {code}, v.name || c.problem, v.name || c.problem || '，请尽快派人来看看。',
    c.category_id, v.area_id, v.path, '', NULL, NULL, d.channel,
    CASE WHEN d.r_urgent < 0.05 THEN 'urgent' ELSE 'normal' END,
    d.status, CASE WHEN d.r_lang < 0.08 THEN 'ug' ELSE 'zh-hans' END,
    CASE
        WHEN d.status IN ('submitted', 'returned', 'declined', 'merged', 'withdrawn') THEN NULL
        WHEN t.level = 1 THEN v.v_unit WHEN t.level = 2 THEN v.t_unit ELSE c.county_unit END,
    CASE WHEN d.status IN ('submitted', 'returned', 'declined', 'merged', 'withdrawn')
        THEN NULL ELSE t.level END,
    t.deadline, false, false,
    CASE WHEN d.status IN ('closed', 'resolved', 'escalated') THEN t.level - 1 ELSE 0 END,
    CASE WHEN d.status = 'reopened' THEN 1 ELSE 0 END, 0,
    CASE WHEN d.status IN ('closed', 'resolved') THEN '已派人现场处理完毕。' ELSE '' END,
    CASE WHEN d.status = 'merged' THEN %(merge_target)s END,
    NULL, NULL, t.created,
    COALESCE(t.closed, t.resolved, t.accepted, t.dispatched, t.created),
    t.dispatched, t.accepted, t.resolved, t.closed,
    CASE WHEN d.status = 'submitted' THEN 1 ELSE 2 END
FROM (
    SELECT r.*, {status} AS status, sc.channel
    FROM (
        SELECT g,
            floor(random() * {slots})::int AS sv, floor(random() * {slots})::int AS sc,
            floor(random() * {slots})::int AS sch, random() AS r_status,
            random() AS r_urgent, random() AS r_lang, random() AS r_created,
            random() AS r1, random() AS r2, random() AS r3, random() AS r4,
            random() AS r_level, random() AS r_deadline
        FROM generate_series(%(first)s, %(last)s) AS g
    ) AS r
    JOIN bench_slot AS sc ON sc.slot = r.sch
) AS d
JOIN bench_slot AS sv ON sv.slot = d.sv
JOIN bench_village AS v ON v.i = sv.village
JOIN bench_slot AS scat ON scat.slot = d.sc
JOIN bench_category AS c ON c.i = scat.category
CROSS JOIN LATERAL (
    SELECT created, level,
        dispatched, accepted, resolved,
        CASE WHEN d.status IN ('closed', 'declined', 'merged', 'withdrawn')
            THEN LEAST(%(now)s, COALESCE(resolved, created) + interval '1 hour'
                 + d.r4 * interval '4 days') END AS closed,
        CASE
            WHEN d.status IN ('closed', 'resolved') THEN
                -- the level's working-day limit, counted here in calendar days
                dispatched + make_interval(days => CASE level WHEN 1 THEN c.limit_village
                    WHEN 2 THEN c.limit_township ELSE c.limit_county END + 2)
            WHEN d.status IN ('dispatched', 'accepted', 'in_progress', 'escalated', 'reopened')
            THEN CASE
                WHEN d.r_deadline < {overdue} THEN %(now)s - interval '1 hour'
                    - d.r2 * interval '9 days'
                WHEN d.r_deadline < {overdue} + {due_soon} THEN %(now)s + interval '30 minutes'
                    + d.r2 * interval '22 hours'
                ELSE %(now)s + interval '25 hours' + d.r2 * interval '9 days' END
        END AS deadline
    FROM (
        SELECT created, level,
            CASE WHEN d.status NOT IN ('submitted', 'declined', 'merged', 'withdrawn')
                THEN LEAST(%(now)s, created + interval '10 minutes' + d.r1 * interval '3 hours')
            END AS dispatched,
            CASE WHEN d.status IN ('accepted', 'in_progress', 'resolved', 'closed', 'reopened')
                THEN LEAST(%(now)s, created + interval '20 minutes' + d.r1 * interval '3 hours'
                    + d.r2 * interval '1 day')
            END AS accepted,
            CASE WHEN d.status IN ('resolved', 'closed')
                THEN LEAST(%(now)s, created + interval '2 hours' + d.r1 * interval '3 hours'
                    + d.r2 * interval '1 day' + d.r3 * d.r3 * interval '12 days')
            END AS resolved
        FROM (
            SELECT
                CASE
                    WHEN d.status = 'closed' THEN %(now)s - interval '16 days'
                        - d.r_created * interval '1080 days'
                    WHEN d.status = 'resolved' THEN %(now)s - interval '1 day'
                        - d.r_created * interval '5 days'
                    WHEN d.status IN ('declined', 'merged', 'withdrawn') THEN %(now)s
                        - interval '1 day' - d.r_created * interval '1094 days'
                    WHEN d.status IN ('submitted', 'returned') THEN %(now)s
                        - interval '10 minutes' - d.r_created * interval '2 days'
                    ELSE %(now)s - interval '1 hour' - d.r_created * interval '20 days'
                END AS created,
                CASE
                    WHEN d.status = 'escalated' THEN CASE WHEN d.r_level < 0.7 THEN 2 ELSE 3 END
                    WHEN d.status = 'resolved' THEN 1
                    WHEN d.r_level < 0.85 THEN 1 WHEN d.r_level < 0.97 THEN 2 ELSE 3
                END AS level
        ) AS base
    ) AS times
) AS t
"""

# Most residents rate a closed case; ratings lean to 4 and 5.
_FEEDBACK_SQL = """
INSERT INTO cases_feedback (case_id, rating, is_solved, comment, recorded_by_id, created_at)
SELECT id, rating, rating >= 3, '', NULL, resolved_at + (closed_at - resolved_at) / 2
FROM (
    SELECT id, resolved_at, closed_at, random() AS r,
        CASE WHEN random() < 0.7 THEN 5 - floor(random() * random() * 5)::int END AS rating
    FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed'
) AS c
WHERE rating IS NOT NULL
"""

_EVENTS_SQL = """
INSERT INTO cases_event (
    case_id, kind, actor_id, actor_kind, created_at, from_status, to_status, unit_id, note,
    is_public, data)
SELECT c.id, e.kind, CASE e.actor_kind WHEN 'staff' THEN %(operator)s END, e.actor_kind,
    e.at, e.from_status, e.to_status, e.unit_id, e.note, true,
    CASE WHEN e.kind = 'submitted' THEN jsonb_build_object('channel', c.channel)
        ELSE '{}'::jsonb END
FROM cases_case AS c
LEFT JOIN cases_feedback AS f ON f.case_id = c.id
CROSS JOIN LATERAL (VALUES
    ('submitted', 'resident', c.created_at, '', 'submitted', NULL::int, ''),
    ('dispatched', 'staff', c.dispatched_at, 'submitted', 'dispatched', c.current_unit_id, ''),
    ('accepted', 'staff', c.accepted_at, 'dispatched', 'accepted', c.current_unit_id, ''),
    ('escalated', 'system',
        CASE WHEN c.escalation_count > 0 THEN
            COALESCE(c.accepted_at, c.dispatched_at)
            + (COALESCE(c.resolved_at, c.updated_at) - COALESCE(c.accepted_at, c.dispatched_at))
            / 2 END,
        'accepted', 'escalated', c.current_unit_id, ''),
    ('note', 'staff', CASE WHEN c.status = 'in_progress'
        THEN c.accepted_at + interval '1 minute' END,
        'accepted', 'in_progress', c.current_unit_id, '已安排人员处理。'),
    ('resolved', 'staff', COALESCE(c.resolved_at,
        CASE WHEN c.status = 'reopened' THEN c.accepted_at + interval '1 minute' END),
        'in_progress', 'resolved', c.current_unit_id, c.resolution),
    ('reopened', 'resident',
        CASE WHEN c.status = 'reopened' THEN c.accepted_at + interval '2 minutes' END,
        'resolved', 'reopened', c.current_unit_id, ''),
    ('rated', 'resident', f.created_at, 'resolved', 'resolved', NULL, ''),
    ('closed', 'resident', CASE WHEN c.status = 'closed' THEN c.closed_at END,
        'resolved', 'closed', c.current_unit_id, ''),
    ('returned', 'staff', CASE WHEN c.status = 'returned' THEN c.updated_at END,
        'dispatched', 'returned', NULL, ''),
    (c.status, 'staff',
        CASE WHEN c.status IN ('declined', 'merged', 'withdrawn') THEN c.closed_at END,
        'submitted', c.status, NULL, '')
) AS e(kind, actor_kind, at, from_status, to_status, unit_id, note)
WHERE c.id BETWEEN %(first)s AND %(last)s AND e.at IS NOT NULL
"""


def _secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) of the three tables' indexes that back no constraint."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes AS i
            WHERE i.tablename = ANY(%s) AND NOT EXISTS (
                SELECT 1 FROM pg_constraint AS k WHERE k.conname = i.indexname)
            """,
            [list(TABLES)],
        )
        return list(cur.fetchall())


def insert_cases(
    *,
    directory: synthetic.Directory,
    count: int,
    batch_size: int = 250_000,
    now: dt.datetime,
    on_batch: Callable[[int, float], None] | None = None,
) -> None:
    """Insert ``count`` cases with their events and ratings (PostgreSQL only).

    The first ``synthetic.GUARANTEED_BUSY`` cases come from ``synthetic.insert_cases``
    (running cases of the busy village, so queues have rows, and a merge target); the rest
    in batches of ``batch_size`` cases, one transaction each. Secondary indexes are dropped
    for the load and built again at the end, which is several times faster than keeping
    them current row by row.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("synthetic_sql needs PostgreSQL; use synthetic.insert_cases")
    assert directory.operator.pk is not None
    head = min(count, synthetic.GUARANTEED_BUSY)
    synthetic.insert_cases(directory=directory, count=head, now=now)
    _prepare(directory)
    with connection.cursor() as cur:
        cur.execute("SELECT min(id), max(id) FROM cases_case")
        merge_target, last_id = cur.fetchone()
    indexes = _secondary_indexes()
    with connection.cursor() as cur:
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        cur.execute("SET synchronous_commit = off")
        # Foreign keys are deferred triggers that would re-check every row at commit; the
        # rows are consistent by construction, so a superuser skips them for the load.
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cur.fetchone()[0]:
            cur.execute("SET session_replication_role = replica")
    cases_sql = _CASES_SQL.format(
        code=_tracking_code("g"),
        slots=SLOTS,
        status=_status_case("r.r_status"),
        overdue=synthetic.OVERDUE_SHARE,
        due_soon=synthetic.DUE_SOON_SHARE,
    )
    done = head
    started = time.perf_counter()
    try:
        while done < count:
            size = min(batch_size, count - done)
            params = {
                "first": done,
                "last": done + size - 1,
                "now": now,
                "merge_target": merge_target,
                "operator": directory.operator.pk,
            }
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(cases_sql, params)
                cur.execute("SELECT max(id) FROM cases_case")
                new_last = cur.fetchone()[0]
                ids = {"first": last_id + 1, "last": new_last}
                cur.execute(_FEEDBACK_SQL, ids)
                cur.execute(_EVENTS_SQL, {**ids, "operator": directory.operator.pk})
            last_id = new_last
            done += size
            if on_batch is not None:
                on_batch(done, time.perf_counter() - started)
    finally:
        with connection.cursor() as cur:
            for _name, definition in indexes:
                cur.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            cur.execute("DROP TABLE IF EXISTS bench_village, bench_category, bench_slot")
            cur.execute("SET session_replication_role = DEFAULT")
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), max(id)) FROM cases_case"
            )
