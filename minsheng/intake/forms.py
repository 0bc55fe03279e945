"""Forms for the resident's pages. They parse and render; ``cases.actions`` validates.

Field names match the keyword arguments of the actions, so an action's ``InvalidInput``
(which names its field) lands next to the right input. Limits appear here only as widget
hints (``maxlength``) taken from the same constants the actions check.
"""

from __future__ import annotations

import uuid
from itertools import groupby

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.cases.validation import DESCRIPTION_MAX, TITLE_MAX
from minsheng.directory.models import Area, Category
from minsheng.photos.forms import PhotosField, with_limits

# Mirrors the action's limits for the fields it checks with a literal length.
ADDRESS_MAX = 200
CONTACT_NAME_MAX = 60
CONTACT_PHONE_MAX = 24

# Where an action's error field differs from the form field that shows it.
ACTION_FIELD_TO_FORM_FIELD = {"phone": "contact_phone", "location": "address"}

# Prefix of the submission keys this form issues, so they never meet an API client's keys.
SUBMISSION_KEY_PREFIX = "web-"


def new_submission_key() -> str:
    return uuid.uuid4().hex


def parse_submission_key(value: object) -> str | None:
    """The stored key for a form's hidden key, or None when it is missing or forged."""
    try:
        return SUBMISSION_KEY_PREFIX + uuid.UUID(str(value)).hex
    except (TypeError, ValueError):
        return None


def area_choices(areas: list[Area]) -> list:
    """Villages and communities grouped under their township, for <optgroup>s."""
    choices: list = [("", _("— choose —"))]
    for parent, group in groupby(areas, key=lambda a: a.parent):
        options = [(str(area.pk), area.label) for area in group]
        choices.append((parent.label if parent is not None else "", options))
    return choices


def category_choices(categories: list[Category]) -> list:
    return [("", _("I am not sure"))] + [
        (str(category.pk), category.label) for category in categories
    ]


class ReportForm(forms.Form):
    """A resident's report. Every field is optional here; ``submit_case`` says what is missing."""

    area = forms.CharField(
        label=_("Village or community"),
        required=False,
        widget=forms.Select(attrs={"required": True}),
    )
    category = forms.CharField(label=_("Kind of problem"), required=False, widget=forms.Select())
    title = forms.CharField(
        label=_("Short title (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX, "dir": "auto"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        help_text=_("What is wrong, where exactly, and since when."),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "maxlength": DESCRIPTION_MAX, "required": True, "dir": "auto"}
        ),
    )
    address = forms.CharField(
        label=_("Address or landmark (optional)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": ADDRESS_MAX, "dir": "auto"}),
    )
    photos = PhotosField(
        label=_("Photos of the problem"),
        help_text=with_limits(
            _(
                "Up to %(max)d photos, %(mb)d MB each. Only you and the staff handling your "
                "case see them, never the public. The place and time stored in a photo are "
                "removed."
            )
        ),
    )
    contact_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": CONTACT_NAME_MAX, "autocomplete": "name", "dir": "auto"}
        ),
    )
    contact_phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "maxlength": CONTACT_PHONE_MAX,
                "autocomplete": "tel",
                "inputmode": "tel",
            }
        ),
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)
    # "qr" when the resident came from a poster's QR code; anything else means the web form.
    via = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(  # type: ignore[no-untyped-def]
        self, *args, areas: list[Area], categories: list[Category], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].widget.choices = area_choices(areas)
        self.fields["category"].widget.choices = category_choices(categories)

    def add_action_error(self, field: str | None, message: object) -> None:
        """Show an action's error beside the field it names, or above the form."""
        name = ACTION_FIELD_TO_FORM_FIELD.get(field or "", field)
        self.add_error(name if name in self.fields else None, str(message))


class RateForm(forms.Form):
    """The resident's verdict. The rating itself (1–5) is checked by ``rate_case``."""

    RATINGS = [(str(n), str(n)) for n in range(1, 6)]

    # A plain CharField: a missing or unknown rating goes to rate_case, whose message the
    # resident then sees.
    rating = forms.CharField(
        label=_("How satisfied are you?"),
        required=False,
        widget=forms.RadioSelect(choices=RATINGS),
    )
    is_solved = forms.TypedChoiceField(
        label=_("Was the problem solved?"),
        choices=[("yes", _("Yes, it is solved")), ("no", _("No, it is not solved"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("Please say whether the problem was solved.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    expected_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def add_action_error(self, field: str | None, message: object) -> None:
        self.add_error(field if field in self.fields else None, str(message))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw it? (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )
    expected_version = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def add_action_error(self, field: str | None, message: object) -> None:
        self.add_error(field if field in self.fields else None, str(message))
