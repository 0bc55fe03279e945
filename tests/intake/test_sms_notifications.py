"""Residents who left a number get an SMS at dispatch, resolution and close, in their
language, through the configured backend; nobody else does, and a rolled-back action
sends nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from minsheng.cases import actions
from minsheng.cases.models import Status
from minsheng.contacts.actions import purge_expired_contacts
from minsheng.intake.models import OutboundMessage, SmsTemplate
from minsheng.intake.notify import deliver_notification, queue_notification, render_notification
from minsheng.intake.sms_defaults import DEFAULT_TEMPLATES

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def sms_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MINSHENG_SMS_BACKEND = "file"
    settings.DATA_DIR = tmp_path
    settings.MINSHENG_PUBLIC_URL = "https://minsheng.example.org"
    settings.MINSHENG_HOTLINE = "12345"


@pytest.fixture(autouse=True)
def sms_templates(db):  # type: ignore[no-untyped-def]
    """The seeded texts; a committing test elsewhere may have emptied the table."""
    for (kind, language), text in DEFAULT_TEMPLATES.items():
        SmsTemplate.objects.get_or_create(kind=kind, language=language, defaults={"text": text})


@pytest.fixture
def committed(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the after-commit side effects of the actions inside the block, as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def outbox_lines(settings) -> list[str]:  # type: ignore[no-untyped-def]
    path = Path(settings.DATA_DIR) / "sms-outbox.log"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def take_through_to_close(county, case) -> None:  # type: ignore[no-untyped-def]
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
    actions.rate_case(actor=actions.RESIDENT, case=case, rating=5, is_solved=True)


def test_dispatch_resolution_and_close_each_send_one_sms(county, submit, committed, settings):
    with committed():
        case = submit(contact_phone=PHONE, language="en")
        take_through_to_close(county, case)
    messages = list(OutboundMessage.objects.order_by("id"))
    assert [m.kind for m in messages] == ["dispatched", "resolved", "closed"]
    assert {m.status for m in messages} == {"sent"}
    assert {m.case_id for m in messages} == {case.pk}
    lines = outbox_lines(settings)
    assert len(lines) == 3
    assert all("*******5678" in line for line in lines)
    assert all(case.tracking_code in line for line in lines)
    assert "reported solved" in lines[1]
    assert f"https://minsheng.example.org/track/{case.tracking_code}/" in lines[1]


def test_sms_is_in_the_residents_language(county, submit, committed, settings):
    with committed():
        case = submit(contact_phone=PHONE, language="ug")
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    [line] = outbox_lines(settings)
    uyghur = SmsTemplate.objects.get(kind="dispatched", language="ug").text
    assert uyghur.replace("{code}", case.tracking_code).replace("{hotline}", "12345") in line
    assert OutboundMessage.objects.get().language == "ug"


def test_chinese_case_gets_the_chinese_text(county, submit, committed, settings):
    with committed():
        case = submit(contact_phone=PHONE)
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    [line] = outbox_lines(settings)
    assert "【民生】" in line
    assert case.tracking_code in line


def test_administrators_edited_text_is_what_residents_get(county, submit, committed, settings):
    template = SmsTemplate.objects.get(kind="dispatched", language="en")
    template.text = "Case {code} is with the village committee now. Hotline {hotline}."
    template.save()
    with committed():
        case = submit(contact_phone=PHONE, language="en")
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    [line] = outbox_lines(settings)
    assert f"Case {case.tracking_code} is with the village committee now. Hotline 12345." in line


def test_case_without_a_phone_sends_nothing(county, submit, committed, settings):
    with committed():
        case = submit(contact_name="王大爷")
        take_through_to_close(county, case)
    assert not OutboundMessage.objects.exists()
    assert outbox_lines(settings) == []


def test_rolled_back_action_sends_nothing(county, submit, committed, settings):
    case = submit(contact_phone=PHONE)
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        raise RuntimeError("something after the action failed")
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert not OutboundMessage.objects.exists()
    assert outbox_lines(settings) == []


def test_other_events_send_nothing(county, submit, committed):
    with committed():
        case = submit(contact_phone=PHONE)
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
        actions.accept_case(actor=county.handler, case=case)
        actions.add_note(actor=county.handler, case=case, note="已联系施工队")
    assert list(OutboundMessage.objects.values_list("kind", flat=True)) == ["dispatched"]


def test_gateway_failure_is_logged_and_the_action_still_stands(county, submit, committed, settings):
    settings.MINSHENG_SMS_BACKEND = "http"
    settings.MINSHENG_SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # the discard port: closed
    settings.MINSHENG_SMS_GATEWAY_TIMEOUT = 2
    with committed():
        case = submit(contact_phone=PHONE)
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED
    message = OutboundMessage.objects.get()
    assert (message.status, message.backend) == ("failed", "http")
    assert "gateway" in message.error
    assert PHONE not in message.error


def test_contact_purged_before_delivery_is_skipped(county, submit, settings):
    """With the real queue the task runs later; by then the number may be gone."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    case = submit(contact_phone=PHONE)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    event = case.events.get(kind="dispatched")
    message = queue_notification(event=event, kind="dispatched")
    assert message.status == "queued"
    actions.withdraw_case(actor=actions.RESIDENT, case=case)
    purge_expired_contacts(now=case.events.last().created_at + dt.timedelta(days=400))
    assert deliver_notification.call(message.pk) == "skipped"
    assert outbox_lines(settings) == []


def test_the_same_event_is_never_sent_twice(county, submit, committed):
    with committed():
        case = submit(contact_phone=PHONE)
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    event = case.events.get(kind="dispatched")
    queue_notification(event=event, kind="dispatched")
    assert OutboundMessage.objects.count() == 1


def test_template_with_an_unknown_placeholder_is_refused():
    template = SmsTemplate(kind="closed", language="en", text="Case {code} closed by {unit}.")
    with pytest.raises(ValidationError):
        template.full_clean(exclude=["kind", "language"])


def test_missing_template_row_falls_back_to_the_shipped_text(county, submit):
    SmsTemplate.objects.filter(kind="closed").delete()
    case = submit(language="en")
    assert render_notification(kind="closed", case=case).startswith(
        f"Minsheng: your request {case.tracking_code} is closed."
    )


def test_administrator_edits_a_template_in_the_admin(county):
    client = Client(headers={"accept-language": "en"})
    client.force_login(county.admin)
    template = SmsTemplate.objects.get(kind="resolved", language="zh-hans")
    url = f"/admin/intake/smstemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "已办结，编号{code}，请评价：{url}"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.text == "已办结，编号{code}，请评价：{url}"
    refused = client.post(url, {"text": "编号{code} {name}"})
    assert refused.status_code == 200
    template.refresh_from_db()
    assert template.text == "已办结，编号{code}，请评价：{url}"


@pytest.mark.parametrize(
    "page",
    [
        "/admin/intake/smstemplate/",
        "/admin/intake/outboundmessage/",
        "/admin/intake/inboundmessage/",
        "/admin/intake/areasmscode/",
    ],
)
def test_sms_admin_pages_open(county, page):
    client = Client()
    client.force_login(county.admin)
    assert client.get(page).status_code == 200


def test_a_worker_restart_resends_lost_tasks_and_never_doubles_an_interrupted_send(
    county, submit, settings
):
    from django.utils import timezone

    from minsheng.intake.notify import recover_interrupted_deliveries
    from minsheng.worker import recover_after_crash

    # The deliveries were written, but the worker died: one task never ran, one send was cut
    # off half-way (the gateway may or may not have it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    case = submit(contact_phone=PHONE)
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    actions.accept_case(actor=county.handler, case=case)
    actions.resolve_case(actor=county.handler, case=case, resolution="水管已更换")
    events = case.events.filter(kind__in=["dispatched", "resolved"]).order_by("id")
    old = timezone.now() - dt.timedelta(minutes=30)
    lost = OutboundMessage.objects.create(
        case=case, event=events[0], kind="dispatched", backend="file", created_at=old
    )
    cut = OutboundMessage.objects.create(
        case=case,
        event=events[1],
        kind="resolved",
        backend="file",
        created_at=old,
        status="sending",
    )
    fresh = OutboundMessage.objects.create(case=case, kind="closed", backend="file")

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    recover_after_crash()

    lost.refresh_from_db()
    cut.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == "sent"
    assert cut.status == "failed" and "interrupted" in cut.error
    assert fresh.status == "queued"  # still within its normal wait: left to its own task
    assert len(outbox_lines(settings)) == 1
    # Running the recovery again changes nothing.
    assert recover_interrupted_deliveries().requeued == 0
    assert len(outbox_lines(settings)) == 1
