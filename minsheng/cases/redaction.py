"""Redaction of free text before it is shown publicly.

Residents type phone numbers, ID card numbers and e-mail addresses into descriptions and
notes; none of that may reach a public page or export.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

from minsheng.cases.models import TRACKING_ALPHABET, Case, Status

# A declined request may be about a person rather than a service (DESIGN: problems, not
# people): the public board and Open311 publish that it was raised and declined, none of
# its free text and not where exactly.
WITHHELD = gettext_lazy("Declined as out of scope; its text is not published.")
# A case nobody on the staff has read yet may name a neighbour or accuse someone: its words
# are published once staff have sent it to a unit (or merged it), not the moment it is sent.
UNREAD = gettext_lazy(
    "Not yet read by staff: its words are published once it has been sent to a unit."
)


def withheld_text(status: str, *, dispatched: bool) -> str | None:
    """What the public reads instead of a case's own words (title, description,
    resolution, notes, address, point), or None when they may be published."""
    if status == Status.DECLINED:
        return str(WITHHELD)
    if not dispatched and status in (Status.SUBMITTED, Status.WITHDRAWN):
        return str(UNREAD)
    return None


def withheld_for(case: Case) -> str | None:
    """``withheld_text`` for a case row (with its ``status`` and ``dispatched_at``)."""
    return withheld_text(case.status, dispatched=case.dispatched_at is not None)


def public_point(
    latitude: float | None, longitude: float | None
) -> tuple[float | None, float | None]:
    """A case's point as published: to three decimals (about 100 m), which places the
    problem in its lane without pointing at one house."""
    if latitude is None or longitude is None:
        return None, None
    return round(latitude, 3), round(longitude, 3)


# The patterns below run on a copy of the text with full-width letters and digits (a
# Chinese keyboard's full-width mode), the ideographic space and Arabic-Indic digits folded
# to ASCII, one character for one, so a match's span is the same in the original.
_FOLD = {
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},
    0x3000: 0x20,
    **{0x0660 + d: 0x30 + d for d in range(10)},
    **{0x06F0 + d: 0x30 + d for d in range(10)},
}
# What people put between groups of digits: spaces, dashes, dots, middle dots, slashes.
_SEP = r"[ \t.\-\u00b7\u2010-\u2015\u2212/_]"
# Mainland ID card: 17 digits + digit or X (18), or legacy 15 digits; written whole or in
# groups (110105 19491231 002X).
_ID_CARD = re.compile(
    rf"(?<![\dA-Za-z])\d(?:{_SEP}?\d){{16}}{_SEP}?[\dXx](?![\dXx])|(?<!\d)\d{{15}}(?!\d)"
)
# Mobile numbers: 11 digits from 13x–19x in any grouping (138.0013.8000, 1380 013 8000),
# with or without +86 / 0086 in front.
_MOBILE = re.compile(
    rf"(?<!\d)(?:(?:\+|00){_SEP}?86{_SEP}?|86{_SEP})?1{_SEP}?[3-9](?:{_SEP}?\d){{9}}(?!\d)"
)
# Landlines: an area code 0xx or 0xxx (in brackets or not) and 7–8 digits in any grouping:
# (0991)2345678, 0991-234-5678.
_LANDLINE = re.compile(
    rf"(?<!\d)(?:(?:\+|00){_SEP}?86{_SEP}?)?[(（]?0\d{{2,3}}[)）]?{_SEP}?\d(?:{_SEP}?\d){{6,7}}(?!\d)"
)
# A number cut off by "…" (a title made from the description before titles were made from
# redacted text): too short to tell from a phone number, so masked too.
_CUT_NUMBER = re.compile(r"\+?(?:\d[\s-]?){5,}(?=…)")
# E-mail, also with spaces around the @ (wangxm @ example.com).
_EMAIL = re.compile(r"[\w.+-]+ ?@ ?[\w-]+(?:\.[\w-]+)+")
# A tracking code is the key to a resident's case (rating, withdrawal): never publish one,
# however it is written (MS7FB6-UMAZ, ms 7fb6 umaz).
_CODE_CHAR = f"[{TRACKING_ALPHABET}]"
_TRACKING_CODE = re.compile(
    rf"(?<![A-Za-z0-9])MS{_SEP}?{_CODE_CHAR}(?:{_SEP}?{_CODE_CHAR}){{7}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# A name given in the text itself: "我叫王建国", "联系人：王建国", "姓名 王建国". Two to three
# Han characters after the words that introduce a name.
_NAMED = re.compile(r"(?:我叫|本人叫|名叫|姓名|联系人|户主)[:：\s]*([\u4e00-\u9fff]{2,3})")
MASK = "＊＊＊"


def _mask(pattern: re.Pattern[str], text: str, folded: str, group: int = 0) -> tuple[str, str]:
    """Mask every match of ``pattern`` in the folded text, at the same places in both."""
    spans = [m.span(group) for m in pattern.finditer(folded)]
    for start, end in reversed(spans):
        text = text[:start] + MASK + text[end:]
        folded = folded[:start] + MASK + folded[end:]
    return text, folded


def redact(text: str, *, names: tuple[str, ...] = ()) -> str:
    """Mask ID numbers, phone numbers, e-mails, names the text introduces and the given
    names in ``text``."""
    if not text:
        return text
    folded = text.translate(_FOLD)
    for pattern in (_EMAIL, _ID_CARD, _MOBILE, _LANDLINE, _CUT_NUMBER):
        text, folded = _mask(pattern, text, folded)
    text, folded = _mask(_NAMED, text, folded, group=1)
    for name in names:
        if name and len(name.strip()) >= 2:
            text = text.replace(name.strip(), MASK)
    return text


def public_text(text: str, terms: tuple[str, ...] = ()) -> str:
    """Free text fit for a public page or feed: redacted, tracking codes masked, and the
    resident's own name and phone (``terms``, see contacts.selectors.private_terms) masked.
    """
    out = redact(text or "")
    out, _folded = _mask(_TRACKING_CODE, out, out.translate(_FOLD))
    return mask_terms(out, terms)


def mask_terms(text: str, terms: tuple[str, ...]) -> str:
    """``text`` with each of ``terms`` (a resident's name and phone) masked."""
    for term in sorted(terms, key=len, reverse=True):
        pattern = re.escape(term)
        if term.isascii():
            # "Li" must not eat the middle of "village"; Chinese and Uyghur names are
            # masked wherever they occur, since Chinese has no spaces between words and
            # Uyghur adds suffixes.
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
        text = re.sub(pattern, MASK, text, flags=re.IGNORECASE)
    return text
