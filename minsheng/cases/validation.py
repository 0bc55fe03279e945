"""Input checks shared by every door (web form, operator intake, API, import)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from minsheng.cases.errors import InvalidInput

TITLE_MAX = 120
DESCRIPTION_MAX = 4000
NOTE_MAX = 2000
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")


# Control and format characters are dropped (bidi overrides can disguise text), except line
# breaks, tabs and the zero-width joiners that emoji sequences ("👨‍👩‍👧") and some
# scripts' spelling need.
_KEPT = "\n\t\u200c\u200d"


def clean_text(
    value: object, *, field: str, label: str, max_length: int, required: bool = True
) -> str:
    """Trimmed text without control characters, or InvalidInput naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(label)s must be text.") % {"label": label}, field=field)
    text = "".join(ch for ch in value if ch in _KEPT or unicodedata.category(ch)[0] != "C").strip()
    if required and not text:
        raise InvalidInput(_("Please fill in %(label)s.") % {"label": label}, field=field)
    if len(text) > max_length:
        raise InvalidInput(
            _("%(label)s is too long: at most %(max)d characters, you wrote %(n)d.")
            % {"label": label, "max": max_length, "n": len(text)},
            field=field,
        )
    return text


def clean_phone(value: object) -> str:
    phone = clean_text(value, field="phone", label=_("phone"), max_length=24, required=False)
    if phone and not PHONE_RE.match(phone):
        raise InvalidInput(_("The phone number is not valid."), field="phone")
    return phone


def clean_coordinates(lat: object, lng: object) -> tuple[float | None, float | None]:
    if lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        lat_f, lng_f = float(lat), float(lng)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("The location is not valid."), field="location") from exc
    if not (-90 <= lat_f <= 90 and -180 <= lng_f <= 180):
        raise InvalidInput(_("The location is not valid."), field="location")
    return lat_f, lng_f
