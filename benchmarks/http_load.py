"""The real server in a subprocess, a concurrent load generator, and page timing.

Standard library only (threads + http.client), and only ever against 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least pct % of values at or below."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats
    return ordered[int(rank) - 1]


def server_command(port: int, threads: int) -> list[str]:
    """``minsheng run`` without its worker if the CLI exists, else waitress directly.

    Either way no deadline sweep runs during the measurement: it would start escalating
    the synthetic overdue cases and compete for the CPU.
    """
    if (REPO / "minsheng" / "cli.py").exists():
        return [
            sys.executable, "-m", "minsheng.cli", "run", "--no-worker",
            "--host", HOST, "--port", str(port), "--threads", str(threads),
        ]  # fmt: skip
    return [
        sys.executable, "-m", "waitress", f"--threads={threads}", f"--listen={HOST}:{port}",
        "minsheng.wsgi:application",
    ]  # fmt: skip


class Server:
    """The application server as a child process; stopped (by its own pid) on exit."""

    def __init__(self, *, port: int, threads: int = 8, log_path: Path | None = None) -> None:
        self.port = port
        self.command = server_command(port, threads)
        # Without a log file the output still goes somewhere, to explain a failed start.
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"minsheng-bench-{port}.log"
        self.keep_log = log_path is not None
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
        env.setdefault("MINSHENG_LOG_LEVEL", "WARNING")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_until_up(timeout=60)
        except RuntimeError:
            self.__exit__()
            raise
        return self

    def _wait_until_up(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(
                    f"server exited with code {self.process.returncode}: "
                    f"{' '.join(self.command)}\n{tail}"
                )
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/accounts/login/")
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer on port {self.port} within {timeout:.0f} s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.keep_log:
            self.log_path.unlink(missing_ok=True)


# --- intake ------------------------------------------------------------------------------


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tracking_codes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return len(self.latencies_ms)


def post_cases(
    *,
    port: int,
    bodies: list[dict],
    concurrency: int,
    max_seconds: float,
    path: str = "/api/public/cases",
) -> LoadResult:
    """POST each body as JSON from ``concurrency`` threads, each on its own keep-alive
    connection; a request counts only if it returns 201 with a tracking code."""
    result = LoadResult()
    lock = threading.Lock()
    queue = iter(bodies)
    stop_at = time.monotonic() + max_seconds

    def worker() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                body = next(queue, None)
            if body is None:
                break
            payload = json.dumps(body).encode()
            started = time.perf_counter()
            try:
                conn.request(
                    "POST", path, body=payload,
                    headers={"Content-Type": "application/json", "Accept": "application/json"},
                )  # fmt: skip
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                with lock:
                    result.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = (time.perf_counter() - started) * 1000
            code = None
            if response.status == 201:
                try:
                    code = json.loads(data).get("tracking_code")
                except (ValueError, AttributeError):
                    code = None
            with lock:
                if code:
                    result.latencies_ms.append(elapsed)
                    result.tracking_codes.append(code)
                else:
                    result.errors.append(f"HTTP {response.status}: {data[:200]!r}")
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


# --- staff pages -------------------------------------------------------------------------


class Browser:
    """One keep-alive connection with a cookie jar; enough to log in and fetch pages."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(
        self, method: str, path: str, *, form: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        headers = {"Accept-Language": "en", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        if response.will_close:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        return response.status, dict(response.headers.items()), text

    def log_in(self, *, username: str, password: str, path: str = "/accounts/login/") -> bool:
        """Log in through the real login form (CSRF token included); True on success."""
        status, _headers, page = self.request("GET", path)
        if status != 200:
            return False
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            return False
        status, headers, _page = self.request(
            "POST", path,
            form={"csrfmiddlewaretoken": match.group(1), "username": username,
                  "password": password},
        )  # fmt: skip
        return status in (302, 303) and "sessionid" in self.cookies

    def close(self) -> None:
        self.conn.close()


@dataclass
class PageTiming:
    latencies_ms: list[float]
    statuses: dict[int, int]
    first_page: str


def time_page(browser: Browser, path: str, *, samples: int, warmup: int = 2) -> PageTiming:
    """GET ``path`` ``warmup`` times untimed, then ``samples`` times timed, one at a time."""
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    first_page = ""
    for i in range(warmup + samples):
        started = time.perf_counter()
        status, _headers, page = browser.request("GET", path)
        elapsed = (time.perf_counter() - started) * 1000
        if i == 0:
            first_page = page
        if i >= warmup:
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(elapsed)
    return PageTiming(latencies_ms=latencies, statuses=statuses, first_page=first_page)
