from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from minsheng.accounts.models import ApiToken, User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "role", "scope_area", "is_active")
    list_filter = ("role", "is_active")
    autocomplete_fields = ("units", "scope_area")
    fieldsets = UserAdmin.fieldsets + (
        (_("Work"), {"fields": ("display_name", "role", "units", "scope_area")}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (
        (_("Work"), {"fields": ("display_name", "role", "units", "scope_area")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        # Tokens are issued with `minsheng issue_token USERNAME --name NAME`, which shows the
        # secret once.
        return False
