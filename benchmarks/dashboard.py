"""Dashboard latency at scale: N synthetic cases, rollups rebuilt, then the supervisor
dashboard timed for a county and for the whole region.

Prints `name: value unit` lines (diagnostics to stderr, prefixed `#`). Writes into the
configured database: use a scratch one (see README.md). The cases come from
benchmarks/synthetic.py (bulk-inserted, bypassing the actions, as cases_at_scale.py does),
so the rollups are built by `rebuild`, the same code `minsheng rollups rebuild` runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from minsheng.accounts.models import Role, User  # noqa: E402
from minsheng.cases.models import Case  # noqa: E402
from minsheng.insight.rollups import rebuild  # noqa: E402


def say(name: str, value: object, unit: str = "") -> None:
    print(f"{name}: {value} {unit}".rstrip(), flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


def timed_pages(client: Client, url: str, samples: int) -> list[float]:
    for _ in range(2):
        assert client.get(url).status_code == 200
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(url)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or b'data-indicator="raised"' not in response.content:
            raise SystemExit(f"{url}: status {response.status_code}")
    return out


def p(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(pct / 100 * len(ordered)) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    say("engine", connection.vendor)
    say("cpus", os.cpu_count())
    existing = Case.objects.count()
    if not args.measure_only:
        if existing:
            note("the database already holds cases; use a scratch database or --measure-only")
            return 2
        directory = synthetic.build_directory()
        started = time.perf_counter()
        synthetic.insert_cases(
            directory=directory,
            count=args.cases,
            on_batch=lambda n: note(f"{n} cases") if n % 100_000 == 0 else None,
        )
        say("generate_seconds", round(time.perf_counter() - started, 1), "s")
        synthetic.analyze()
        started = time.perf_counter()
        rebuild()
        say("rollup_rebuild_seconds", round(time.perf_counter() - started, 1), "s")
        synthetic.analyze()
    else:
        directory = synthetic.build_directory()
    say("cases", Case.objects.count())
    region, _ = User.objects.get_or_create(
        username="bench-region", defaults={"role": Role.ADMINISTRATOR}
    )
    client = Client()
    for name, user in (("county", directory.supervisor), ("region", region)):
        client.force_login(user)
        for period in ("this_month", "last_90"):
            ms = timed_pages(client, f"/staff/dashboard/?period={period}", args.samples)
            say(f"dashboard_{name}_{period}_p50_ms", round(p(ms, 50), 1), "ms")
            say(f"dashboard_{name}_{period}_p95_ms", round(p(ms, 95), 1), "ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
