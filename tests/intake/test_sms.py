"""The SMS door: a text that starts with a village's poster code becomes a case there.

Replies are asserted in English (an English message is answered in English), or on codes.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from minsheng.cases import actions
from minsheng.cases.models import Case, Channel, Status
from minsheng.contacts.crypto import decrypt
from minsheng.contacts.models import Contact
from minsheng.directory.models import AreaKind
from minsheng.intake.models import AreaSmsCode, InboundMessage, InboundReply, OutboundMessage
from tests.factories import AreaFactory

TOKEN = "gateway-secret-1"
PHONE = "+8613912345678"


@pytest.fixture(autouse=True)
def sms_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MINSHENG_SMS_INBOUND_TOKEN = TOKEN
    settings.MINSHENG_SMS_BACKEND = "file"
    settings.DATA_DIR = tmp_path
    settings.MINSHENG_PUBLIC_URL = "https://minsheng.example.org"


@pytest.fixture
def village_code(county) -> str:  # type: ignore[no-untyped-def]
    return AreaSmsCode.for_area(county.village).code


def outbox(settings) -> str:  # type: ignore[no-untyped-def]
    path = Path(settings.DATA_DIR) / "sms-outbox.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def text_in(text: str, *, sender: str = PHONE, token: str | None = TOKEN, as_json=False, **extra):  # type: ignore[no-untyped-def]
    headers = {"X-Minsheng-Sms-Token": token} if token is not None else {}
    fields = {"from": sender, "to": "10690001", "text": text, **extra}
    client = Client(headers=headers)
    if as_json:
        return client.post("/sms/inbound", json.dumps(fields), content_type="application/json")
    return client.post("/sms/inbound", fields)


def test_message_with_village_code_becomes_a_case_in_that_village(county, village_code):
    response = text_in(f"{village_code} The street lamp by the school has been dark for a week")
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.area == county.village
    assert case.channel == Channel.SMS
    assert case.status == Status.SUBMITTED
    assert case.description == "The street lamp by the school has been dark for a week"
    assert case.language == "en"
    body = response.json()
    assert body["kind"] == InboundReply.CASE_CREATED
    assert case.tracking_code in body["reply"]
    assert f"https://minsheng.example.org/track/{case.tracking_code}/" in body["reply"]


def test_senders_number_is_kept_only_as_the_cases_encrypted_contact(county, village_code):
    text_in(f"{village_code} 村口水管破了，停水两天")
    contact = Contact.objects.get()
    assert PHONE not in contact.phone_encrypted
    assert decrypt(contact.phone_encrypted) == PHONE


def test_chinese_message_with_full_width_code_is_understood(county, village_code):
    full_width = village_code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    response = text_in(f"{full_width}，村口水管破了")
    case = Case.objects.get()
    assert case.area == county.village
    assert case.description == "村口水管破了"
    assert case.language == "zh-hans"
    assert case.tracking_code in response.json()["reply"]


def test_json_body_works_like_a_form(county, village_code):
    response = text_in(f"{village_code} Pothole at the bridge", as_json=True)
    assert response.json()["kind"] == InboundReply.CASE_CREATED
    assert Case.objects.get().area == county.village


def test_message_without_a_code_is_asked_for_the_code_and_creates_nothing(county, village_code):
    response = text_in("The water is off again")
    assert response.status_code == 200
    assert response.json()["kind"] == InboundReply.ASK_CODE
    assert "poster" in response.json()["reply"]
    assert not Case.objects.exists()
    assert not Contact.objects.exists()


def test_message_with_an_unknown_code_is_asked_for_the_code_and_creates_nothing(
    county, village_code
):
    unknown = "99999" if village_code != "99999" else "88888"
    response = text_in(f"{unknown} The water is off again")
    assert response.json()["kind"] == InboundReply.ASK_CODE
    assert unknown in response.json()["reply"]
    assert not Case.objects.exists()


def test_code_without_a_problem_asks_for_the_description(county, village_code):
    response = text_in(village_code)
    assert response.json()["kind"] == InboundReply.ASK_TEXT
    assert not Case.objects.exists()


def test_bare_rating_cannot_be_tied_to_a_case_and_points_to_the_tracking_page(
    county, resolved_case
):
    case = resolved_case()
    response = text_in("5")
    assert response.json()["kind"] == InboundReply.RATE_ON_PAGE
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def in_language(language: str, message: str, **values) -> str:  # type: ignore[no-untyped-def]
    with translation.override(language):
        return translation.gettext(message) % values


RATE_ON_PAGE = (
    "We cannot tell which request your rating is for. Please send the tracking code followed "
    "by your rating from 1 to 5, rate on the tracking page, or call %(hotline)s."
)


def test_a_bare_rating_without_any_letters_is_answered_in_chinese_and_uyghur(
    county, resolved_case, settings
):
    resolved_case(language="ug")
    reply = text_in("5").json()["reply"]
    hotline = settings.MINSHENG_HOTLINE
    assert in_language("zh-hans", RATE_ON_PAGE, hotline=hotline) in reply
    assert in_language("ug", RATE_ON_PAGE, hotline=hotline) in reply
    assert OutboundMessage.objects.get().language == "zh-hans"


def test_a_message_in_uyghur_words_is_answered_in_uyghur_only(county, settings):
    reply = text_in("سۇ يوق").json()["reply"]
    assert reply == in_language(
        "ug",
        "Please start your message with the number printed on your village's poster, then "
        "describe the problem. Or call %(hotline)s.",
        hotline=settings.MINSHENG_HOTLINE,
    )


def test_a_rating_with_the_tracking_code_is_answered_in_the_cases_language(county, resolved_case):
    case = resolved_case(language="ug")
    reply = text_in(f"{case.tracking_code} 5").json()["reply"]
    assert reply == in_language(
        "ug",
        "Thank you for your rating. Request %(code)s is now closed.",
        code=case.tracking_code,
    )


def test_tracking_code_and_digit_rate_a_resolved_case(county, resolved_case):
    case = resolved_case(language="en")
    response = text_in(f"{case.tracking_code.lower()} 5")
    assert response.json()["kind"] == InboundReply.RATED
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.feedback.get().rating == 5
    assert "closed" in response.json()["reply"]


def test_a_full_width_code_and_digit_rate_a_resolved_case(county, resolved_case):
    from tests.intake.test_tracking import full_width

    case = resolved_case(language="zh-hans")
    response = text_in(full_width(f"{case.tracking_code} 4"))
    assert response.json()["kind"] == InboundReply.RATED
    assert case.feedback.get().rating == 4


def test_low_rating_by_sms_reopens_the_case(county, resolved_case):
    case = resolved_case()
    text_in(f"{case.tracking_code} 1")
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_rating_a_case_that_is_not_resolved_changes_nothing(county, submit):
    case = submit(language="en")
    response = text_in(f"{case.tracking_code} 5")
    assert response.json()["kind"] == InboundReply.STATUS
    assert "submitted" in response.json()["reply"]
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    assert not case.feedback.exists()


def test_tracking_code_alone_answers_with_the_status(county, submit):
    case = submit(language="en")
    actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    response = text_in(case.tracking_code)
    assert response.json()["kind"] == InboundReply.STATUS
    assert "dispatched" in response.json()["reply"]


def test_redelivered_message_with_the_same_id_makes_one_case(county, village_code):
    first = text_in(f"{village_code} Broken lamp", id="gw-42").json()
    second = text_in(f"{village_code} Broken lamp", id="gw-42").json()
    assert Case.objects.count() == 1
    assert Case.objects.get().tracking_code in first["reply"]
    assert first["reply"] == second["reply"]


def test_reply_is_sent_back_through_the_outbound_backend(county, village_code, settings):
    response = text_in(f"{village_code} Broken lamp")
    case = Case.objects.get()
    lines = outbox(settings).splitlines()
    assert len(lines) == 1
    assert "*" * 9 + "5678" in lines[0]  # masked down to the last four digits
    assert case.tracking_code in lines[0]
    message = OutboundMessage.objects.get()
    assert (message.kind, message.status, message.case) == ("reply", "sent", case)
    assert response.json()["reply"].split()[0] in lines[0]


def test_wrong_token_is_refused_and_nothing_is_stored(county, village_code, settings):
    response = text_in(f"{village_code} Broken lamp", token="guess")
    assert response.status_code == 403
    missing = text_in(f"{village_code} Broken lamp", token=None)
    assert missing.status_code == 403
    assert not Case.objects.exists()
    assert not InboundMessage.objects.exists()
    assert not OutboundMessage.objects.exists()
    assert outbox(settings) == ""


def test_webhook_is_closed_when_no_token_is_configured(county, village_code, settings):
    settings.MINSHENG_SMS_INBOUND_TOKEN = ""
    response = text_in(f"{village_code} Broken lamp", token="")
    assert response.status_code == 404
    assert not Case.objects.exists()
    assert not InboundMessage.objects.exists()


def test_message_without_sender_is_a_bad_request(county, village_code):
    assert text_in(f"{village_code} Broken lamp", sender="").status_code == 400
    assert not Case.objects.exists()


def test_webhook_accepts_only_post(county):
    client = Client(headers={"X-Minsheng-Sms-Token": TOKEN})
    assert client.get("/sms/inbound").status_code == 405


def test_inbound_log_records_what_happened_without_the_number(county, village_code):
    text_in(f"{village_code} Broken lamp")
    text_in("no code here")
    text_in("4")
    rows = list(InboundMessage.objects.order_by("id"))
    assert [r.reply for r in rows] == ["case_created", "ask_code", "rate_on_page"]
    assert [r.code_matched for r in rows] == [True, False, False]
    assert rows[0].area == county.village
    assert rows[0].case == Case.objects.get()


def test_no_log_or_queue_holds_the_senders_number(
    county, village_code, settings, django_capture_on_commit_callbacks
):
    text_in(f"{village_code} Broken lamp")
    text_in("no code here")
    case = Case.objects.get()
    # The dispatch notification goes through the real database task queue.
    with django_capture_on_commit_callbacks(execute=True):
        actions.dispatch_case(actor=county.operator, case=case, unit=county.village_unit)
    assert DBTaskResult.objects.count() == 1
    digits = PHONE.lstrip("+")
    stored = [
        *InboundMessage.objects.values(),
        *OutboundMessage.objects.values(),
        *DBTaskResult.objects.values(),
        *Case.objects.values(),
    ]
    assert stored
    for row in stored:
        assert digits[-8:] not in json.dumps(row, default=str)
    assert digits not in outbox(settings)


def test_a_number_sending_thirty_unknown_codes_is_told_to_wait(county, submit):
    case = submit()
    for n in range(30):
        code = f"MS4444{n:04d}".replace("0", "A").replace("1", "B")
        reply = text_in(f"{code} status?").json()
        assert reply["kind"] == InboundReply.REFUSED and "found no request" in reply["reply"]
    reply = text_in(f"{case.tracking_code} status?").json()
    assert reply["kind"] == InboundReply.REFUSED
    assert reply["reply"].startswith("Too many unknown tracking codes were sent from this number.")
    assert case.tracking_code not in reply["reply"]
    # Another resident, through the same gateway, is answered as usual.
    other = text_in(case.tracking_code, sender="+8613800001111").json()
    assert other["kind"] == InboundReply.STATUS


def test_a_new_village_has_its_code_at_once_and_residents_can_text_it(county, settings):
    # Nobody has opened the poster page or printed a poster.
    village = AreaFactory(name="新村", code="V9", kind=AreaKind.VILLAGE, parent=county.township)
    community = AreaFactory(
        name="新社区", code="V10", kind=AreaKind.COMMUNITY, parent=county.township
    )
    assert not AreaSmsCode.objects.filter(area__kind=AreaKind.TOWNSHIP).exists()
    code = AreaSmsCode.objects.get(area=village).code
    assert re.fullmatch(r"[1-9]\d{4}", code)
    assert AreaSmsCode.objects.get(area=community).code != code
    response = text_in(f"{code} The street lamp is broken")
    assert response.json()["kind"] == InboundReply.CASE_CREATED
    assert Case.objects.get().area == village
    # Saved again (renamed), it keeps its code.
    village.name = "新村（改名）"
    village.save()
    assert AreaSmsCode.objects.get(area=village).code == code


def test_a_township_turned_into_a_village_gets_its_code(county):
    township = AreaFactory(name="北镇", code="T9", kind=AreaKind.TOWNSHIP, parent=county.county)
    assert not AreaSmsCode.objects.filter(area=township).exists()
    township.kind = AreaKind.VILLAGE
    township.save()
    assert AreaSmsCode.objects.filter(area=township).exists()


def test_the_migration_gives_villages_without_a_code_theirs_and_keeps_the_others(county):
    from django.apps import apps

    backfill = importlib.import_module(
        "minsheng.intake.migrations.0003_sms_codes_for_every_village"
    ).backfill
    kept = AreaSmsCode.objects.get(area=county.village).code
    AreaSmsCode.objects.filter(area=county.other_village).delete()  # as before this change
    backfill(apps, None)
    assert AreaSmsCode.objects.get(area=county.village).code == kept
    drawn = AreaSmsCode.objects.get(area=county.other_village).code
    assert re.fullmatch(r"[1-9]\d{4}", drawn) and drawn != kept
    assert not AreaSmsCode.objects.filter(area__kind=AreaKind.TOWNSHIP).exists()
