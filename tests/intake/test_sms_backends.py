"""Outbound SMS backends: the file outbox and a generic HTTP gateway, over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from minsheng.cases.deadlines import sweep_deadlines
from minsheng.cases.models import Case
from minsheng.intake.models import AreaSmsCode, OutboundMessage
from minsheng.intake.sms_backends import (
    FileBackend,
    HttpGatewayBackend,
    SmsError,
    get_backend,
    mask_number,
)

PHONE = "+8613912345678"


class Gateway:
    """A local SMS gateway: records what it receives and answers as told."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.body = b'{"ok": true}'
        self.delay = 0.0

    def handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                time.sleep(gateway.delay)
                try:
                    self.send_response(gateway.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(gateway.body)))
                    self.end_headers()
                    self.wfile.write(gateway.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: what the timeout test wants

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

        return Handler


@pytest.fixture
def gateway() -> Iterator[tuple[Gateway, str]]:
    state = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_gateway_receives_number_and_text_as_json_with_the_bearer_token(gateway):
    state, url = gateway
    HttpGatewayBackend(url=url, token="tok-123", timeout=5).send(PHONE, "您的问题已派单 MS2345ABCD")
    [request] = state.requests
    assert request["path"] == "/sms/send"
    assert request["json"] == {"to": PHONE, "text": "您的问题已派单 MS2345ABCD"}
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Content-Type"].startswith("application/json")


def test_gateway_without_token_gets_no_authorization_header(gateway):
    state, url = gateway
    HttpGatewayBackend(url=url, token="", timeout=5).send(PHONE, "hello")
    assert "Authorization" not in state.requests[0]["headers"]


def test_gateway_error_answer_raises_without_the_number(gateway):
    state, url = gateway
    state.status = 502
    state.body = json.dumps({"error": f"cannot deliver to {PHONE}"}).encode()
    with pytest.raises(SmsError) as caught:
        HttpGatewayBackend(url=url, timeout=5).send(PHONE, "hello")
    message = str(caught.value)
    assert "HTTP 502" in message
    assert "cannot deliver" in message
    assert "13912345678" not in message


def test_slow_gateway_times_out_with_a_clear_error(gateway):
    state, url = gateway
    state.delay = 1.5
    started = time.monotonic()
    with pytest.raises(SmsError, match="did not answer within 0.3 s|timed out"):
        HttpGatewayBackend(url=url, timeout=0.3).send(PHONE, "hello")
    assert time.monotonic() - started < 1.4


def test_unreachable_gateway_raises(gateway):
    _state, url = gateway
    closed = url.rsplit(":", 1)[0] + ":9/send"
    with pytest.raises(SmsError, match="gateway"):
        HttpGatewayBackend(url=closed, timeout=2).send(PHONE, "hello")


def test_http_backend_needs_a_gateway_address(settings):
    settings.MINSHENG_SMS_BACKEND = "http"
    settings.MINSHENG_SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured, match="MINSHENG_SMS_GATEWAY_URL"):
        get_backend()


def test_unknown_backend_name_is_a_configuration_error(settings):
    settings.MINSHENG_SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ImproperlyConfigured, match="file, http"):
        get_backend()


def test_file_backend_appends_lines_with_the_number_masked(tmp_path):
    backend = FileBackend(path=tmp_path / "outbox.log")
    backend.send(PHONE, "第一条\n短信")
    backend.send("13800001111", "second")
    lines = (tmp_path / "outbox.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert lines[0].split("\t")[1:] == ["*********5678", "第一条 短信"]
    assert lines[1].split("\t")[1:] == ["*******1111", "second"]


def test_file_backend_that_cannot_write_raises(tmp_path):
    with pytest.raises(SmsError, match="cannot write"):
        FileBackend(path=tmp_path / "missing-dir" / "outbox.log").send(PHONE, "hello")


def test_mask_number_keeps_only_the_last_four_digits():
    assert mask_number("+86 139-1234-5678") == "*********5678"
    assert mask_number("123") == "***"


def test_webhook_reply_goes_out_through_the_http_gateway(county, gateway, settings):
    state, url = gateway
    settings.MINSHENG_SMS_INBOUND_TOKEN = "tok"
    settings.MINSHENG_SMS_BACKEND = "http"
    settings.MINSHENG_SMS_GATEWAY_URL = url
    code = AreaSmsCode.for_area(county.village).code
    response = Client(headers={"X-Minsheng-Sms-Token": "tok"}).post(
        "/sms/inbound", {"from": PHONE, "to": "10690001", "text": f"{code} Broken lamp"}
    )
    case = Case.objects.get()
    [request] = state.requests
    assert request["json"]["to"] == PHONE
    assert request["json"]["text"] == response.json()["reply"]
    assert case.tracking_code in request["json"]["text"]
    assert OutboundMessage.objects.get().status == "sent"


def test_file_backend_creates_the_outbox_readable_by_its_owner_only(tmp_path):
    FileBackend(path=tmp_path / "outbox.log").send(PHONE, "MS22222222")
    assert stat.S_IMODE((tmp_path / "outbox.log").stat().st_mode) == 0o600


def test_outbox_lines_older_than_thirty_days_are_pruned_by_the_sweep(county, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    path = tmp_path / "sms-outbox.log"
    now = timezone.localtime()
    old = (now - dt.timedelta(days=31)).isoformat(timespec="seconds")
    recent = (now - dt.timedelta(days=29)).isoformat(timespec="seconds")
    path.write_text(f"{old}\t*******5678\told MS22222222\n{recent}\t*******5678\trecent\n")
    path.chmod(0o644)
    FileBackend().send(PHONE, "today")
    result = sweep_deadlines()
    assert result.outbox_lines_pruned == 1
    lines = path.read_text().splitlines()
    assert [line.split("\t")[2] for line in lines] == ["recent", "today"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
