"""Forms for the project pages: they parse and render input; the actions validate rules."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext

from minsheng.accounts.models import Role, User
from minsheng.cases.forms import grouped_area_choices
from minsheng.cases.validation import DESCRIPTION_MAX, NOTE_MAX, TITLE_MAX
from minsheng.directory.models import Area, AreaKind, Category, Level, Unit
from minsheng.projects import rules
from minsheng.projects.models import OnCompletion, ProjectStatus, Resource


def areas_for(user: User, *, manage: bool) -> list[Area]:
    """Areas this user may work in (``manage``) or read, down to villages; grids are too
    small for a project."""
    qs = Area.objects.exclude(kind=AreaKind.GRID)
    if not user.is_administrator:
        prefixes = list(rules._unit_area_paths(user))
        roles = (Role.SUPERVISOR,) if manage else (Role.SUPERVISOR, Role.OPERATOR)
        if user.role in roles and user.scope_area_id:
            prefixes.append(user.scope_area.path)
        if not prefixes:
            return []
        condition = Q()
        for prefix in prefixes:
            condition |= Q(path__startswith=prefix)
        qs = qs.filter(condition)
    return list(qs.order_by("path"))


def unit_choices() -> list:
    """Active units grouped by level, highest first."""
    levels = dict(Level.choices)
    by_level: dict[int, list[tuple[int, str]]] = {}
    for unit in Unit.objects.filter(is_active=True).order_by("-level", "name"):
        by_level.setdefault(unit.level, []).append((unit.pk, unit.label))
    return [(levels.get(level, str(level)), units) for level, units in by_level.items()]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money(label: str, **kwargs) -> forms.DecimalField:  # type: ignore[no-untyped-def]
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


class AreaFormMixin(forms.Form):
    area = forms.TypedChoiceField(label=_("Area"), coerce=int)

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("— choose —"))] + grouped_area_choices(
            areas_for(user, manage=True)
        )


def _category_field() -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label=_("— none —"),
    )
    field.label_from_instance = lambda c: c.label  # type: ignore[attr-defined]
    return field


class NeedForm(AreaFormMixin):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=DESCRIPTION_MAX, widget=_textarea(4)
    )
    cases = forms.CharField(
        label=_("Cases (numbers, comma-separated)"),
        required=False,
        max_length=4000,
        help_text=_("The cases that show this need; they will be linked to the project."),
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field()
        self.order_fields(["area", "category", "title", "description", "cases"])

    def case_ids(self) -> list[str]:
        raw = self.cleaned_data.get("cases") or ""
        return [p for p in raw.replace("，", ",").replace(" ", ",").split(",") if p]


class ResourceForm(AreaFormMixin):
    sponsor_unit = forms.TypedChoiceField(label=_("Sponsor unit"), coerce=int)
    title = forms.CharField(label=_("What is offered"), max_length=TITLE_MAX)
    amount = _money(_("Amount (yuan)"), initial=0, help_text=_("0 for works or goods in kind."))
    description = forms.CharField(
        label=_("Details"), required=False, max_length=DESCRIPTION_MAX, widget=_textarea(3)
    )

    def __init__(self, *args, user: User, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, user=user, **kwargs)
        self.fields["area"].label = _("For area")
        self.fields["sponsor_unit"].choices = [("", _("— choose a unit —"))] + unit_choices()
        mine = list(user.units.values_list("id", flat=True))
        if len(mine) == 1 and not self.is_bound:
            self.initial.setdefault("sponsor_unit", mine[0])
        self.order_fields(["sponsor_unit", "area", "title", "amount", "description"])


class ProjectForm(AreaFormMixin):
    """A project typed by hand, without a need or resource behind it."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=DESCRIPTION_MAX, widget=_textarea(3)
    )
    lead_unit = forms.TypedChoiceField(label=_("Lead unit"), coerce=int)
    units = forms.TypedMultipleChoiceField(
        label=_("Other units involved"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    budget = _money(_("Budget (yuan)"), initial=0)
    start_date = forms.DateField(label=_("Planned start"), required=False, widget=_date())
    end_date = forms.DateField(label=_("Planned end"), required=False, widget=_date())

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["category"] = _category_field()
        units = unit_choices()
        self.fields["lead_unit"].choices = [("", _("— choose a unit —"))] + units
        self.fields["units"].choices = units
        self.order_fields(
            ["area", "category", "title", "description", "lead_unit", "units", "budget"]
        )


class MatchForm(forms.Form):
    """Turn a need and a resource into a project."""

    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int)
    title = forms.CharField(label=_("Project title"), max_length=TITLE_MAX)
    lead_unit = forms.TypedChoiceField(
        label=_("Lead unit"),
        coerce=int,
        required=False,
        help_text=_("Left empty, the sponsor unit leads."),
    )
    budget = _money(
        _("Budget (yuan)"), required=False, help_text=_("Left empty, the amount offered.")
    )
    start_date = forms.DateField(label=_("Planned start"), required=False, widget=_date())
    end_date = forms.DateField(label=_("Planned end"), required=False, widget=_date())

    def __init__(self, *args, resources: list[Resource], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [
            (
                r.pk,
                f"{r.sponsor_unit.label}: {r.title} "
                f"({f'¥{r.amount:,.2f}' if r.amount else _('in kind')}, {r.area.label})",
            )
            for r in resources
        ]
        self.fields["lead_unit"].choices = [("", _("— the sponsor unit —"))] + unit_choices()


class FiguresForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (ProjectStatus.PLANNED.value, ProjectStatus.PLANNED.label),
            (ProjectStatus.IN_PROGRESS.value, ProjectStatus.IN_PROGRESS.label),
        ],
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    budget = _money(_("Budget (yuan)"))
    spent = _money(_("Spent (yuan)"))
    start_date = forms.DateField(label=_("Planned start"), required=False, widget=_date())
    end_date = forms.DateField(label=_("Planned end"), required=False, widget=_date())
    units = forms.TypedMultipleChoiceField(
        label=_("Units involved"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("The lead unit always stays involved."),
    )
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX, widget=_textarea(2)
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = unit_choices()


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_MAX)
    due_date = forms.DateField(label=_("Due date"), widget=_date())


class LinkCaseForm(forms.Form):
    case = forms.CharField(
        label=_("Case number or tracking code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    on_completion = forms.ChoiceField(
        label=_("When the project completes"),
        choices=OnCompletion.choices,
        initial=OnCompletion.RESOLVE,
        widget=forms.RadioSelect,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX, widget=_textarea(2))


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("What was achieved"),
        max_length=NOTE_MAX,
        widget=_textarea(3),
        help_text=_(
            "Linked cases still open and marked “resolve” are resolved with this text; "
            "residents read it and are asked to rate. Cases already resolved or ended are "
            "left as they are."
        ),
    )
    open_milestones_ok = forms.BooleanField(label=_("Complete anyway"), required=False)

    def __init__(self, *args, open_milestones=(), **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        if open_milestones:
            field = self.fields["open_milestones_ok"]
            field.label = ngettext_lazy(
                "Complete the project although %(n)d milestone is not marked done",
                "Complete the project although %(n)d milestones are not marked done",
                "n",
            ) % {"n": len(open_milestones)}
            field.help_text = pgettext("list separator", ", ").join(
                f"“{m.title}”" for m in open_milestones
            )
        else:
            field = self.fields["open_milestones_ok"]
            field.widget = forms.HiddenInput()


class PublicForm(forms.Form):
    is_public = forms.BooleanField(label=_("Show on the public board"), required=False)
    reason = forms.CharField(
        label=_("Reason (needed to keep it off the board)"),
        required=False,
        max_length=NOTE_MAX,
        widget=_textarea(2),
    )
