from django.contrib import admin

from minsheng.cases.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through their lifecycle actions."""

    list_display = (
        "tracking_code",
        "title",
        "status",
        "category",
        "area",
        "current_unit",
        "deadline",
    )
    list_filter = ("status", "channel", "category")
    search_fields = ("tracking_code", "title")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
