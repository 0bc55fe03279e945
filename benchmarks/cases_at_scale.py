"""Cases at scale: generate N synthetic cases, then measure intake and staff pages.

    MINSHENG_DATA_DIR=/tmp/ms-bench .venv/bin/python benchmarks/cases_at_scale.py \\
        [--cases 1000000] [--requests 2000] [--concurrency 16] [--page-samples 50]

Uses the configured database (DATABASE_URL, or the SQLite file in MINSHENG_DATA_DIR),
which must be migrated. Point it at a scratch data directory or a scratch PostgreSQL
database: the script refuses a database that already holds cases unless --append is
given (add more synthetic cases) or --measure-only (time an earlier run's data again);
--generate-only stops after generating, so one big generation can be measured many times.

Every figure is printed as one line ``name: value unit``; diagnostics go to stderr.
Exit status is 1 if any intake request failed or a page did not show the expected cases.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import time
from importlib import import_module
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import QuerySet  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import http_load, synthetic  # noqa: E402
from minsheng.accounts.models import User  # noqa: E402
from minsheng.cases.models import RUNNING_STATUSES, TRACKING_ALPHABET, Case  # noqa: E402

CODE_RE = re.compile(rf"MS[{TRACKING_ALPHABET}]{{8}}")


def out(name: str, value: object, unit: str = "") -> None:
    if isinstance(value, float):
        value = f"{value:.1f}" if value >= 100 else f"{value:.2f}"
    print(f"{name}: {value} {unit}".rstrip(), flush=True)


def note(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to generate")
    parser.add_argument("--batch-size", type=int, default=5000, help="cases per INSERT batch")
    parser.add_argument("--townships", type=int, default=10, help="townships in the county")
    parser.add_argument(
        "--villages-per-township", type=int, default=50, help="villages in each township"
    )
    parser.add_argument("--requests", type=int, default=2000, help="intake POSTs to send")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent connections")
    parser.add_argument(
        "--max-seconds", type=float, default=300, help="stop the intake load after this long"
    )
    parser.add_argument("--page-samples", type=int, default=50, help="timed GETs per page")
    parser.add_argument("--server-threads", type=int, default=8, help="server worker threads")
    parser.add_argument("--server-log", type=Path, help="write the server's output here")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--append", action="store_true", help="allow adding cases to a non-empty database"
    )
    mode.add_argument(
        "--measure-only",
        action="store_true",
        help="generate nothing; measure an earlier run's benchmark county again",
    )
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="generate and ANALYZE, then stop (measure later with --measure-only)",
    )
    args = parser.parse_args(argv)
    if args.generate_only and args.measure_only:
        parser.error("--generate-only and --measure-only exclude each other")
    return args


def session_cookie_for(user: User) -> str:
    """A logged-in session written straight to the session store (used only when the
    login page is not available)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def logged_in_browser(port: int, user: User, password: str) -> http_load.Browser:
    browser = http_load.Browser(port)
    if browser.log_in(username=user.username, password=password):
        note(f"logged in as {user.username} through /accounts/login/")
    else:
        note(f"login form unavailable; using a session created in the database for {user}")
        browser.cookies = {settings.SESSION_COOKIE_NAME: session_cookie_for(user)}
        connection.close()
    return browser


def report_page(
    name: str, timing: http_load.PageTiming, expected: QuerySet[Case], label: str
) -> bool:
    """Print a page's latencies; True if every sample was 200 and it listed expected cases."""
    out(f"{name}_p50_ms", http_load.percentile(timing.latencies_ms, 50), "ms")
    out(f"{name}_p95_ms", http_load.percentile(timing.latencies_ms, 95), "ms")
    codes = set(CODE_RE.findall(timing.first_page))
    shown = expected.filter(tracking_code__in=codes).count() if codes else 0
    connection.close()
    out(f"{name}_cases_shown", shown, "cases")
    ok = timing.statuses == {200: len(timing.latencies_ms)} and shown > 0
    if not ok:
        note(f"{label}: statuses {timing.statuses}, {shown} expected cases on the page")
    return ok


def recorded_cases(tracking_codes: list[str]) -> int:
    """How many of the tracking codes the API handed out name a case in the database."""
    found = 0
    for start in range(0, len(tracking_codes), 500):
        chunk = tracking_codes[start : start + 500]
        found += Case.objects.filter(tracking_code__in=chunk).count()
    connection.close()
    return found


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out("engine", connection.vendor)
    out("cpus", os.cpu_count(), "cpus")
    existing = Case.objects.count()
    if existing and not (args.append or args.measure_only):
        note(
            f"refusing to run: the database already holds {existing} cases. Point "
            "DATABASE_URL or MINSHENG_DATA_DIR at a scratch database, or pass --append."
        )
        return 2
    if (
        args.measure_only
        and not Case.objects.filter(area__code__startswith=synthetic.CODE_PREFIX).exists()
    ):
        note("--measure-only needs the cases of an earlier run; there are none")
        return 2

    started = time.perf_counter()
    directory = synthetic.build_directory(
        townships=args.townships, villages_per_township=args.villages_per_township
    )
    out("directory_seconds", time.perf_counter() - started, "s")
    if not args.measure_only:
        progress_every = max(args.batch_size, args.cases // 20)

        def on_batch(done: int) -> None:
            if done % progress_every < args.batch_size or done == args.cases:
                rate = done / (time.perf_counter() - started)
                note(f"generated {done} of {args.cases} cases ({rate:.0f} cases/s)")

        started = time.perf_counter()
        synthetic.insert_cases(
            directory=directory,
            count=args.cases,
            start_index=existing,
            batch_size=args.batch_size,
            on_batch=on_batch,
        )
        elapsed = time.perf_counter() - started
        out("generate_cases", args.cases, "cases")
        out("generate_seconds", elapsed, "s")
        out("generate_cases_per_s", args.cases / elapsed, "cases/s")
        started = time.perf_counter()
        synthetic.analyze()
        out("analyze_seconds", time.perf_counter() - started, "s")

    now = timezone.now()
    total = Case.objects.count()
    queue_expected = Case.objects.filter(
        current_unit=directory.busy_unit, status__in=RUNNING_STATUSES
    )
    overdue_expected = Case.objects.filter(
        area_path__startswith=directory.county.path,
        status__in=RUNNING_STATUSES,
        deadline__lt=now,
    )
    out("cases", total, "cases")
    out("queue_active_cases", queue_expected.count(), "cases")
    out("overdue_cases", overdue_expected.count(), "cases")
    connection.close()
    if args.generate_only:
        return 0

    run = secrets.token_hex(4)
    village_ids = [v.pk for v in directory.villages]
    category_ids = [c.pk for c in directory.categories]
    bodies = []
    for i in range(args.requests):
        body = {
            "title": f"基准测试 {run}-{i} 路灯不亮",
            "description": f"基准测试请求 {run}-{i}：村口的路灯坏了三盏，晚上出行不方便。",
            "category": category_ids[i % len(category_ids)],
            "area": village_ids[(i * 7919) % len(village_ids)],
            "submission_key": f"bench-{run}-{i}",
        }
        if i % 2:
            body.update(contact_name="王", contact_phone=f"1390000{i % 10000:04d}")
        bodies.append(body)

    ok = True
    # Other work on the machine slows every figure below; say how busy it was.
    out("load_average_1m", round(os.getloadavg()[0], 2))
    port = http_load.free_port()
    with http_load.Server(port=port, threads=args.server_threads, log_path=args.server_log):
        note(f"server up on 127.0.0.1:{port}")
        load = http_load.post_cases(
            port=port, bodies=bodies, concurrency=args.concurrency, max_seconds=args.max_seconds
        )
        out("intake_requests", load.ok + len(load.errors), "requests")
        out("intake_concurrency", args.concurrency, "connections")
        out("intake_cases_per_s", load.ok / load.seconds if load.seconds else 0.0, "cases/s")
        out("intake_p50_ms", http_load.percentile(load.latencies_ms, 50), "ms")
        out("intake_p99_ms", http_load.percentile(load.latencies_ms, 99), "ms")
        out("intake_errors", len(load.errors), "errors")
        for message in sorted(set(load.errors))[:5]:
            note(f"intake error: {message}")
        recorded = recorded_cases(load.tracking_codes)
        out("intake_cases_recorded", recorded, "cases")
        if load.errors or load.ok < args.requests or recorded != load.ok:
            ok = False

        handler = logged_in_browser(
            port, directory.handler, directory.passwords[synthetic.HANDLER_USERNAME]
        )
        timing = http_load.time_page(
            handler, "/staff/queue/?bucket=active", samples=args.page_samples
        )
        handler.close()
        ok &= report_page("queue_page", timing, queue_expected, "handler queue")

        supervisor = logged_in_browser(
            port, directory.supervisor, directory.passwords[synthetic.SUPERVISOR_USERNAME]
        )
        timing = http_load.time_page(supervisor, "/staff/overdue/", samples=args.page_samples)
        supervisor.close()
        ok &= report_page("overdue_page", timing, overdue_expected, "supervisor overdue")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
