from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from minsheng.directory.models import Area, CalendarDay, Category, RoutingRule, Unit


@admin.display(description=_("names missing"))
def missing_names(obj) -> str:  # type: ignore[no-untyped-def]
    """Which of the residents' languages still show the Chinese name instead."""
    missing = [
        str(label)
        for field, label in (("name_ug", _("Uyghur")), ("name_en", _("English")))
        if not getattr(obj, field)
    ]
    return "、".join(missing) or "—"


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", missing_names)
    list_filter = ("kind",)
    search_fields = ("name", "code", "name_en", "name_ug")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "staff_accounts", "is_active", missing_names)
    list_filter = ("level", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "areas")

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        active = Q(members__is_active=True)
        return super().get_queryset(request).annotate(staff=Count("members", filter=active))

    @admin.display(description=_("staff accounts"), ordering="staff")
    def staff_accounts(self, unit: Unit) -> str:
        # A unit nobody works in: what is dispatched there waits in no one's queue.
        return str(unit.staff) if unit.staff else str(_("none — add one"))  # type: ignore[attr-defined]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "limit_village",
        "limit_township",
        "limit_county",
        "is_active",
        missing_names,
    )
    list_editable = ("limit_village", "limit_township", "limit_county")
    search_fields = ("name", "code")


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "area", "unit")
    list_filter = ("category",)
    autocomplete_fields = ("area", "unit")


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note")
    list_filter = ("is_working_day",)
    date_hierarchy = "date"

    # A day changed here moves the running deadlines it touches, as the notice page does.
    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        old_date = form.initial.get("date") if change else None
        super().save_model(request, obj, form, change)
        self._recalculate(request, [obj.date] + ([old_date] if old_date else []))

    def delete_model(self, request, obj) -> None:  # type: ignore[no-untyped-def]
        super().delete_model(request, obj)
        self._recalculate(request, [obj.date])

    def delete_queryset(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        days = list(queryset.values_list("date", flat=True))
        super().delete_queryset(request, queryset)
        self._recalculate(request, days)

    def _recalculate(self, request, days) -> None:  # type: ignore[no-untyped-def]
        from django.contrib import messages
        from django.utils.translation import ngettext

        from minsheng.cases.deadlines import recalculate_deadlines

        moved = recalculate_deadlines(days=days)
        if moved:
            messages.info(
                request,
                ngettext(
                    "The deadline of %(n)d running case moved.",
                    "The deadlines of %(n)d running cases moved.",
                    moved,
                )
                % {"n": moved},
            )
