"""Forms for the staff pages. They parse and render input; the actions validate the rules.

Field names are plain (``reason``, ``unit``, ``expected_version`` …) so scripts can post to
the action URLs; each form gets its own ``auto_id`` so several can share one page.
"""

from __future__ import annotations

import json
import uuid

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import Role, User
from minsheng.cases.models import Channel, Priority
from minsheng.cases.validation import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX
from minsheng.directory.models import Area, AreaKind, Category, Level, Unit
from minsheng.photos.forms import PhotosField, with_limits

# The channels an operator records by hand; the others arrive through their own doors.
OPERATOR_CHANNELS = (Channel.PHONE, Channel.VISIT, Channel.MEETING)


class ActionForm(forms.Form):
    """Every action form carries the case version the user saw, for the stale check."""

    # Optional so a script may leave it out; the page's forms always send it.
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, action: str = "", **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("auto_id", f"id_{action}_%s" if action else "id_%s")
        super().__init__(*args, **kwargs)


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class DispatchForm(ActionForm):
    """Category and unit. The category starts as the case's (a resident who was not sure
    left "other"); the unit select lists the routing proposal first and preselected, then
    every active unit. ``proposals`` — the routing proposal for each category in the case's
    area — lets the page propose again when the operator corrects the category."""

    category = forms.TypedChoiceField(label=_("Category"), coerce=int, required=False)
    unit = forms.TypedChoiceField(label=_("Send to unit"), coerce=int)
    note = forms.CharField(
        label=_("Note for the unit (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(2),
        help_text=_("For staff only: the resident sees that the case moved, not this note."),
    )

    def __init__(  # type: ignore[no-untyped-def]
        self,
        *args,
        proposed: Unit | None = None,
        category: Category | None = None,
        proposals: dict[int, Unit | None] | None = None,
        chosen_unit: Unit | None = None,
        escalated: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        units = list(
            Unit.objects.filter(is_active=True)
            .annotate(staff=Count("members", filter=Q(members__is_active=True)))
            .order_by("-level", "name")
        )
        # A unit with no one's account: what is sent there waits in nobody's queue.
        unstaffed = {unit.pk for unit in units if not unit.staff}  # type: ignore[attr-defined]

        def label(unit: Unit) -> str:
            if unit.pk in unstaffed:
                return _("%(unit)s (no staff account)") % {"unit": unit.label}
            return unit.label

        choices: list = [("", _("— choose a unit —"))]
        if proposed is not None:
            choices.append((_("Proposed by routing rules"), [(proposed.pk, label(proposed))]))
            field.initial = proposed.pk
            field.help_text = _("The routing rules propose %(unit)s.") % {"unit": label(proposed)}
        elif escalated:
            field.help_text = _("Handed up from the unit below: choose who handles it now.")
        else:
            field.help_text = _("No routing rule matches this case; please choose a unit.")
        if chosen_unit is not None and any(unit.pk == chosen_unit.pk for unit in units):
            # A sure suggestion chose it; the help text still names the rules' proposal.
            field.initial = chosen_unit.pk
        by_level: dict[int, list[tuple[int, str]]] = {}
        for unit in units:
            if proposed is None or unit.pk != proposed.pk:
                by_level.setdefault(unit.level, []).append((unit.pk, label(unit)))
        levels = dict(Level.choices)
        choices += [(levels.get(level, str(level)), units) for level, units in by_level.items()]
        field.choices = choices
        field.widget.attrs.update(
            {
                "data-propose-text": _("The routing rules propose %(unit)s.") % {"unit": "{unit}"},
                "data-none-text": _("No routing rule matches this case; please choose a unit."),
            }
        )

        categories = self.fields["category"]
        active = list(Category.objects.filter(is_active=True))
        categories.choices = [(c.pk, c.label) for c in active]
        if category is not None:
            categories.initial = category.pk
        categories.help_text = _(
            "Correct it if the case is about something else; the deadline follows the category."
        )
        if proposals is not None:
            table = {
                str(pk): [unit.pk, label(unit)] if unit is not None else None
                for pk, unit in proposals.items()
            }
            categories.widget.attrs["data-proposals"] = json.dumps(table, ensure_ascii=False)


class AcceptForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = forms.CharField(label=_("Progress note"), max_length=NOTE_MAX, widget=_textarea())
    is_public = forms.BooleanField(
        label=_("Visible to the resident"),
        required=False,
        initial=True,
        help_text=_(
            "Shown on the resident's case page and the public board, with phone numbers and "
            "names hidden. Untick it for a remark among staff."
        ),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        help_text=with_limits(
            _(
                "Up to %(max)d photos, %(mb)d MB each. Seen by staff only, never by the resident "
                "or the public."
            )
        ),
    )


class ReasonForm(ActionForm):
    """Return, escalate and decline must say why."""

    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX, widget=_textarea(2))


class StaffReasonForm(ReasonForm):
    """Why a case is handed back or up: read by staff only (``STAFF_NOTE_KINDS``)."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "For staff only: the resident sees that the case moved, not this reason."
        )


class DeclineForm(ReasonForm):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "The resident reads this reason on their case page; the public board does not show it."
        )


class WithdrawForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=NOTE_MAX, widget=_textarea(2)
    )


class _NewDeadline(ActionForm):
    """A deadline as a number of working days added to the current one, or a date."""

    days = forms.IntegerField(
        label=_("Working days more"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    until = forms.DateField(
        label=_("or: new deadline (end of that working day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ExtendForm(_NewDeadline):
    """The holding unit asks for more time (延期)."""

    reason = forms.CharField(
        label=_("Why more time is needed"),
        max_length=NOTE_MAX,
        widget=_textarea(2),
        help_text=_(
            "For staff only. If the extension is granted the resident sees that the deadline "
            "moved and the new deadline, not this reason."
        ),
    )
    field_order = ["reason", "days", "until"]

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["days"].help_text = _("Counted from the current deadline, in working days.")


class GrantExtensionForm(_NewDeadline):
    """Grant the pending request, as asked or with an earlier deadline."""

    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(2),
        help_text=_("For staff only: the resident sees the new deadline, not this note."),
    )
    field_order = ["days", "until", "note"]

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["days"].label = _("Shorter: working days more (optional)")
        self.fields["until"].label = _("or: an earlier deadline (optional)")
        self.fields["until"].help_text = _("Leave both empty to grant the deadline asked for.")


class ResolveForm(ActionForm):
    resolution = forms.CharField(
        label=_("What was done"),
        max_length=NOTE_MAX,
        widget=_textarea(),
        help_text=_("The resident reads this and is asked to confirm and rate."),
    )
    photos = PhotosField(
        label=_("Photos of the finished work (optional)"),
        help_text=with_limits(
            _(
                "Up to %(max)d photos, %(mb)d MB each. The resident sees them with the resolution; "
                "the public board does not."
            )
        ),
    )


class MergeForm(ActionForm):
    into = forms.CharField(
        label=_("Tracking code of the case to keep"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RateForm(ActionForm):
    """A rating the resident gave on the call-back, recorded by staff."""

    rating = forms.TypedChoiceField(
        label=_("Rating given by the resident"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    is_solved = forms.TypedChoiceField(
        label=_("Does the resident say the problem is solved?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Resident's comment (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(2),
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a case"),
        max_length=120,
        widget=forms.TextInput(
            attrs={"placeholder": _("Tracking code or title"), "type": "search"}
        ),
    )


# --- operator intake ---------------------------------------------------------------------


def intake_areas(user: User) -> list[Area]:
    """Areas this user may record a request for: their scope, or what their units cover."""
    qs = Area.objects.all()
    if not user.is_administrator:
        if user.role in (Role.OPERATOR, Role.SUPERVISOR):
            prefixes = [user.scope_area.path] if user.scope_area_id else []
        else:
            prefixes = [a.path for unit in user.units.all() for a in unit.areas.all()]
        if not prefixes:
            return []
        condition = Q()
        for prefix in prefixes:
            condition |= Q(path__startswith=prefix)
        qs = qs.filter(condition)
    return list(qs.order_by("path"))


def grouped_area_choices(areas: list[Area]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Villages grouped under their township; county and township areas in a first group."""
    ancestor_ids = {int(p) for a in areas for p in a.path.strip("/").split("/") if p}
    by_id = Area.objects.in_bulk(ancestor_ids)
    upper: list[tuple[int, str]] = []
    groups: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for area in areas:
        chain = [by_id[int(p)] for p in area.path.strip("/").split("/") if int(p) in by_id]
        township = next((a for a in chain if a.kind == AreaKind.TOWNSHIP), None)
        if area.kind in (AreaKind.COUNTY, AreaKind.TOWNSHIP) or township is None:
            upper.append((area.pk, " / ".join(a.label for a in chain)))
            continue
        below = chain[chain.index(township) + 1 :]
        _label, options = groups.setdefault(township.pk, (township.label, []))
        options.append((area.pk, " / ".join(a.label for a in below)))
    choices: list[tuple[str, list[tuple[int, str]]]] = []
    if upper:
        choices.append((str(_("County and townships")), upper))
    choices.extend(groups.values())
    return choices


class IntakeForm(forms.Form):
    """An operator records a request received by phone, on a home visit or at a meeting."""

    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in OPERATOR_CHANNELS],
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    area = forms.TypedChoiceField(label=_("Where"), coerce=int)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), empty_label=_("— choose —")
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX,
        help_text=_("Left empty, the first line of the description is used."),
    )
    description = forms.CharField(
        label=_("What is the problem?"), max_length=DESCRIPTION_MAX, widget=_textarea(5)
    )
    contact_name = forms.CharField(
        label=_("Resident's name (optional)"), required=False, max_length=60
    )
    contact_phone = forms.CharField(
        label=_("Resident's phone (optional)"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        help_text=_("Stored encrypted; only the unit handling the case can see it, to call back."),
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        initial=Priority.NORMAL,
        widget=forms.RadioSelect,
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("— choose —"))] + grouped_area_choices(
            intake_areas(user)
        )
        category = self.fields["category"]
        category.queryset = Category.objects.filter(is_active=True)
        category.label_from_instance = lambda c: c.label  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
