"""The scale benchmark runs end to end at a tiny size: generate, serve, load, time pages.

It runs the script exactly as a person would (a subprocess against a real server), on a
scratch database of the engine under test: a SQLite file in a temporary directory, or a
scratch PostgreSQL database created next to DATABASE_URL's and dropped afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dj_database_url
import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "cases_at_scale.py"
LINE = re.compile(r"^(?P<name>[a-z0-9_]+): (?P<value>\S+)(?: (?P<unit>\S+))?$")


@pytest.fixture
def scratch_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for a fresh, migrated database of the same engine as the test run."""
    env = {**os.environ, "MINSHENG_DATA_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url = os.environ.get("DATABASE_URL", "")
    dropper = None
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        config = dj_database_url.parse(url)
        name = f"bench_smoke_{secrets.token_hex(4)}"
        params = {
            "host": config["HOST"] or None,
            "port": config["PORT"] or None,
            "user": config["USER"] or None,
            "password": config["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        for attempt in range(5):
            try:
                with psycopg.connect(**params) as conn:
                    conn.execute(f'CREATE DATABASE "{name}"')
                break
            except psycopg.errors.ObjectInUse:
                # Another session is copying template1 at this moment; wait our turn.
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))

        def dropper() -> None:
            with psycopg.connect(**params) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        env["DATABASE_URL"] = url.rsplit("/", 1)[0] + f"/{name}"
    else:
        env.pop("DATABASE_URL", None)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=REPO, env=env, check=True
        )
        yield env
    finally:
        if dropper is not None:
            dropper()


def run_benchmark(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    small_county = ["--townships", "2", "--villages-per-township", "5"]
    return subprocess.run(
        [sys.executable, str(SCRIPT), *small_county, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def figures(stdout: str) -> dict[str, tuple[str, str | None]]:
    parsed = {}
    for line in stdout.splitlines():
        match = LINE.match(line)
        assert match, f"not a `name: value unit` line: {line!r}"
        parsed[match["name"]] = (match["value"], match["unit"])
    return parsed


def test_benchmark_generates_cases_and_measures_intake_and_pages(scratch_env):
    result = run_benchmark(
        scratch_env,
        "--cases", "300", "--requests", "24", "--concurrency", "4", "--page-samples", "3",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    got = figures(result.stdout)
    assert got["generate_cases"] == ("300", "cases")
    assert float(got["generate_cases_per_s"][0]) > 0
    assert got["intake_requests"] == ("24", "requests")
    assert got["intake_errors"] == ("0", "errors")
    assert got["cases"] == ("300", "cases")
    assert got["intake_cases_recorded"] == ("24", "cases")
    for name in ("intake_p50_ms", "intake_p99_ms", "queue_page_p50_ms", "queue_page_p95_ms",
                 "overdue_page_p50_ms", "overdue_page_p95_ms"):  # fmt: skip
        assert got[name][1] == "ms" and float(got[name][0]) > 0, name
    assert int(got["queue_page_cases_shown"][0]) > 0
    assert int(got["overdue_page_cases_shown"][0]) > 0


def test_benchmark_refuses_a_database_that_already_holds_cases(scratch_env):
    first = run_benchmark(scratch_env, "--cases", "30", "--generate-only")
    assert "generate_cases: 30 cases" in first.stdout, first.stderr

    second = run_benchmark(scratch_env, "--cases", "30", "--generate-only")

    assert second.returncode == 2
    assert "already holds 30 cases" in second.stderr
    assert "generate_cases" not in second.stdout


def test_dashboard_benchmark_prints_every_figure_at_a_tiny_size(scratch_env):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "dashboard.py"), "--cases", "400",
         "--samples", "2"],
        cwd=REPO, env=scratch_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    got = figures(result.stdout)
    assert got["cases"][0] == "400"
    for scope in ("county", "region"):
        for period in ("this_month", "last_90"):
            for pct in ("p50", "p95"):
                name = f"dashboard_{scope}_{period}_{pct}_ms"
                assert got[name][1] == "ms" and float(got[name][0]) > 0, name
        assert float(got[f"report_{scope}_seconds"][0]) > 0
        assert float(got[f"hotspots_search_{scope}_ms"][0]) > 0
