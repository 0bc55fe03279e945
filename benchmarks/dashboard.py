"""Dashboard latency at scale: N synthetic cases, rollups rebuilt, then the supervisor
dashboard timed for a county and for the whole region, and the monthly report built and
rendered (PDF and .xlsx) for both.

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
from django.utils import timezone  # noqa: E402

from benchmarks import synthetic, synthetic_sql  # noqa: E402
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
    parser.add_argument(
        "--generate-only", action="store_true", help="stop after generating the cases"
    )
    parser.add_argument(
        "--rebuild-only",
        action="store_true",
        help="skip generation: rebuild the rollups of the cases already there, then measure",
    )
    parser.add_argument(
        "--without-hotspots",
        action="store_true",
        help="leave the hot-spots section out of the timed pages; the search behind it is "
        "still timed on its own",
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    say("engine", connection.vendor)
    say("cpus", os.cpu_count())
    existing = Case.objects.count()
    if not (args.measure_only or args.rebuild_only):
        if existing:
            note("the database already holds cases; use a scratch database or --measure-only")
            return 2
        directory = synthetic.build_directory()
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            synthetic_sql.insert_cases(
                directory=directory,
                count=args.cases,
                now=timezone.now(),
                on_batch=lambda n, s: note(f"{n} cases, {s:.0f} s"),
            )
        else:
            synthetic.insert_cases(
                directory=directory,
                count=args.cases,
                on_batch=lambda n: note(f"{n} cases") if n % 100_000 == 0 else None,
            )
        say("generate_seconds", round(time.perf_counter() - started, 1), "s")
        synthetic.analyze()
        if args.generate_only:
            say("cases", Case.objects.count())
            return 0
    if not args.measure_only:
        directory = synthetic.build_directory()
        started = time.perf_counter()
        rebuild()
        say("rollup_rebuild_seconds", round(time.perf_counter() - started, 1), "s")
        synthetic.analyze()
    else:
        directory = synthetic.build_directory()
    say("cases", Case.objects.count())
    say("load_average_1m", round(os.getloadavg()[0], 2))
    region, _ = User.objects.get_or_create(
        username="bench-region", defaults={"role": Role.ADMINISTRATOR}
    )
    client = Client()
    snapshots = None
    try:
        from minsheng.insight import hotspot_snapshots as snapshots
    except ImportError:
        note("no hot-spot snapshots in this version")
    if args.without_hotspots and snapshots is not None:
        section_for = snapshots.section_for
        snapshots.section_for = lambda *args, **kwargs: None
        note("pages timed without the hot-spots section")
    elif snapshots is not None:
        # The first warm-up of each page searches and stores the snapshot; the timed
        # views read it, as every view within a few minutes of the last search does.
        note("pages timed with the hot-spots section read from its snapshot")
    for name, user in (("county", directory.supervisor), ("region", region)):
        client.force_login(user)
        for period in ("this_month", "last_90"):
            ms = timed_pages(client, f"/staff/dashboard/?period={period}", args.samples)
            say(f"dashboard_{name}_{period}_p50_ms", round(p(ms, 50), 1), "ms")
            say(f"dashboard_{name}_{period}_p95_ms", round(p(ms, 95), 1), "ms")
    if args.without_hotspots and snapshots is not None:
        snapshots.section_for = section_for
    try:
        import minsheng.insight.report  # noqa: F401
        import minsheng.insight.report_pdf  # noqa: F401
        import minsheng.insight.report_xlsx  # noqa: F401
    except ImportError:
        note("no monthly report in this version: report timings not measured")
    else:
        for name, area in (("county", directory.county), ("region", None)):
            timed_report(name, area)
    # The search behind the hot-spots section reads the open cases, not the rollups: timed
    # once per scope, last (it is slow at scale). The worker runs it when a dashboard finds
    # its snapshot older than a few minutes; a page runs it only when there is none.
    if snapshots is not None:
        from minsheng.insight.hotspots import view_path

        for name, user, area in (
            ("county", directory.supervisor, directory.county),
            ("region", region, None),
        ):
            started = time.perf_counter()
            snapshots.compute_snapshot(
                view_path=view_path(user),
                area_path=area.path if area is not None else "",
                window_days=snapshots.hs.DEFAULT_WINDOW,
                min_count=snapshots.hs.DEFAULT_MIN_COUNT,
            )
            say(
                f"hotspots_search_{name}_ms",
                round((time.perf_counter() - started) * 1000, 1),
                "ms",
            )
    say("load_average_1m", round(os.getloadavg()[0], 2))
    return 0


def timed_report(name: str, area: object) -> None:
    """The last complete month's report for the area (None: the region), built and
    rendered as PDF and .xlsx in Chinese, as `minsheng report` does."""
    from django.utils import translation

    from minsheng.insight.report import build_report, last_complete_month
    from minsheng.insight.report_pdf import render_pdf
    from minsheng.insight.report_xlsx import render_xlsx

    with translation.override("zh-hans"):
        started = time.perf_counter()
        report = build_report(area, last_complete_month())
        built = time.perf_counter()
        pdf = render_pdf(report)
        rendered = time.perf_counter()
        xlsx = render_xlsx(report)
        done = time.perf_counter()
    if not pdf.startswith(b"%PDF") or not xlsx.startswith(b"PK"):
        raise SystemExit(f"report {name}: not a PDF and an .xlsx")
    say(f"report_{name}_build_seconds", round(built - started, 2), "s")
    say(f"report_{name}_pdf_seconds", round(rendered - built, 2), "s")
    say(f"report_{name}_xlsx_seconds", round(done - rendered, 2), "s")
    say(f"report_{name}_seconds", round(done - started, 2), "s")


if __name__ == "__main__":
    sys.exit(main())
