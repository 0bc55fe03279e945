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
    for command in ("run", "worker", "sweep", "demo", "createsuperuser"):
        assert re.search(rf"\b{command}\b", out), command


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
