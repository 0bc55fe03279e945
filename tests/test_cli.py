"""The `minsheng` command, used as an operator would: sweep now, run the whole system."""

import datetime as dt
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from minsheng.cases import actions
from minsheng.cases.models import Case, Status
from minsheng.cli import main

REPO = Path(__file__).resolve().parent.parent


def test_help_lists_the_commands_of_minsheng(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "worker", "sweep", "demo", "createsuperuser", "directory", "calendar"):
        assert re.search(rf"\b{command}\b", out), command
    assert re.search(r"triage\s+train, list and roll back", out)


def _dispatched_case(county) -> Case:  # type: ignore[no-untyped-def]
    case = actions.submit_case(
        actor=actions.RESIDENT,
        title="村口水管破裂",
        description="柳树村村口的水管破了，已经停水两天。",
        category=county.roads,
        area=county.village,
    )
    return actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)


# Management commands close the database connections when they finish, so these tests
# commit for real (committed_county) instead of running inside one transaction.
def test_sweep_escalates_an_overdue_case_and_says_so(committed_county, capsys):
    case = _dispatched_case(committed_county)
    Case.objects.filter(pk=case.pk).update(deadline=timezone.now() - dt.timedelta(minutes=5))

    assert main(["sweep"]) == 0

    assert "escalated=1" in capsys.readouterr().out
    case.refresh_from_db()
    assert case.status == Status.ESCALATED
    assert case.current_unit == committed_county.township_unit


def test_sweep_leaves_a_case_within_its_deadline_alone(committed_county, capsys):
    case = _dispatched_case(committed_county)
    assert main(["sweep"]) == 0
    assert "escalated=0" in capsys.readouterr().out
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def _lines(stream, sink: queue.Queue) -> None:  # type: ignore[no-untyped-def]
    for line in iter(stream.readline, ""):
        sink.put(line)
    sink.put(None)


def _wait_for_url(lines: queue.Queue, seen: list[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        match = re.search(r"running at (http://\S+)", line)
        if match:
            return match.group(1)
    pytest.fail("minsheng run did not start:\n" + "".join(seen))


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local test URL)
        return response.status


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="embedded SQLite setup only")
def test_run_creates_the_database_serves_pages_and_stops_cleanly(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "minsheng.cli", "run", "--port", "0"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        url = _wait_for_url(lines, seen, timeout=60)
        assert _get(url) == 200
        assert _get(url + "static/minsheng/style.css") == 200

        # The fresh database was migrated, including the seeded service categories.
        with sqlite3.connect(tmp_path / "minsheng.sqlite3") as db:
            (categories,) = db.execute("SELECT count(*) FROM directory_category").fetchone()
            (cases,) = db.execute("SELECT count(*) FROM cases_case").fetchone()
        assert categories > 0 and cases == 0

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=40) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    while (line := lines.get(timeout=5)) is not None:
        seen.append(line)
    output = "".join(seen)
    assert "minsheng: stopped." in output
    # The worker it started went with it.
    worker_pid = int(re.search(r"worker started \(pid (\d+)\)", output).group(1))
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="embedded SQLite setup only")
def test_run_says_its_own_address_is_what_links_carry_until_the_public_one_is_set(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINSHENG_PUBLIC_URL")}
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "minsheng.cli", "run", "--no-worker", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _wait_for_url(lines, seen, timeout=60)
        while not any("public address" in line for line in seen):
            seen.append(lines.get(timeout=10))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=40)
    assert f"public address: http://127.0.0.1:{port} (MINSHENG_PUBLIC_URL is not set" in "".join(
        seen
    )


def test_links_point_to_where_run_listens_until_the_public_address_is_set():
    from minsheng.cli import served_at

    assert served_at("0.0.0.0", 8124) == "http://127.0.0.1:8124"
    assert served_at("192.168.1.5", 80) == "http://192.168.1.5:80"
    assert served_at("127.0.0.1", 0) is None
    read = "from django.conf import settings; print(settings.MINSHENG_PUBLIC_URL)"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="minsheng.settings")
    env.pop("MINSHENG_PUBLIC_URL", None)
    env["MINSHENG_SERVED_AT"] = "http://127.0.0.1:8124"
    out = subprocess.run(
        [sys.executable, "-c", read], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "http://127.0.0.1:8124"
    env["MINSHENG_PUBLIC_URL"] = "https://12345.example.cn/"
    out = subprocess.run(
        [sys.executable, "-c", read], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "https://12345.example.cn"


def test_forms_posted_through_the_public_https_address_are_trusted(tmp_path):
    # Behind an HTTPS proxy, with MINSHENG_PUBLIC_URL set as the README says, every staff
    # sign-in and every report was refused (403): its origin was not trusted.
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "c = Client(enforce_csrf_checks=True)\n"
        "page = c.get('/accounts/login/', HTTP_HOST='12345.example.cn')\n"
        "token = page.cookies['csrftoken'].value\n"
        "r = c.post('/accounts/login/', {'username': 'x', 'password': 'y',\n"
        "    'csrfmiddlewaretoken': token}, HTTP_HOST='12345.example.cn',\n"
        "    HTTP_ORIGIN='https://12345.example.cn')\n"
        "print(r.status_code)\n"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="minsheng.settings")
    env["MINSHENG_DATA_DIR"] = str(tmp_path)
    env["MINSHENG_PUBLIC_URL"] = "https://12345.example.cn"
    env.pop("MINSHENG_CSRF_TRUSTED_ORIGINS", None)
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "minsheng.cli", "migrate", "-v", "0"], cwd=REPO,
                   env=env, check=True, capture_output=True)  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip() == "200", out.stderr[-2000:]  # the login form, not a 403


# --- configuration mistakes: one line, the administrator's language, status 2 -----------


def _minsheng(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ, **env)
    return subprocess.run(
        [sys.executable, "-m", "minsheng.cli", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("MINSHENG_SWEEP_INTERVAL", "abc", "is not a whole number"),
        ("MINSHENG_SWEEP_INTERVAL", "0", "must be at least 1"),
        ("MINSHENG_TIME_ZONE", "Asia/Shanghia", "is not a time zone name"),
        ("MINSHENG_TRIAGE_TARGET_PRECISION", "99", "must lie between 0 and 1"),
        ("MINSHENG_SMS_BACKEND", "smtp", "must be one of: file, http"),
        ("MINSHENG_LOG_LEVEL", "verbose", "must be one of"),
        ("DATABASE_URL", "mysqlx://user:secret@db/minsheng", "is not a database address"),
    ],
)
def test_a_mistyped_variable_is_one_english_line_naming_it_with_an_example(variable, value, said):
    result = _minsheng("sweep", LANG="en_US.UTF-8", LANGUAGE="", **{variable: value})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"minsheng: {variable}=")
    assert said in lines[0] and "For example:" in lines[0]
    assert "secret" not in result.stderr  # a database password is never printed


def test_a_data_directory_that_is_a_file_is_one_line(tmp_path):
    not_a_directory = tmp_path / "minsheng-data"
    not_a_directory.write_text("")
    result = _minsheng("migrate", LANG="en_US.UTF-8", MINSHENG_DATA_DIR=str(not_a_directory))
    assert result.returncode == 2
    assert result.stderr.startswith("minsheng: MINSHENG_DATA_DIR=")
    assert "cannot be created or written: not a directory" in result.stderr


def test_configuration_mistakes_are_said_in_chinese_by_default():
    result = _minsheng("run", LANG="C.UTF-8", LANGUAGE="", MINSHENG_SWEEP_INTERVAL="abc")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "minsheng：MINSHENG_SWEEP_INTERVAL=abc 不是整数。例如：MINSHENG_SWEEP_INTERVAL=300"
    )


def test_every_command_checks_the_environment_first():
    for command in (["worker"], ["migrate"], ["createsuperuser"], ["demo", "--if-empty"]):
        result = _minsheng(*command, LANG="en_US.UTF-8", MINSHENG_TIME_ZONE="Mars/Olympus")
        assert result.returncode == 2, command
        assert "MINSHENG_TIME_ZONE" in result.stderr and "Traceback" not in result.stderr


def test_a_database_that_does_not_answer_is_one_line_naming_database_url():
    # Nothing listens on port 1.
    result = _minsheng(
        "migrate", LANG="en_US.UTF-8", DATABASE_URL="postgres://minsheng:pw@127.0.0.1:1/minsheng"
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("minsheng: DATABASE_URL=postgres://minsheng:***@127.0.0.1:1/")
    assert "cannot be reached" in lines[0]


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs the PostgreSQL server")
def test_a_missing_postgresql_database_is_one_line_naming_database_url():
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    result = _minsheng(
        "sweep", LANG="en_US.UTF-8", DATABASE_URL=f"{base}/minsheng_no_such_database"
    )
    assert result.returncode == 2
    assert "minsheng_no_such_database" in result.stderr and "Traceback" not in result.stderr


# --- web processes on PostgreSQL do not migrate --------------------------------------------


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="needs the PostgreSQL server")
def test_run_on_postgresql_refuses_an_out_of_date_database_instead_of_migrating():
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"minsheng_unmigrated_{os.getpid()}"
    admin = psycopg.connect(f"{base}/postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        result = _minsheng(
            "run", "--no-worker", "--port", "0", LANG="en_US.UTF-8", DATABASE_URL=f"{base}/{name}"
        )
        assert result.returncode == 1
        assert "The database is not up to date; run `minsheng migrate` first." in result.stderr
        with psycopg.connect(f"{base}/{name}") as db:
            tables = db.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()[0]
        assert tables == 0  # nothing was migrated
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
