"""Possible duplicates with thousands of open cases: the database query plus the scoring.

    MINSHENG_DATA_DIR=/tmp/ms-dup-scale .venv/bin/python benchmarks/duplicates/at_scale.py \\
        [--open 3000] [--closed 20000] [--townships 10] [--queries 50]

Creates, in the configured database (it refuses one that already holds cases), a county
with ``--townships`` townships of 20 villages each, ``--open`` open cases in ONE township
(the worst case: every one of them is a candidate) raised over the last 30 days, and
``--closed`` closed cases spread over the county and the past year. Texts are real
messages from `../shared/data/citizen_messages_dev.csv` when it is there (read in place,
never copied), else generated. Then times `find_duplicates` and `similar_past_cases` (what
the case page calls) for ``--queries`` new cases in that township.

Prints `name: value unit` lines.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
DEFAULT_DATA = REPO.parent / "shared" / "data" / "citizen_messages_dev.csv"


def texts(path: Path, rng: random.Random) -> list[tuple[str, str]]:
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = [(r["title"][:120], r["body"]) for r in csv.DictReader(handle) if r["body"]]
        rng.shuffle(rows)
        return rows
    words = "停水 水管 爆裂 路灯 坑洼 校车 垃圾 噪音 供暖 电压 医保 低保 物业 漏水 围墙".split()
    return [
        ("".join(rng.sample(words, 3)), "，".join(rng.sample(words, 8)) + "。") for _ in range(5000)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--open", type=int, default=3000)
    parser.add_argument("--closed", type=int, default=20000)
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    os.environ.setdefault("MINSHENG_DATA_DIR", tempfile.mkdtemp(prefix="ms-dup-scale-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from minsheng.accounts.models import Role, User
    from minsheng.cases.models import Case, Channel, Status
    from minsheng.directory.models import Area, AreaKind, Category
    from minsheng.triage import duplicates, similar

    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        print("refused: the database already holds cases; use a scratch database", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    pool = texts(args.data, rng)
    categories = list(Category.objects.all())
    county = Area.objects.create(name="规模县", code="SCALE", kind=AreaKind.COUNTY)
    villages: list[list[Area]] = []
    for t in range(args.townships):
        township = Area.objects.create(
            name=f"镇{t}", code=f"SCALE-T{t}", kind=AreaKind.TOWNSHIP, parent=county
        )
        villages.append(
            [
                Area.objects.create(
                    name=f"村{t}-{v}",
                    code=f"SCALE-T{t}-V{v}",
                    kind=AreaKind.VILLAGE,
                    parent=township,
                )
                for v in range(20)
            ]
        )
    operator = User.objects.create(username="scale-operator", role=Role.OPERATOR, scope_area=county)
    now = timezone.now()
    open_statuses = [Status.SUBMITTED, Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS]

    def case(i: int, area: Area, status: str, age_days: float) -> Case:
        title, body = pool[i % len(pool)]
        raised = now - dt.timedelta(days=age_days)
        return Case(
            tracking_code=f"MSS{i:07d}",
            title=title or body[:30],
            description=body,
            category=rng.choice(categories),
            area=area,
            area_path=area.path,
            channel=Channel.WEB,
            status=status,
            created_at=raised,
            updated_at=raised,
            resolved_at=raised + dt.timedelta(days=3) if status == Status.CLOSED else None,
            closed_at=raised + dt.timedelta(days=4) if status == Status.CLOSED else None,
        )

    started = time.perf_counter()
    batch = [
        case(i, rng.choice(villages[0]), rng.choice(open_statuses), rng.uniform(0, 30))
        for i in range(args.open)
    ]
    batch += [
        case(args.open + i, rng.choice(rng.choice(villages)), Status.CLOSED, rng.uniform(5, 365))
        for i in range(args.closed)
    ]
    Case.objects.bulk_create(batch, batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")
    print(f"engine: {connection.vendor}")
    print(f"open_cases_in_township: {args.open}")
    print(f"closed_cases_in_county: {args.closed}")
    print(f"generate_seconds: {time.perf_counter() - started:.1f} s")

    dup_ms, past_ms, dup_cpu, past_cpu, warm_ms, found = [], [], [], [], [], []
    for q in range(args.queries):
        title, body = pool[(args.open + args.closed + q) % len(pool)]
        query = case(10_000_000 + q, rng.choice(villages[0]), Status.SUBMITTED, 0)
        query.title, query.description = title or body[:30], body
        query.save()
        duplicates.similarity.prepare.cache_clear()
        t0, c0 = time.perf_counter(), time.process_time()
        matches = duplicates.find_duplicates(query, user=operator)
        t1, c1 = time.perf_counter(), time.process_time()
        similar.similar_past_cases(query, user=operator)
        t2, c2 = time.perf_counter(), time.process_time()
        # Again, with the candidates' normalised texts cached (a page viewed a second time,
        # or the next case of the same township in a long-running process).
        duplicates.find_duplicates(query, user=operator)
        t3 = time.perf_counter()
        if q:  # the first query warms the connection and the imports
            dup_ms.append((t1 - t0) * 1000)
            past_ms.append((t2 - t1) * 1000)
            # CPU time of this process (the database's own work on PostgreSQL excluded):
            # on a shared, loaded machine it says more than the wall clock.
            dup_cpu.append((c1 - c0) * 1000)
            past_cpu.append((c2 - c1) * 1000)
            warm_ms.append((t3 - t2) * 1000)
        found.append(len(matches))
    for name, values in (
        ("find_duplicates", dup_ms),
        ("similar_past_cases", past_ms),
        ("find_duplicates_cpu", dup_cpu),
        ("similar_past_cases_cpu", past_cpu),
        ("find_duplicates_warm", warm_ms),
    ):
        print(f"{name}_p50_ms: {statistics.median(values):.1f} ms")
        print(f"{name}_p99_ms: {sorted(values)[int(0.99 * (len(values) - 1))]:.1f} ms")
    print(f"duplicates_suggested_mean: {statistics.mean(found):.2f}")
    print(f"load_average_1m: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
