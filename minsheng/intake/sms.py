"""Text messages in: a village code and a problem become a case; everything else gets a
helpful answer.

What a resident may send:
- ``<village code> <problem>`` — the code printed on the village's poster. The case is
  recorded in that village through ``actions.submit_case`` (channel "sms") and the sender's
  number becomes the case's encrypted contact, which is how they hear back. It is stored
  nowhere else: there is no register of senders.
- ``<tracking code> <1-5>`` — rates a resolved case, as on the tracking page (the tracking
  code is the key to a case, on the web and here).
- ``<tracking code>`` — answers with the case's status.
- A bare digit 1–5 cannot be tied to a case without a register of senders: the answer
  explains how to rate instead. Anything else is asked to start with the village code.

The answer is in the language of the case it is about; otherwise in the script the
resident wrote in; a message with no letters at all ("5", "12345") is answered in each of
``NO_CLUE_LANGUAGES``, since the phone's number says nothing about its owner's language.

``handle_inbound`` returns the reply and writes an InboundMessage row without the number
or the text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from minsheng.cases import actions
from minsheng.cases.errors import CaseError, InvalidInput
from minsheng.cases.models import TRACKING_ALPHABET, Case, Channel, Status
from minsheng.cases.selectors import case_for_resident
from minsheng.intake.models import POSTER_AREA_KINDS, AreaSmsCode, InboundMessage, InboundReply
from minsheng.intake.notify import tracking_url
from minsheng.throttle.actions import TooManyTries, clock_time

_TRACKING = re.compile(rf"^\W*(MS[{TRACKING_ALPHABET}]{{8}})(.*)$", re.IGNORECASE | re.DOTALL)
# \d and \W are Unicode-aware: full-width digits (１２３４５) and Chinese punctuation work.
_LEADING_NUMBER = re.compile(r"^\W*(\d+)\W*(.*)$", re.DOTALL)
_SMS_CODE_LENGTHS = range(4, 7)
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
# The county's two languages: the answer to a text that shows neither comes in both.
NO_CLUE_LANGUAGES = ("zh-hans", "ug")


@dataclass
class SmsAnswer:
    reply: str
    kind: str
    language: str
    case: Case | None = None
    code_matched: bool = False
    area_id: int | None = None


@dataclass
class _Draft:
    """What to answer, before it is put into words: ``words`` says it in the active language."""

    words: Callable[[], str]
    kind: str
    language: str | None  # None: the message gave no clue and the case is unknown
    case: Case | None = None
    code_matched: bool = False
    area_id: int | None = None


def handle_inbound(*, sender: str, text: str, message_id: str = "") -> SmsAnswer:
    """Answer one text message, creating or rating a case when it asks for that.

    ``message_id``, if the gateway gives one, makes a redelivered message return the case
    the first delivery created instead of a second case.
    """
    text = text or ""
    guessed = guess_language(text)
    with translation.override(guessed or settings.LANGUAGE_CODE):
        draft = _answer(sender=sender, text=text, language=guessed, message_id=message_id)
    languages = [draft.language] if draft.language else list(NO_CLUE_LANGUAGES)
    replies = []
    for language in languages:
        with translation.override(language):
            replies.append(draft.words())
    answer = SmsAnswer(
        reply="\n".join(replies),
        kind=draft.kind,
        language=languages[0],
        case=draft.case,
        code_matched=draft.code_matched,
        area_id=draft.area_id,
    )
    InboundMessage.objects.create(
        received_at=timezone.now(),
        code_matched=answer.code_matched,
        area_id=answer.area_id,
        case=answer.case,
        reply=answer.kind,
    )
    return answer


def guess_language(text: str) -> str | None:
    """The language to answer in, from the script the resident wrote in; None without
    letters (a bare rating, a village code alone)."""
    if _ARABIC_SCRIPT.search(text):
        return "ug"
    if _CJK.search(text):
        return "zh-hans"
    if _LATIN.search(_TRACKING.sub(r"\2", text)):
        return "en"
    return None


def _answer(*, sender: str, text: str, language: str | None, message_id: str) -> _Draft:
    hotline = settings.MINSHENG_HOTLINE
    # A Chinese keyboard in full-width mode types "ＭＳ…" and "５".
    tracking = _TRACKING.match(unicodedata.normalize("NFKC", text))
    if tracking:
        return _about_case(
            tracking.group(1).upper(), tracking.group(2), language=language, sender=sender
        )
    if _bare_rating(text) is not None:
        return _Draft(
            lambda: (
                _(
                    "We cannot tell which request your rating is for. Please send the tracking "
                    "code followed by your rating from 1 to 5, rate on the tracking page, or "
                    "call %(hotline)s."
                )
                % {"hotline": hotline}
            ),
            InboundReply.RATE_ON_PAGE,
            language,
        )
    leading = _LEADING_NUMBER.match(text)
    if leading is None or len(leading.group(1)) not in _SMS_CODE_LENGTHS:
        return _Draft(
            lambda: (
                _(
                    "Please start your message with the number printed on your village's poster, "
                    "then describe the problem. Or call %(hotline)s."
                )
                % {"hotline": hotline}
            ),
            InboundReply.ASK_CODE,
            language,
        )
    code = "".join(str(unicodedata.decimal(ch)) for ch in leading.group(1))
    sms_code = (
        AreaSmsCode.objects.select_related("area")
        .filter(code=code, area__kind__in=POSTER_AREA_KINDS)
        .first()
    )
    if sms_code is None:
        return _Draft(
            lambda: (
                _(
                    "We do not know the village code %(code)s. Please check the number on your "
                    "village's poster and send it again before your problem, or call %(hotline)s."
                )
                % {"code": code, "hotline": hotline}
            ),
            InboundReply.ASK_CODE,
            language,
        )
    area = sms_code.area
    description = leading.group(2).strip()
    if not description:
        return _Draft(
            lambda: _("Please send the village code followed by a description of the problem."),
            InboundReply.ASK_TEXT,
            language,
            code_matched=True,
            area_id=area.pk,
        )
    # A problem written without letters ("12345 ？？") still needs one language for its case.
    case_language = language or settings.LANGUAGE_CODE
    try:
        case = _submit(
            area=area,
            description=description,
            sender=sender,
            language=case_language,
            key=message_id,
        )
    except CaseError as exc:
        refusal = exc.message  # said in the language of the case it would have been
        return _Draft(
            lambda: f"{refusal} " + _("Or call %(hotline)s.") % {"hotline": hotline},
            InboundReply.REFUSED,
            case_language,
            code_matched=True,
            area_id=area.pk,
        )
    return _Draft(
        lambda: (
            _(
                "Thank you. Your request for %(village)s is recorded with the tracking code "
                "%(code)s. Follow it at %(url)s or call %(hotline)s."
            )
            % {
                "village": area.label,
                "code": case.tracking_code,
                "url": tracking_url(case),
                "hotline": hotline,
            }
        ),
        InboundReply.CASE_CREATED,
        case.language,
        case=case,
        code_matched=True,
        area_id=area.pk,
    )


def _submit(*, area, description: str, sender: str, language: str, key: str) -> Case:  # type: ignore[no-untyped-def]
    fields = {
        "actor": actions.RESIDENT,
        "title": "",
        "description": description,
        "category": None,
        "area": area,
        "channel": Channel.SMS,
        "contact_phone": sender,
        "language": language,
        "submission_key": ("sms:" + hashlib.sha256(key.encode()).hexdigest()[:40]) if key else None,
    }
    try:
        return actions.submit_case(**fields)
    except InvalidInput as exc:
        if exc.field != "phone":
            raise
        # A gateway's odd sender format must not lose the problem: record it without a
        # number (the resident still has the tracking code from our reply).
        return actions.submit_case(**{**fields, "contact_phone": ""})


def _about_case(code: str, rest: str, *, language: str | None, sender: str) -> _Draft:
    """A message that starts with a tracking code: a rating, or a question about status.

    Unknown codes count against the sender's number as they count against an address on
    the web (every message comes from the gateway's address).
    """
    try:
        case = case_for_resident(code, client=f"sms:{sender}")
    except TooManyTries as exc:
        until = exc.until
        return _Draft(
            lambda: (
                _(
                    "Too many unknown tracking codes were sent from this number. Please try "
                    "again after %(time)s, or call %(hotline)s."
                )
                % {"time": clock_time(until), "hotline": settings.MINSHENG_HOTLINE}
            ),
            InboundReply.REFUSED,
            language,
        )
    if case is None:
        return _Draft(
            lambda: (
                _(
                    "We found no request with the code %(code)s. Please check it, or call "
                    "%(hotline)s."
                )
                % {"code": code, "hotline": settings.MINSHENG_HOTLINE}
            ),
            InboundReply.REFUSED,
            language,
        )
    # Answer in the language the resident chose when they reported.
    with translation.override(case.language):
        return _about_known_case(case, rest)


def _about_known_case(case: Case, rest: str) -> _Draft:
    language = case.language
    rating = _bare_rating(rest)

    def values() -> dict:
        return {
            "code": case.tracking_code,
            "status": case.get_status_display(),
            "url": tracking_url(case),
            "hotline": settings.MINSHENG_HOTLINE,
        }

    if rating is None:
        return _Draft(
            lambda: _("Request %(code)s: %(status)s. Details: %(url)s") % values(),
            InboundReply.STATUS,
            language,
            case=case,
        )
    if case.status != Status.RESOLVED:
        return _Draft(
            lambda: (
                _(
                    "Request %(code)s is %(status)s. You can rate it once it is reported solved. "
                    "Details: %(url)s"
                )
                % values()
            ),
            InboundReply.STATUS,
            language,
            case=case,
        )
    try:
        case = actions.rate_case(
            actor=actions.RESIDENT, case=case, rating=rating, is_solved=rating >= 3
        )
    except CaseError as exc:
        refusal = exc.message  # said in the case's language (the override above)
        return _Draft(lambda: refusal, InboundReply.REFUSED, language, case=case)
    if case.status == Status.CLOSED:
        return _Draft(
            lambda: _("Thank you for your rating. Request %(code)s is now closed.") % values(),
            InboundReply.RATED,
            language,
            case=case,
        )
    return _Draft(
        lambda: (
            _(
                "Thank you. Request %(code)s has been reopened and is back with the unit "
                "that handled it."
            )
            % values()
        ),
        InboundReply.RATED,
        language,
        case=case,
    )


def _bare_rating(text: str) -> int | None:
    """A message that is nothing but one digit from 1 to 5 (punctuation aside)."""
    stripped = re.sub(r"\W", "", text)
    if len(stripped) == 1 and stripped.isdecimal() and 1 <= unicodedata.decimal(stripped) <= 5:
        return unicodedata.decimal(stripped)
    return None
