"""Redaction of free text before it is shown publicly.

Residents type phone numbers, ID card numbers and e-mail addresses into descriptions and
notes; none of that may reach a public page or export.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy

from minsheng.cases.models import TRACKING_ALPHABET

# A declined request may be about a person rather than a service (DESIGN: problems, not
# people): the public board and Open311 publish that it was raised and declined, none of
# its free text and not where exactly.
WITHHELD = gettext_lazy("Declined as out of scope; its text is not published.")

# Mainland ID card: 17 digits + digit or X (18), or legacy 15 digits.
_ID_CARD = re.compile(r"(?<!\d)(\d{17}[\dXx]|\d{15})(?![\dXx])")
# Mobile (1[3-9]x xxxx xxxx, separators allowed), landline with area code, +86 forms.
_PHONE = re.compile(
    r"(?<!\d)(?:\+?86[\s-]?)?(?:1[3-9]\d(?:[\s-]?\d{4}){2}|0\d{2,3}[\s-]?\d{7,8})(?!\d)"
)
# A number cut off by "…" (a title made from the description before titles were made from
# redacted text): too short to tell from a phone number, so masked too.
_CUT_NUMBER = re.compile(r"\+?(?:\d[\s-]?){5,}(?=…)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A tracking code is the key to a resident's case (rating, withdrawal): never publish one.
_TRACKING_CODE = re.compile(
    rf"(?<![A-Za-z0-9])MS[{TRACKING_ALPHABET}]{{8}}(?![A-Za-z0-9])", re.IGNORECASE
)
MASK = "＊＊＊"


def redact(text: str, *, names: tuple[str, ...] = ()) -> str:
    """Mask ID numbers, phone numbers, e-mails and the given names in ``text``."""
    if not text:
        return text
    out = _EMAIL.sub(MASK, text)
    out = _ID_CARD.sub(MASK, out)
    out = _PHONE.sub(MASK, out)
    out = _CUT_NUMBER.sub(MASK, out)
    for name in names:
        if name and len(name.strip()) >= 2:
            out = out.replace(name.strip(), MASK)
    return out


def public_text(text: str, terms: tuple[str, ...] = ()) -> str:
    """Free text fit for a public page or feed: redacted, tracking codes masked, and the
    resident's own name and phone (``terms``, see contacts.selectors.private_terms) masked.
    """
    out = _TRACKING_CODE.sub(MASK, redact(text or ""))
    for term in sorted(terms, key=len, reverse=True):
        pattern = re.escape(term)
        if term.isascii():
            # "Li" must not eat the middle of "village"; Chinese and Uyghur names are
            # masked wherever they occur, since Chinese has no spaces between words and
            # Uyghur adds suffixes.
            pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
        out = re.sub(pattern, MASK, out, flags=re.IGNORECASE)
    return out
